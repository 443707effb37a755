"""Compiling `class` statements, decorated functions and `super()` into closures.

The compiler (`compiler/`) hands these three constructs here. A class body runs once, like
CPython's: its assignments and `def`s fill a namespace, from which `classes.make_class` builds
the real class. Methods are `InterpretedFunction`s whose closure is a one-name frame holding
`__class__` (as CPython's cell does), so that `super()` finds the class being defined; the
program can never name `__class__` itself (the validator refuses dunder names).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from app.sandbox import class_validation, classes, signatures
from app.sandbox.errors import ProgramException, SandboxViolation
from app.sandbox.functions import Frame, InterpretedFunction
from app.sandbox.python_values import type_name

if TYPE_CHECKING:
    from app.sandbox.compiler import Compiler, Expr, Scope, Stmt

_GRAD_MODES: dict[str, Callable[[], Any]] = {
    "no_grad": torch.no_grad,
    "enable_grad": torch.enable_grad,
    "inference_mode": torch.inference_mode,
}
CLASS_CELL = "__class__"


class _Decorators:
    """What a function's decorators make of it, applied at definition time."""

    def __init__(self, compiler: Compiler, node: ast.FunctionDef, scope: Scope) -> None:
        self.kind = "method"  # or "static", "class", "property", "setter"
        self.checks: list[tuple[str, Expr | None]] = []
        self.property: Expr | None = None  # for "setter": the property it extends
        self.setter_at = (node.lineno, node.col_offset + 1)  # and where `x.setter` is read
        for decorator in reversed(node.decorator_list):
            kind = class_validation.decorator_kind(decorator)
            assert kind is not None  # the validator refused every other decorator
            if kind == "setter":
                assert isinstance(decorator, ast.Attribute)
                self.kind = kind
                self.property = compiler.expr(decorator.value, scope)
                self.setter_at = (decorator.lineno, decorator.col_offset + 1)
                continue
            if kind in ("staticmethod", "classmethod", "property"):
                self.kind = {"staticmethod": "static", "classmethod": "class"}.get(kind, kind)
                continue
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            self.checks.append((kind, compiler.expr(target, scope)))

    def body(self, frame: Frame, run_body: Callable[[Frame], Any]) -> tuple[Any, bool]:
        """(the body to run, whether once_differentiable marked it), checking that each
        decorator names what the program means (torch's no_grad, not a variable of its own)."""
        once = False
        body = run_body
        for kind, value in self.checks:
            assert value is not None
            found = value(frame)
            expected = _decorator_value(kind)
            if not _is_torch_decorator(found, expected):
                raise SandboxViolation(
                    f"the decorator '{kind}' does not name torch's {kind}; only torch's "
                    "own can decorate a function in the playground."
                )
            if kind == "once_differentiable":
                once = True
                body = _with_mode(body, torch.no_grad)
            else:
                body = _with_mode(body, _GRAD_MODES[kind])
        return body, once


def _decorator_value(kind: str) -> Any:
    if kind == "once_differentiable":
        return torch.autograd.function.once_differentiable
    return _GRAD_MODES[kind]


def _is_torch_decorator(found: Any, expected: Any) -> bool:
    target = getattr(found, "target", None)  # a SurfaceFunction (torch.no_grad, once_diff.)
    if target is expected:
        return True
    real = getattr(found, "real", None)  # a WrappedClass
    return real is expected


def _with_mode(body: Callable[[Frame], Any], mode: Callable[[], Any]) -> Callable[[Frame], Any]:
    def run_in_mode(frame: Frame) -> Any:
        with mode():
            return body(frame)

    return run_in_mode


def _function_parts(
    compiler: Compiler, node: ast.FunctionDef, scope: Scope, qualname: str, method: bool
) -> tuple[tuple[str, ...], Callable[[Frame], Any], tuple[Expr, ...]]:
    from app.sandbox.compiler import RETURN, Scope, assigned_names

    parameters = tuple(argument.arg for argument in node.args.args)
    local = signatures.local_names(node.args) | assigned_names(node.body)
    inner = Scope("function", local, scope, qualname)
    # `def m(*args)` has none: its super() is CPython's "super(): no arguments".
    inner.first_parameter = parameters[0] if method and parameters else None  # type: ignore[attr-defined]
    body = compiler.block(node.body, inner)

    def run_body(frame: Frame) -> Any:
        return frame.retval if body(frame) == RETURN else None

    return parameters, run_body, compiler.exprs(node.args.defaults, scope)


def decorated_function(compiler: Compiler, node: ast.FunctionDef, scope: Scope) -> Stmt:
    """A `def` with decorators outside a class (`@torch.no_grad()`)."""
    qualname = scope.child_prefix() + node.name
    parameters, run_body, defaults = _function_parts(compiler, node, scope, qualname, False)
    decorators = _Decorators(compiler, node, scope)
    extras = signatures.compile_extras(compiler, node.args, scope)
    store = compiler.store_name(node.name, scope)
    name = node.name
    ctx = compiler.ctx

    def define(frame: Frame) -> None:
        body, _once = decorators.body(frame, run_body)  # decorators first, as in CPython
        values = tuple(default(frame) for default in defaults)
        function = InterpretedFunction(
            name, qualname, parameters, values, body, frame, ctx, extras(frame)
        )
        store(frame, function)

    return compiler._simple(node, scope, [name], _positioned(define, node, ctx))


def _positioned(
    action: Callable[[Frame], None], node: ast.stmt, ctx: Any
) -> Callable[[Frame], None]:
    """Refusals raised while defining carry the statement's line."""
    line, col = node.lineno, node.col_offset + 1

    def run(frame: Frame) -> None:
        try:
            action(frame)
        except SandboxViolation as refusal:
            if refusal.line is None:
                raise SandboxViolation(f"Line {line}: {refusal}", line=line, col=col) from None
            raise

    return run


def class_statement(compiler: Compiler, node: ast.ClassDef, scope: Scope) -> Stmt:
    from app.sandbox.compiler import Scope, assigned_names

    name = node.name
    qualname = scope.child_prefix() + name  # `train.<locals>.Net` for a class in a function
    bases = compiler.exprs([base for base in node.bases if not _is_object(base)], scope)
    objects = sum(1 for base in node.bases if _is_object(base))
    body_names = assigned_names(node.body)  # `def`s too: `__radd__ = __add__` reads one
    body_scope = Scope("function", body_names, scope, qualname)
    cell_scope = Scope("function", {CLASS_CELL}, scope, qualname)
    # Each entry: how to fill the namespace from the class-body frame and the cell frame.
    fillers: list[Callable[[Frame, Frame], None]] = []
    ctx = compiler.ctx
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef):
            fillers.append(_method(compiler, statement, body_scope, cell_scope, qualname))
        elif isinstance(statement, ast.Assign):
            fillers.append(_assignment(compiler, statement, body_scope))
        # docstrings and `pass` do nothing
    line, col = node.lineno, node.col_offset + 1
    store = compiler.store_name(name, scope)
    lines = {s.name: s.lineno for s in node.body if isinstance(s, ast.FunctionDef)}

    def define(frame: Frame) -> None:
        base_values: list[Any] = [base(frame) for base in bases] + [object] * objects
        namespace: dict[str, Any] = {}
        body_frame = Frame(namespace, frame)
        cell_frame = Frame({CLASS_CELL: None}, frame)
        for fill in fillers:
            fill(body_frame, cell_frame)
        ctx.line, ctx.col = line, col
        try:
            real = classes.make_class(
                name, base_values, namespace, ctx, line, dict(lines), qualname
            )
        except (TypeError, ValueError) as error:
            raise ProgramException(type(error).__name__, str(error), line=line, col=col) from None
        cell_frame.vars[CLASS_CELL] = real
        store(frame, real)

    return compiler._simple(node, scope, [name], define)


def _is_object(base: ast.expr) -> bool:
    return isinstance(base, ast.Name) and base.id == "object"


def _assignment(
    compiler: Compiler, node: ast.Assign, body_scope: Scope
) -> Callable[[Frame, Frame], None]:
    value = compiler.expr(node.value, body_scope)
    names = [target.id for target in node.targets if isinstance(target, ast.Name)]
    tick = compiler.tick()
    line, col = node.lineno, node.col_offset + 1

    def assign(body_frame: Frame, cell_frame: Frame) -> None:
        tick(line, col)
        result = value(body_frame)
        for target in names:
            body_frame.vars[target] = result

    return assign


def _method(
    compiler: Compiler, node: ast.FunctionDef, body_scope: Scope, cell_scope: Scope, owner: str
) -> Callable[[Frame, Frame], None]:
    qualname = f"{owner}.{node.name}"
    parameters, run_body, defaults = _function_parts(compiler, node, cell_scope, qualname, True)
    # Defaults and decorators are evaluated in the class body, as in CPython.
    defaults = compiler.exprs(node.args.defaults, body_scope)
    extras = signatures.compile_extras(compiler, node.args, body_scope)
    decorators = _Decorators(compiler, node, body_scope)
    name = node.name
    ctx = compiler.ctx
    line, col = node.lineno, node.col_offset + 1

    def define(body_frame: Frame, cell_frame: Frame) -> None:
        ctx.line, ctx.col = line, col
        try:
            body, once = decorators.body(body_frame, run_body)
        except SandboxViolation as refusal:
            raise SandboxViolation(f"Line {line}: {refusal}", line=line, col=col) from None
        values = tuple(default(body_frame) for default in defaults)
        function = InterpretedFunction(
            name, qualname, parameters, values, body, cell_frame, ctx, extras(body_frame)
        )
        member: Any = function
        if decorators.kind == "setter":
            assert decorators.property is not None
            member = _with_setter(decorators.property(body_frame), function, *decorators.setter_at)
        elif decorators.kind != "method" or once:
            member = classes.Member(decorators.kind, function, once)
        body_frame.vars[name] = member

    return define


def _with_setter(prop: Any, setter: InterpretedFunction, line: int, col: int) -> classes.Member:
    """`@x.setter`: a new property with x's getter and this setter, as property.setter does."""
    if isinstance(prop, classes.Member) and prop.kind == "property":
        return classes.Member("property", prop.function, setter=setter)
    if isinstance(prop, classes.Member):
        shown = {"static": "staticmethod", "class": "classmethod"}.get(prop.kind, "function")
    else:
        shown = type_name(prop)
    raise ProgramException(
        "AttributeError", f"'{shown}' object has no attribute 'setter'", line=line, col=col
    )


def super_call(compiler: Compiler, node: ast.Call, scope: Scope) -> Expr:
    """`super()` in a method (the class from its cell, the object from its first parameter)
    or `super(Cls, obj)`."""
    line, col = node.lineno, node.col_offset + 1
    if node.args:
        cls_expr, obj_expr = compiler.exprs(node.args, scope)

        def explicit_super(frame: Frame) -> Any:
            cls = cls_expr(frame)
            obj = obj_expr(frame)
            return _super(cls, obj, line, col)

        return explicit_super
    first = getattr(scope, "first_parameter", None)
    kind, hops = scope.resolve(CLASS_CELL)
    if first is None or kind != "free":

        def no_arguments(frame: Frame) -> Any:
            raise ProgramException("RuntimeError", "super(): no arguments", line=line, col=col)

        return no_arguments

    def implicit_super(frame: Frame) -> Any:
        holder = frame
        for _ in range(hops):
            assert holder.parent is not None
            holder = holder.parent
        cls = holder.vars.get(CLASS_CELL)
        if first not in frame.vars:
            raise ProgramException("RuntimeError", "super(): arg[0] deleted", line=line, col=col)
        return _super(cls, frame.vars[first], line, col)

    return implicit_super


def _super(cls: Any, obj: Any, line: int, col: int) -> classes.SuperView:
    if not classes.is_program_class(cls):
        raise ProgramException("TypeError", "super() argument 1 must be a type", line=line, col=col)
    if not (isinstance(obj, cls) or (isinstance(obj, type) and issubclass(obj, cls))):
        raise ProgramException(
            "TypeError",
            "super(type, obj): obj must be an instance or subtype of type",
            line=line,
            col=col,
        )
    return classes.SuperView(cls, obj)
