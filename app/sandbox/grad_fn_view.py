"""A read-only view of an autograd Node (`tensor.grad_fn`) that is safe to hand to a program.

A real Node offers `register_hook` (a callable run from C++ outside the interpreter's budget),
`_saved_*` tensors and `metadata()` (a mutable dict torch may fill with tracebacks). The view
offers only its name, its edges and, for AccumulateGrad, the leaf it accumulates into; it prints
without a memory address.
"""

from __future__ import annotations

from typing import Any

import torch

from app.sandbox.surface.values import as_python_type


class GradFnView:
    """What a program sees as `y.grad_fn`: `<AddBackward0 object>`."""

    __slots__ = ("_node",)

    def __init__(self, node: Any) -> None:
        self._node = node

    @property
    def node(self) -> Any:
        """The real Node, for trusted code (the observer, tests) only."""
        return self._node

    @property
    def type_name(self) -> str:
        # The class name is what CPython prints (`AccumulateGrad`); name() may be qualified.
        return type(self._node).__name__

    def name(self) -> str:
        return str(self._node.name())

    @property
    def next_functions(self) -> tuple[tuple[GradFnView | None, int], ...]:
        return tuple((view_of(node), int(index)) for node, index in self._node.next_functions)

    @property
    def variable(self) -> torch.Tensor:
        """The leaf an AccumulateGrad node accumulates into; other nodes raise like torch."""
        variable: torch.Tensor = self._node.variable
        return variable

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GradFnView) and other._node is self._node

    def __hash__(self) -> int:
        return hash(id(self._node))


def view_of(node: Any) -> GradFnView | None:
    """Wrap a grad_fn (or None) for the program; the view's type name is the node's."""
    if node is None:
        return None
    view: GradFnView = as_python_type(GradFnView, type(node).__name__)(node)
    return view
