"""Frames and interpreted functions: `def` and `lambda` as the interpreter runs them.

A user function is never a real Python function. `InterpretedFunction` is callable from Python
(torch calls hooks and `jacobian` functions that way) and runs the compiled body under the same
RunContext budget: steps, call depth and deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.sandbox.context import RunContext
from app.sandbox.signatures import Extras, bind, fill_positional_defaults, too_many_positional


class Frame:
    """The local variables of one call (or comprehension), linked to the defining frame."""

    __slots__ = ("parent", "retval", "vars")

    def __init__(self, variables: dict[str, Any], parent: Frame | None) -> None:
        self.vars = variables
        self.parent = parent
        self.retval: Any = None


class InterpretedFunction:
    """A `def` or `lambda` of the program, with its defaults and defining frame."""

    __slots__ = (
        "_body",
        "_ctx",
        "closure",
        "defaults",
        "extras",
        "name",
        "parameters",
        "qualname",
    )

    def __init__(
        self,
        name: str,
        qualname: str,
        parameters: tuple[str, ...],
        defaults: tuple[Any, ...],
        body: Callable[[Frame], Any],
        closure: Frame | None,
        ctx: RunContext,
        extras: Extras | None = None,
    ) -> None:
        self.extras = extras  # *args, keyword-only parameters, **kwargs (signatures.py)
        self.name = name
        self.qualname = qualname
        self.parameters = parameters
        self.defaults = defaults
        self._body = body
        self.closure = closure
        self._ctx = ctx

    def __repr__(self) -> str:
        return f"<function {self.qualname}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.invoke(args, kwargs)

    def invoke(self, args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any]) -> Any:
        """Bind the arguments like CPython, then run the body one call deeper."""
        ctx = self._ctx
        variables = self._bind(args, kwargs) if self.extras is None else bind(self, args, kwargs)
        depth = ctx.call_depth + 1
        if depth > ctx.limits.call_depth:
            raise ctx.limit_exceeded(
                "call_depth",
                f"Function calls nested deeper than {ctx.limits.call_depth} levels "
                f"(in {self.qualname}()).",
            )
        ctx.step()
        ctx.call_depth = depth
        try:
            return self._body(Frame(variables, self.closure))
        finally:
            ctx.call_depth = depth - 1

    def _bind(self, args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        parameters = self.parameters
        count = len(parameters)
        variables = dict(zip(parameters, args, strict=False))
        for key, value in kwargs.items():  # keywords first, as CPython checks them
            if key not in parameters:
                raise TypeError(f"{self.qualname}() got an unexpected keyword argument '{key}'")
            if key in variables:
                raise TypeError(f"{self.qualname}() got multiple values for argument '{key}'")
            variables[key] = value
        if len(args) > count:
            raise TypeError(too_many_positional(self, len(args), variables))
        if len(variables) < count:
            fill_positional_defaults(self, variables)
        return variables
