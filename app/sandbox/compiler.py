"""Compile a validated AST once into Python closures; running them runs the program.

No node is dispatched on at run time: each statement becomes a closure `(frame) -> control`
and each expression a closure `(frame) -> value`. Every operation that can raise converts the
real exception into a `ProgramException` at its own position (the innermost expression, as in
CPython's traceback), so enclosing closures let it pass untouched.
"""

from __future__ import annotations

import ast
import builtins as python_builtins
import re
import time
from collections.abc import Callable, Mapping
from itertools import islice
from typing import Any

import torch

from app.sandbox import class_compiler, signatures
from app.sandbox.errors import ProgramException, SandboxViolation
from app.sandbox.exceptions import (
    catchable,
    check_cause,
    exception_value,
    handler_types,
    raise_value,
)
from app.sandbox.functions import Frame, InterpretedFunction
from app.sandbox.program_errors import to_program_exception
from app.sandbox.python_values import PLAIN_SCALARS, type_name
from app.sandbox.runtime import Runtime
from app.sandbox.sanitize import sanitize_message
from app.sandbox.surface.values import GradModeContext

Expr = Callable[[Frame], Any]
Stmt = Callable[[Frame], int | None]
Store = Callable[[Frame, Any], None]

# Control codes a statement returns; None means "go on".
BREAK, CONTINUE, RETURN = 1, 2, 3

# The surface hands `with` its GradModeContext wrapper around the real torch object.
GRAD_MODE_MANAGERS = (GradModeContext, torch.no_grad, torch.enable_grad, torch.set_grad_enabled)

_BINARY_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
}
_COMPARE_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_UNARY_SYMBOLS: dict[type[ast.AST], str] = {ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
_FORMAT_NUMBERS = re.compile(r"\d+")
# CPython's builtin names (a name among them that the playground lacks is refused, not a
# NameError).
_PYTHON_BUILTIN_NAMES = frozenset(dir(python_builtins))
# An isinstance() that never matches: a fast path the site does not have.
_NO_TYPES: tuple[type, ...] = ()


def _escape_non_ascii(text: str) -> str:
    """What CPython's `ascii()` does to a repr: `\\xe9`, `\\u20ac`, `\\U0001f600`."""
    if text.isascii():
        return text
    return text.encode("ascii", "backslashreplace").decode("ascii")


def _position(node: ast.stmt | ast.expr | ast.excepthandler) -> tuple[int, int]:
    # The parser gives every statement and expression a position.
    return node.lineno, node.col_offset + 1


# CPython 3.11 compiles a call with this many arguments or more as a plain call.
_METHOD_CALL_MAX_ARGUMENTS = 30


def _attribute_position(node: ast.Attribute, line: int, col: int) -> tuple[int, int]:
    """Where CPython 3.11 places reading `node` (or calling it as a method) when the code at
    (line, col) starts the expression: at the attribute's name if that sits on a later line,
    as in `(x\n .sum())` (compile.c: update_start_location_to_match_attr)."""
    end_line, end_col = node.end_lineno, node.end_col_offset
    if end_line is None or end_col is None or end_line == line or len(node.attr) > end_col:
        return line, col
    return end_line, end_col - len(node.attr) + 1


_IMPORTS = (ast.Import, ast.ImportFrom)
_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _module_imports(tree: ast.Module) -> frozenset[str]:
    """Names bound by imports in the module's own scope (function bodies excluded).

    Imports are statements, so only statement lists are walked.
    """
    names: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, _IMPORTS):
            for alias in node.names:
                names.add(alias.asname or alias.name.partition(".")[0])
        elif not isinstance(node, _NEW_SCOPES):
            for field in ("body", "orelse", "finalbody", "handlers"):
                pending.extend(getattr(node, field, ()))
    return frozenset(names)


class Scope:
    """Which names a function (or comprehension, or the module) binds, for name resolution."""

    def __init__(self, kind: str, local_names: set[str], parent: Scope | None, qualname: str):
        self.kind = kind
        self.local_names = local_names
        self.parent = parent
        self.qualname = qualname

    def child_prefix(self) -> str:
        return "" if self.kind == "module" else f"{self.qualname}.<locals>."

    def resolve(self, name: str) -> tuple[str, int]:
        """("global", 0), ("local", 0) or ("free", hops to the frame holding the name)."""
        if self.kind == "module":
            return "global", 0
        if name in self.local_names:
            return "local", 0
        hops = 0
        scope: Scope | None = self
        while scope is not None and scope.kind != "module":
            if name in scope.local_names:
                return "free", hops
            scope = scope.parent
            hops += 1
        return "global", 0


def _bound_name(alias: ast.alias) -> str:
    return alias.asname or alias.name.split(".")[0]


def assigned_names(nodes: list[Any]) -> set[str]:
    """Names bound directly in a function body (not in nested functions or comprehensions)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
            stack.extend(node.args.defaults)
            stack.extend(default for default in node.args.kw_defaults if default is not None)
            continue
        elif isinstance(node, ast.ClassDef):  # its body binds the class's names, not ours
            names.add(node.name)
            stack.extend(node.bases)
            continue
        elif isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
            continue
        elif isinstance(node, ast.ListComp | ast.GeneratorExp):
            stack.append(node.generators[0].iter)
            continue
        elif isinstance(node, ast.ExceptHandler) and node.name is not None:
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update(_bound_name(alias) for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return names


# Compile methods by node type, filled on first use (the validator admits only known types).
_STATEMENT_METHODS: dict[type[ast.AST], Callable[..., Stmt]] = {}
_EXPRESSION_METHODS: dict[type[ast.AST], Callable[..., Expr]] = {}


class Compiler:
    """Turns statements and expressions into closures bound to one run's runtime and globals."""

    def __init__(
        self, runtime: Runtime, globals_: dict[str, Any], builtins: Mapping[str, Any]
    ) -> None:
        self.runtime = runtime
        self.ctx = runtime.ctx
        # The module being compiled, and the names it imports (see _call_position; read
        # only for a method call spread over lines, so computed on first use).
        self.tree: ast.Module | None = None
        self.imported: frozenset[str] | None = None
        self.globals = globals_
        self.builtins = builtins
        self.observer = runtime.ctx.observer
        # Capture off: statements skip the observer call entirely (the fast path).
        self.notify = runtime.ctx.reports_ops

    # ----------------------------------------------------------------- steps and statements

    def tick(self) -> Callable[[int, int], None]:
        """Count a step at a position; inlined by hand in the hottest closures."""
        ctx = self.ctx
        max_steps = ctx.limits.steps
        # Read `started` at each step: evaluate() restarts the clock for functions compiled
        # during the run.
        seconds = ctx.limits.seconds
        monotonic = time.monotonic

        def tick(line: int, col: int) -> None:
            ctx.line = line
            ctx.col = col
            ctx.steps += 1
            if ctx.steps > max_steps or monotonic() - ctx.started > seconds:
                ctx.step()

        return tick

    def module(self, tree: ast.Module) -> Stmt:
        scope = Scope("module", set(), None, "")
        self.tree = tree
        self.imported = None
        return self.block(tree.body, scope)

    def _imported(self) -> frozenset[str]:
        if self.imported is None:
            self.imported = frozenset() if self.tree is None else _module_imports(self.tree)
        return self.imported

    def _call_position(self, node: ast.Call) -> tuple[int, int]:
        """Where CPython 3.11 places a call: a method call (`obj.name(...)` with plain
        arguments, `obj` not an imported module) sits where `name` does; see
        _attribute_position. Everything else sits where the call starts."""
        line, col = _position(node)
        method = node.func
        if (
            type(method) is not ast.Attribute
            or method.end_lineno == line  # the common case: nothing to move
            or (type(method.value) is ast.Name and method.value.id in self._imported())
            or _unpacks(node)
            or len(node.args) + len(node.keywords) + bool(node.keywords)
            >= _METHOD_CALL_MAX_ARGUMENTS
        ):
            return line, col
        return _attribute_position(method, line, col)

    def expression(self, tree: ast.Expression) -> Expr:
        return self.expr(tree.body, Scope("module", set(), None, ""))

    def block(self, body: list[ast.stmt], scope: Scope) -> Stmt:
        # Loops rather than comprehensions here and in `exprs`: in CPython 3.11 each
        # comprehension is a function object made and called, on every node compiled.
        compiled: list[Stmt] = []
        for node in body:
            compiled.append(self.stmt(node, scope))
        if len(compiled) == 1:
            return compiled[0]
        statements = tuple(compiled)

        def run_block(frame: Frame) -> int | None:
            for statement in statements:
                control = statement(frame)
                if control is not None:
                    return control
            return None

        return run_block

    def exprs(self, nodes: list[ast.expr], scope: Scope) -> tuple[Expr, ...]:
        """Compile each of `nodes` (arguments, elements, defaults), in order."""
        compiled: list[Expr] = []
        for node in nodes:
            compiled.append(self.expr(node, scope))
        return tuple(compiled)

    def _notifier(self, line: int, names: list[str], scope: Scope) -> Callable[[], None]:
        """The observer call made after a statement; only asked for when capture is on (its
        cells and the statement's names cost the capture-off compile nothing)."""
        observer = self.observer
        stdout = self.runtime.stdout
        globals_ = self.globals
        names = names if scope.kind == "module" else []

        def notify() -> None:
            bindings = {name: globals_[name] for name in names if name in globals_}
            observer.statement_executed(line, bindings, stdout.length)

        return notify

    def stmt(self, node: ast.stmt, scope: Scope) -> Stmt:
        method = _STATEMENT_METHODS.get(type(node))
        if method is None:
            method = _STATEMENT_METHODS[type(node)] = getattr(
                Compiler, f"stmt_{type(node).__name__}"
            )
        result: Stmt = method(self, node, scope)
        return result

    def _simple(self, node: ast.stmt, scope: Scope, names: list[str], action: Expr) -> Stmt:
        """A statement that evaluates `action` once: step, run, report."""
        line, col = _position(node)
        ctx = self.ctx
        max_steps = ctx.limits.steps
        # Read `started` at each step: evaluate() restarts the clock for functions compiled
        # during the run.
        seconds = ctx.limits.seconds
        monotonic = time.monotonic

        if not self.notify:

            def simple(frame: Frame) -> None:
                ctx.line = line
                ctx.col = col
                ctx.steps += 1
                if ctx.steps > max_steps or monotonic() - ctx.started > seconds:
                    ctx.step()
                action(frame)

            return simple

        notify = self._notifier(line, names, scope)

        def simple_observed(frame: Frame) -> None:
            ctx.line = line
            ctx.col = col
            ctx.steps += 1
            if ctx.steps > max_steps or monotonic() - ctx.started > seconds:
                ctx.step()
            action(frame)
            notify()

        return simple_observed

    def stmt_Expr(self, node: ast.Expr, scope: Scope) -> Stmt:
        return self._simple(node, scope, [], self.expr(node.value, scope))

    def stmt_Pass(self, node: ast.Pass, scope: Scope) -> Stmt:
        return self._simple(node, scope, [], lambda frame: None)

    def stmt_Assign(self, node: ast.Assign, scope: Scope) -> Stmt:
        value = self.expr(node.value, scope)
        target = node.targets[0]
        if (
            len(node.targets) == 1
            and isinstance(target, ast.Name)
            and scope.kind == "module"
            and not self.notify
        ):
            return self._assign_global_fast(node, target.id, value)
        return self._assign(node, scope, value)

    def _assign(self, node: ast.Assign, scope: Scope, value: Expr) -> Stmt:
        """Any assignment (the closures' cells are made here, not on the fast path)."""
        if len(node.targets) == 1:
            store = self.store(node.targets[0], scope)

            def assign_one(frame: Frame) -> None:
                store(frame, value(frame))

            return self._simple(node, scope, _target_names(node.targets), assign_one)
        stores = tuple([self.store(target, scope) for target in node.targets])

        def assign_many(frame: Frame) -> None:
            result = value(frame)
            for store in stores:
                store(frame, result)

        return self._simple(node, scope, _target_names(node.targets), assign_many)

    def _assign_global_fast(self, node: ast.stmt, name: str, value: Expr) -> Stmt:
        """`name = value` at top level with capture off: the hottest statement, one closure."""
        line, col = _position(node)
        ctx = self.ctx
        max_steps = ctx.limits.steps
        # Read `started` at each step: evaluate() restarts the clock for functions compiled
        # during the run.
        seconds = ctx.limits.seconds
        monotonic = time.monotonic
        globals_ = self.globals

        def assign_global(frame: Frame) -> None:
            ctx.line = line
            ctx.col = col
            ctx.steps += 1
            if ctx.steps > max_steps or monotonic() - ctx.started > seconds:
                ctx.step()
            globals_[name] = value(frame)

        return assign_global

    def stmt_AugAssign(self, node: ast.AugAssign, scope: Scope) -> Stmt:
        symbol = _BINARY_SYMBOLS[type(node.op)] + "="
        operation = self.runtime.binary(symbol)
        value = self.expr(node.value, scope)
        target = node.target
        line, col = _position(node)
        runtime = self.runtime
        convert = to_program_exception
        action: Expr
        if isinstance(target, ast.Name):
            load = self.load_name(target, scope)
            store = self.store(target, scope)

            def augment_name(frame: Frame) -> None:
                current = load(frame)
                operand = value(frame)
                try:
                    result = operation(current, operand)
                except Exception as error:
                    raise convert(error, line, col) from None
                store(frame, result)

            action = augment_name
        elif isinstance(target, ast.Subscript):
            container = self.expr(target.value, scope)
            key = self.expr(target.slice, scope)

            def augment_item(frame: Frame) -> None:
                obj = container(frame)
                index = key(frame)
                try:
                    current = runtime.get_item(obj, index)
                except Exception as error:
                    raise convert(error, line, col) from None
                operand = value(frame)
                try:
                    runtime.set_item(obj, index, operation(current, operand))
                except Exception as error:
                    raise convert(error, line, col) from None

            action = augment_item
        else:
            assert isinstance(target, ast.Attribute)
            owner = self.expr(target.value, scope)
            attribute = target.attr

            def augment_attribute(frame: Frame) -> None:
                obj = owner(frame)
                try:
                    current = runtime.get_attribute(obj, attribute)
                except Exception as error:
                    raise convert(error, line, col) from None
                operand = value(frame)
                try:
                    runtime.set_attribute(obj, attribute, operation(current, operand))
                except Exception as error:
                    raise convert(error, line, col) from None

            action = augment_attribute
        return self._simple(node, scope, _target_names([target]), action)

    def stmt_Assert(self, node: ast.Assert, scope: Scope) -> Stmt:
        test = self.expr(node.test, scope)
        message = self.expr(node.msg, scope) if node.msg is not None else None
        truth = self.truth_at(node.test, node)
        to_str = self.runtime.to_str
        # The AssertionError is raised where the failed test's jump is (see truth_at).
        line, col = _position(node.test if isinstance(node.test, ast.Compare) else node)

        def check(frame: Frame) -> None:
            if not truth(test(frame)):
                text = "" if message is None else to_str(message(frame))
                raise ProgramException("AssertionError", sanitize_message(text), line=line, col=col)

        return self._simple(node, scope, [], check)

    def stmt_Raise(self, node: ast.Raise, scope: Scope) -> Stmt:
        exception = self.expr(node.exc, scope) if node.exc is not None else None
        cause = self.expr(node.cause, scope) if node.cause is not None else None
        line, col = _position(node)
        tick = self.tick()
        runtime = self.runtime

        def raise_statement(frame: Frame) -> None:
            tick(line, col)
            if exception is None:
                if not runtime.handling:
                    raise ProgramException(
                        "RuntimeError", "No active exception to reraise", line=line, col=col
                    )
                raise runtime.handling[-1]  # the same signal: its first position
            value = exception(frame)
            if cause is not None:
                check_cause(cause(frame), line, col)
            raise raise_value(value, line, col, runtime.to_str, runtime.to_repr)

        return raise_statement

    def stmt_Try(self, node: ast.Try, scope: Scope) -> Stmt:
        body = self.block(node.body, scope)
        orelse = self.block(node.orelse, scope) if node.orelse else None
        final = self.block(node.finalbody, scope) if node.finalbody else None
        handlers: list[tuple[Expr | None, Store | None, str | None, Stmt, int, int]] = []
        for handler in node.handlers:
            kinds = self.expr(handler.type, scope) if handler.type is not None else None
            store = self.store_name(handler.name, scope) if handler.name is not None else None
            handler_line, handler_col = _position(handler)
            handlers.append(
                (
                    kinds,
                    store,
                    handler.name,
                    self.block(handler.body, scope),
                    handler_line,
                    handler_col,
                )
            )
        runtime = self.runtime
        ctx = self.ctx
        module_scope = scope.kind == "module"
        globals_ = self.globals

        def forget(frame: Frame, name: str) -> None:
            # CPython deletes the `as` name when the handler ends (`del e`).
            (globals_ if module_scope else frame.vars).pop(name, None)

        def handle(frame: Frame, signal: ProgramException) -> int | None:
            value = exception_value(signal)
            for kinds, store, name, handler_body, handler_line, handler_col in handlers:
                if kinds is not None:
                    ctx.line = handler_line
                    ctx.col = handler_col
                    try:
                        classes = handler_types(kinds(frame))
                    except Exception as error:
                        raise to_program_exception(error, handler_line, handler_col) from None
                    if not isinstance(value, classes):
                        continue
                runtime.handling.append(signal)
                try:
                    if store is not None:
                        store(frame, value)
                    return handler_body(frame)
                finally:
                    runtime.handling.pop()
                    if name is not None:
                        forget(frame, name)
            raise signal

        def run_handlers(frame: Frame) -> int | None:
            try:
                control = body(frame)
            except ProgramException as signal:
                if not handlers or not catchable(signal):
                    raise
                return handle(frame, signal)
            if control is None and orelse is not None:
                return orelse(frame)
            return control

        if final is None:
            return run_handlers

        def try_finally(frame: Frame) -> int | None:
            # Only the program's own exceptions run `finally` on their way out: any other
            # signal ends the run at once, so a `finally` cannot outlive a limit.
            try:
                control = run_handlers(frame)
            except ProgramException as signal:
                if not catchable(signal):
                    raise
                runtime.handling.append(signal)  # a bare `raise` in finally re-raises it
                try:
                    final_control = final(frame)
                finally:
                    runtime.handling.pop()
                if final_control is not None:
                    return final_control  # `return`/`break` in finally drops the exception
                raise
            final_control = final(frame)
            return final_control if final_control is not None else control

        return try_finally

    def stmt_Import(self, node: ast.Import, scope: Scope) -> Stmt:
        surface = self.runtime.surface
        ctx = self.ctx
        actions: list[tuple[str, Store, str]] = []
        for alias in node.names:
            bound = _bound_name(alias)
            module = alias.name if alias.asname else alias.name.split(".")[0]
            actions.append((alias.name, self.store_name(bound, scope), module))
        line, col = _position(node)

        def do_import(frame: Frame) -> None:
            for dotted, store, module in actions:
                try:
                    surface.import_module(dotted, ctx)
                    store(frame, surface.import_module(module, ctx))
                except Exception as error:
                    raise to_program_exception(error, line, col) from None

        return self._simple(node, scope, [_bound_name(alias) for alias in node.names], do_import)

    def stmt_ImportFrom(self, node: ast.ImportFrom, scope: Scope) -> Stmt:
        surface = self.runtime.surface
        ctx = self.ctx
        module = node.module or ""
        imports = [(alias.name, self.store_name(_bound_name(alias), scope)) for alias in node.names]
        line, col = _position(node)

        def do_import(frame: Frame) -> None:
            try:
                namespace = surface.import_module(module, ctx)
                for name, store in imports:
                    store(frame, surface.get_attribute(namespace, name, ctx))
            except Exception as error:
                raise to_program_exception(error, line, col) from None

        return self._simple(node, scope, [_bound_name(alias) for alias in node.names], do_import)

    def stmt_Return(self, node: ast.Return, scope: Scope) -> Stmt:
        value = self.expr(node.value, scope) if node.value is not None else None
        line, col = _position(node)
        tick = self.tick()
        notify = self._notifier(line, [], scope) if self.notify else None

        def do_return(frame: Frame) -> int:
            tick(line, col)
            frame.retval = None if value is None else value(frame)
            if notify is not None:
                notify()
            return RETURN

        return do_return

    def stmt_Break(self, node: ast.Break, scope: Scope) -> Stmt:
        return self._control(node, scope, BREAK)

    def stmt_Continue(self, node: ast.Continue, scope: Scope) -> Stmt:
        return self._control(node, scope, CONTINUE)

    def _control(self, node: ast.stmt, scope: Scope, code: int) -> Stmt:
        line, col = _position(node)
        tick = self.tick()
        notify = self._notifier(line, [], scope) if self.notify else None

        def control(frame: Frame) -> int:
            tick(line, col)
            if notify is not None:
                notify()
            return code

        return control

    def truth_at(self, test: ast.expr, owner: ast.stmt | ast.expr) -> Callable[[Any], bool]:
        """Truth of `test`'s value, errors (a multi-element tensor) reported where CPython does.

        CPython's conditional jump carries the position of the construct that owns the test
        (`if`, `while`, `assert`, `x if c else y`, `and`, `not`, a comprehension), except after
        a comparison, whose jump is fused with it and reported at the comparison.
        """
        truth = self.runtime.truth
        tensor_truth = self.runtime.surface.truth
        tensor_type = torch.Tensor
        ctx = self.ctx
        line, col = _position(test if isinstance(test, ast.Compare) else owner)

        def truth_here(value: Any) -> bool:
            if value is True:
                return True
            if value is False:
                return False
            try:
                if isinstance(value, tensor_type):  # `while y.norm() < 1000:`
                    return tensor_truth(value, ctx)
                return truth(value)
            except Exception as error:
                raise to_program_exception(error, line, col) from None

        return truth_here

    def stmt_If(self, node: ast.If, scope: Scope) -> Stmt:
        test = self.expr(node.test, scope)
        truth = self.truth_at(node.test, node)
        body = self.block(node.body, scope)
        orelse = self.block(node.orelse, scope) if node.orelse else None
        line, col = _position(node)
        tick = self.tick()

        def if_statement(frame: Frame) -> int | None:
            tick(line, col)
            if truth(test(frame)):
                return body(frame)
            if orelse is not None:
                return orelse(frame)
            return None

        return if_statement

    def stmt_While(self, node: ast.While, scope: Scope) -> Stmt:
        test = self.expr(node.test, scope)
        truth = self.truth_at(node.test, node)
        body = self.block(node.body, scope)
        orelse = self.block(node.orelse, scope) if node.orelse else None
        line, col = _position(node)
        ctx = self.ctx
        max_steps = ctx.limits.steps
        seconds = ctx.limits.seconds
        monotonic = time.monotonic

        def while_statement(frame: Frame) -> int | None:
            while True:
                # tick(line, col), inlined: a loop's test runs once per iteration.
                ctx.line = line
                ctx.col = col
                ctx.steps += 1
                if ctx.steps > max_steps or monotonic() - ctx.started > seconds:
                    ctx.step()
                if not truth(test(frame)):
                    break
                control = body(frame)
                if control is not None:
                    if control == BREAK:
                        return None
                    if control == RETURN:
                        return control
            return orelse(frame) if orelse is not None else None

        return while_statement

    def stmt_For(self, node: ast.For, scope: Scope) -> Stmt:
        iterable = self.expr(node.iter, scope)
        store = self.store(node.target, scope)
        body = self.block(node.body, scope)
        orelse = self.block(node.orelse, scope) if node.orelse else None
        line, col = _position(node)
        # CPython reports a failing iteration at the `for` statement, not at the iterable.
        iter_line, iter_col = line, col
        ctx = self.ctx
        max_steps = ctx.limits.steps
        # Read `started` at each step: evaluate() restarts the clock for functions compiled
        # during the run.
        seconds = ctx.limits.seconds
        monotonic = time.monotonic
        iterate = self.runtime.iterate
        tick = self.tick()
        notify = self._notifier(line, _target_names([node.target]), scope) if self.notify else None

        def for_statement(frame: Frame) -> int | None:
            tick(line, col)
            source = iterable(frame)
            try:
                iterator = iterate(source)
                for item in iterator:
                    ctx.line = line
                    ctx.col = col
                    ctx.steps += 1
                    if ctx.steps > max_steps or monotonic() - ctx.started > seconds:
                        ctx.step()
                    store(frame, item)
                    if notify is not None:
                        notify()
                    control = body(frame)
                    if control is not None:
                        if control == BREAK:
                            return None
                        if control == RETURN:
                            return control
            except Exception as error:
                raise to_program_exception(error, iter_line, iter_col) from None
            return orelse(frame) if orelse is not None else None

        return for_statement

    def stmt_With(self, node: ast.With, scope: Scope) -> Stmt:
        managers = [self.expr(item.context_expr, scope) for item in node.items]
        body = self.block(node.body, scope)
        line, col = _position(node)
        tick = self.tick()

        def enter(frame: Frame, index: int) -> int | None:
            if index == len(managers):
                return body(frame)
            manager = managers[index](frame)
            if not isinstance(manager, GRAD_MODE_MANAGERS):
                raise SandboxViolation(
                    f"Line {line}: 'with' is only supported for torch.no_grad(), "
                    "torch.enable_grad() and torch.set_grad_enabled(flag).",
                    line=line,
                    col=col,
                )
            with manager:
                return enter(frame, index + 1)

        def with_statement(frame: Frame) -> int | None:
            tick(line, col)
            return enter(frame, 0)

        return with_statement

    def stmt_ClassDef(self, node: ast.ClassDef, scope: Scope) -> Stmt:
        return class_compiler.class_statement(self, node, scope)

    def stmt_FunctionDef(self, node: ast.FunctionDef, scope: Scope) -> Stmt:
        if node.decorator_list:
            return class_compiler.decorated_function(self, node, scope)
        parameters = tuple(argument.arg for argument in node.args.args)
        qualname = scope.child_prefix() + node.name
        local = signatures.local_names(node.args) | assigned_names(node.body)
        inner = Scope("function", local, scope, qualname)
        body = self.block(node.body, inner)
        defaults = self.exprs(node.args.defaults, scope)
        extras = signatures.compile_extras(self, node.args, scope)
        store = self.store_name(node.name, scope)
        name = node.name
        ctx = self.ctx

        def run_body(frame: Frame) -> Any:
            return frame.retval if body(frame) == RETURN else None

        def define(frame: Frame) -> None:
            values = tuple(default(frame) for default in defaults)
            function = InterpretedFunction(
                name, qualname, parameters, values, run_body, frame, ctx, extras(frame)
            )
            store(frame, function)

        return self._simple(node, scope, [name], define)

    # ------------------------------------------------------------------------- targets

    def store_name(self, name: str, scope: Scope) -> Store:
        if scope.kind == "module":
            globals_ = self.globals

            def store_global(frame: Frame, value: Any) -> None:
                globals_[name] = value

            return store_global

        def store_local(frame: Frame, value: Any) -> None:
            frame.vars[name] = value

        return store_local

    def store(self, target: ast.expr, scope: Scope) -> Store:
        line, col = _position(target)
        runtime = self.runtime
        convert = to_program_exception
        if isinstance(target, ast.Name):
            return self.store_name(target.id, scope)
        if isinstance(target, ast.Tuple | ast.List):
            stores = tuple(self.store(element, scope) for element in target.elts)
            expected = len(stores)
            iterate = runtime.iterate

            def unpack(frame: Frame, value: Any) -> None:
                if type(value) is tuple or type(value) is list:
                    items = value
                else:
                    try:
                        items = list(islice(iterate(value), expected + 1))
                    except TypeError as not_iterable:
                        error: Exception = not_iterable
                        if type(value) in PLAIN_SCALARS or isinstance(value, InterpretedFunction):
                            error = TypeError(
                                f"cannot unpack non-iterable {type_name(value)} object"
                            )
                        raise convert(error, line, col) from None
                    except Exception as error:
                        raise convert(error, line, col) from None
                if len(items) != expected:
                    if len(items) > expected:
                        message = f"too many values to unpack (expected {expected})"
                    else:
                        message = (
                            f"not enough values to unpack (expected {expected}, got {len(items)})"
                        )
                    raise ProgramException("ValueError", message, line=line, col=col)
                for store, item in zip(stores, items, strict=True):
                    store(frame, item)

            return unpack
        if isinstance(target, ast.Subscript):
            container = self.expr(target.value, scope)
            key = self.expr(target.slice, scope)

            def store_item(frame: Frame, value: Any) -> None:
                obj = container(frame)
                index = key(frame)
                try:
                    runtime.set_item(obj, index, value)
                except Exception as error:
                    raise convert(error, line, col) from None

            return store_item
        assert isinstance(target, ast.Attribute)
        owner = self.expr(target.value, scope)
        attribute = target.attr

        def store_attribute(frame: Frame, value: Any) -> None:
            obj = owner(frame)
            try:
                runtime.set_attribute(obj, attribute, value)
            except Exception as error:
                raise convert(error, line, col) from None

        return store_attribute

    # --------------------------------------------------------------------- expressions

    def expr(self, node: ast.expr, scope: Scope) -> Expr:
        method = _EXPRESSION_METHODS.get(type(node))
        if method is None:
            method = _EXPRESSION_METHODS[type(node)] = getattr(
                Compiler, f"expr_{type(node).__name__}"
            )
        result: Expr = method(self, node, scope)
        return result

    def expr_Constant(self, node: ast.Constant, scope: Scope) -> Expr:
        value = node.value

        def constant(frame: Frame) -> Any:
            return value

        return constant

    def load_name(self, node: ast.Name, scope: Scope) -> Expr:
        name = node.id
        line, col = _position(node)
        kind, hops = scope.resolve(name)
        if kind == "global":
            globals_ = self.globals
            builtins = self.builtins

            def load_global(frame: Frame) -> Any:
                try:
                    return globals_[name]
                except KeyError:
                    pass
                try:
                    return builtins[name]
                except KeyError:
                    if name in _PYTHON_BUILTIN_NAMES:
                        # A builtin of CPython the playground does not offer: say so, rather
                        # than a NameError that suggests a typo.
                        raise SandboxViolation(
                            f"Line {line}: the builtin '{name}' is not available in the "
                            "playground.",
                            line=line,
                            col=col,
                        ) from None
                    raise ProgramException(
                        "NameError", f"name '{name}' is not defined", line=line, col=col
                    ) from None

            return load_global
        if kind == "local":

            def load_local(frame: Frame) -> Any:
                try:
                    return frame.vars[name]
                except KeyError:
                    raise ProgramException(
                        "UnboundLocalError",
                        f"cannot access local variable '{name}' where it is not associated "
                        "with a value",
                        line=line,
                        col=col,
                    ) from None

            return load_local

        def load_free(frame: Frame) -> Any:
            holder = frame
            for _ in range(hops):
                assert holder.parent is not None
                holder = holder.parent
            try:
                return holder.vars[name]
            except KeyError:
                raise ProgramException(
                    "NameError",
                    f"cannot access free variable '{name}' where it is not associated with a "
                    "value in enclosing scope",
                    line=line,
                    col=col,
                ) from None

        return load_free

    expr_Name = load_name  # the most frequent node: no call in between

    def expr_BinOp(self, node: ast.BinOp, scope: Scope) -> Expr:
        symbol = _BINARY_SYMBOLS[type(node.op)]
        return self._operator(node, symbol, self.expr(node.left, scope), node.right, scope)

    def _operator(
        self, node: ast.expr, symbol: str, left: Expr, right_node: ast.expr, scope: Scope
    ) -> Expr:
        """`left symbol right` (arithmetic or one comparison). With a tensor on either side it
        calls the surface's operator for `symbol` directly, as the generic path would end up
        doing; anything else takes the runtime's generic path."""
        operation = self.runtime.binary(symbol)
        on_tensor = self.runtime.surface.tensor_operator(symbol)
        if symbol == "%":
            on_tensor = _string_formats_first(on_tensor, operation)
        tensor_type = torch.Tensor
        line, col = _position(node)
        ctx = self.ctx
        convert = to_program_exception
        if isinstance(right_node, ast.Constant):
            constant = right_node.value
            if type(constant) in PLAIN_SCALARS:  # never a tensor: only the left side can be

                def binary_constant(frame: Frame) -> Any:
                    a = left(frame)
                    ctx.line = line
                    ctx.col = col
                    try:
                        if isinstance(a, tensor_type):
                            return on_tensor(a, constant, ctx)
                        return operation(a, constant)
                    except Exception as error:
                        raise convert(error, line, col) from None

                return binary_constant
        right = self.expr(right_node, scope)

        def binary(frame: Frame) -> Any:
            a = left(frame)
            b = right(frame)
            ctx.line = line
            ctx.col = col
            try:
                if isinstance(a, tensor_type) or isinstance(b, tensor_type):
                    return on_tensor(a, b, ctx)
                return operation(a, b)
            except Exception as error:
                raise convert(error, line, col) from None

        return binary

    def expr_UnaryOp(self, node: ast.UnaryOp, scope: Scope) -> Expr:
        operand = self.expr(node.operand, scope)
        line, col = _position(node)
        ctx = self.ctx
        if isinstance(node.op, ast.Not):
            truth = self.truth_at(node.operand, node)

            def negation(frame: Frame) -> Any:
                return not truth(operand(frame))

            return negation
        operation = self.runtime.unary(_UNARY_SYMBOLS[type(node.op)])

        def unary(frame: Frame) -> Any:
            value = operand(frame)
            ctx.line = line
            ctx.col = col
            try:
                return operation(value)
            except Exception as error:
                raise to_program_exception(error, line, col) from None

        return unary

    def expr_BoolOp(self, node: ast.BoolOp, scope: Scope) -> Expr:
        operands = [(self.expr(value, scope), self.truth_at(value, node)) for value in node.values]
        last = operands[-1][0]
        leading = operands[:-1]
        stop_when = isinstance(node.op, ast.Or)

        def boolean(frame: Frame) -> Any:
            for operand, truth in leading:
                value = operand(frame)
                if truth(value) is stop_when:
                    return value
            return last(frame)

        return boolean

    def expr_IfExp(self, node: ast.IfExp, scope: Scope) -> Expr:
        test = self.expr(node.test, scope)
        truth = self.truth_at(node.test, node)
        body = self.expr(node.body, scope)
        orelse = self.expr(node.orelse, scope)

        def conditional(frame: Frame) -> Any:
            return body(frame) if truth(test(frame)) else orelse(frame)

        return conditional

    def expr_Compare(self, node: ast.Compare, scope: Scope) -> Expr:
        first = self.expr(node.left, scope)
        if len(node.ops) == 1 and type(node.ops[0]) in _COMPARE_SYMBOLS:
            symbol = _COMPARE_SYMBOLS[type(node.ops[0])]
            return self._operator(node, symbol, first, node.comparators[0], scope)
        steps: list[tuple[Callable[[Any, Any], Any], Expr]] = []
        for operator_node, comparator in zip(node.ops, node.comparators, strict=True):
            steps.append((self._comparison(operator_node), self.expr(comparator, scope)))
        truth = self.truth_at(node, node)
        line, col = _position(node)
        ctx = self.ctx
        convert = to_program_exception
        if len(steps) == 1:
            compare, second = steps[0]

            def compare_one(frame: Frame) -> Any:
                a = first(frame)
                b = second(frame)
                ctx.line = line
                ctx.col = col
                try:
                    return compare(a, b)
                except Exception as error:
                    raise convert(error, line, col) from None

            return compare_one

        def compare_chain(frame: Frame) -> Any:
            left = first(frame)
            result: Any = True
            for index, (compare, right_expr) in enumerate(steps):
                right = right_expr(frame)
                ctx.line = line
                ctx.col = col
                try:
                    result = compare(left, right)
                except Exception as error:
                    raise convert(error, line, col) from None
                if index < len(steps) - 1 and not truth(result):
                    return result
                left = right
            return result

        return compare_chain

    def _comparison(self, node: ast.cmpop) -> Callable[[Any, Any], Any]:
        if isinstance(node, ast.Is):
            return lambda a, b: a is b
        if isinstance(node, ast.IsNot):
            return lambda a, b: a is not b
        if isinstance(node, ast.In | ast.NotIn):
            negate = isinstance(node, ast.NotIn)

            runtime_contains = self.runtime.contains

            def contains(item: Any, container: Any) -> bool:
                return runtime_contains(item, container) is not negate

            return contains
        return self.runtime.binary(_COMPARE_SYMBOLS[type(node)])

    def expr_Call(self, node: ast.Call, scope: Scope) -> Expr:
        method = node.func
        if type(method) is ast.Name and method.id == "super":  # the validator placed it
            return class_compiler.super_call(self, node, scope)
        if type(method) is ast.Attribute:
            tensor_method = self.runtime.surface.tensor_method(method.attr)
            if tensor_method is not None and not _unpacks(node):
                return self._tensor_method_call(node, method, tensor_method, scope)
        # The closures are made by helpers: a function's cells are all created on entry, and
        # each kind of call needs only its own.
        function = self.expr(method, scope)
        line, col = self._call_position(node)
        if not node.keywords and not _unpacks(node):
            return self._positional_call(function, self.exprs(node.args, scope), line, col)
        return self._general_call(node, function, line, col, scope)

    def _positional_call(
        self, function: Expr, arguments: tuple[Expr, ...], line: int, col: int
    ) -> Expr:
        """`f(a, b)`: no keywords, nothing unpacked."""
        call = self.runtime.call
        ctx = self.ctx
        convert = to_program_exception

        def call_positional(frame: Frame) -> Any:
            callee = function(frame)
            values = [argument(frame) for argument in arguments]
            ctx.line = line
            ctx.col = col
            try:
                return call(callee, values, {})
            except Exception as error:
                raise convert(error, line, col) from None

        return call_positional

    def _general_call(
        self, node: ast.Call, function: Expr, line: int, col: int, scope: Scope
    ) -> Expr:
        """`f(*args, key=value, **kwargs)`: any call."""
        positional: list[tuple[bool, Expr]] = []
        for argument in node.args:
            starred = isinstance(argument, ast.Starred)
            positional.append((starred, self.expr(_unstar(argument), scope)))
        keywords: list[tuple[str | None, Expr]] = []  # None: `**mapping`
        for keyword in node.keywords:
            keywords.append((keyword.arg, self.expr(keyword.value, scope)))
        unpacks = any(keyword.arg is None for keyword in node.keywords)
        call = self.runtime.call
        ctx = self.ctx
        convert = to_program_exception
        runtime = self.runtime

        def call_general(frame: Frame) -> Any:
            callee = function(frame)
            values: list[Any] = []
            for starred, argument in positional:
                if starred:
                    value = argument(frame)
                    try:
                        values.extend(signatures.star_arguments(callee, value, runtime))
                    except Exception as error:
                        raise convert(error, line, col) from None
                else:
                    values.append(argument(frame))
            if unpacks:
                named = signatures.call_keywords(callee, keywords, frame, ctx, line, col)
            else:
                named = {name: value(frame) for name, value in keywords}  # type: ignore[misc]
            ctx.line = line
            ctx.col = col
            try:
                return call(callee, values, named)
            except Exception as error:
                raise convert(error, line, col) from None

        return call_general

    def _tensor_method_call(
        self,
        node: ast.Call,
        method: ast.Attribute,
        tensor_method: Callable[..., Any],
        scope: Scope,
    ) -> Expr:
        """`obj.name(args)` where `name` is an allowed tensor method: on a tensor, call the method
        through the surface directly (no bound method object per call); on anything else, read
        the attribute and call it as `expr_Call` does. Positions, checks, costs and errors are
        those of reading the attribute and then calling it."""
        owner = self.expr(method.value, scope)
        name = method.attr
        arguments = self.exprs(node.args, scope)
        named_values: list[tuple[str, Expr]] = []
        for keyword in node.keywords:
            if keyword.arg is not None:  # `**mapping` does not come here
                named_values.append((keyword.arg, self.expr(keyword.value, scope)))
        keywords = tuple(named_values)
        get_attribute = self.runtime.get_attribute
        call = self.runtime.call
        attribute_line, attribute_col = _position(method)
        if method.end_lineno != attribute_line:  # rare: spread over lines
            attribute_line, attribute_col = _attribute_position(
                method, attribute_line, attribute_col
            )
        line, col = self._call_position(node)
        ctx = self.ctx
        convert = to_program_exception
        tensor_type = torch.Tensor

        def call_method(frame: Frame) -> Any:
            receiver = owner(frame)
            if isinstance(receiver, tensor_type):
                # The allow-list admits `name` on every tensor: nothing to refuse before the
                # arguments are evaluated.
                ctx.line = attribute_line
                ctx.col = attribute_col
                # `x.sum()` is the common case: skip building the (3.11) comprehensions.
                values = [argument(frame) for argument in arguments] if arguments else []
                named = {keyword: value(frame) for keyword, value in keywords} if keywords else {}
                ctx.line = line
                ctx.col = col
                try:
                    return tensor_method(receiver, values, named, ctx)
                except Exception as error:
                    raise convert(error, line, col) from None
            ctx.line = attribute_line
            ctx.col = attribute_col
            try:
                callee = get_attribute(receiver, name)
            except Exception as error:
                raise convert(error, attribute_line, attribute_col) from None
            values = [argument(frame) for argument in arguments] if arguments else []
            named = {keyword: value(frame) for keyword, value in keywords} if keywords else {}
            ctx.line = line
            ctx.col = col
            try:
                return call(callee, values, named)
            except Exception as error:
                raise convert(error, line, col) from None

        return call_method

    def expr_Attribute(self, node: ast.Attribute, scope: Scope) -> Expr:
        owner = self.expr(node.value, scope)
        name = node.attr
        get_attribute = self.runtime.get_attribute
        line, col = _position(node)
        if node.end_lineno != line:  # rare: spread over lines
            line, col = _attribute_position(node, line, col)
        ctx = self.ctx
        # `y.data`, `x.grad`: a tensor's data attribute is read through the surface directly;
        # methods, `grad_fn`, `T` and refused names take the generic path.
        on_tensor = self.runtime.surface.tensor_attribute(name, self.ctx)
        tensor_type = torch.Tensor if on_tensor is not None else _NO_TYPES

        def attribute(frame: Frame) -> Any:
            value = owner(frame)
            ctx.line = line
            ctx.col = col
            try:
                if isinstance(value, tensor_type):
                    return on_tensor(value)
                return get_attribute(value, name)
            except Exception as error:
                raise to_program_exception(error, line, col) from None

        return attribute

    def expr_Subscript(self, node: ast.Subscript, scope: Scope) -> Expr:
        container = self.expr(node.value, scope)
        key = self.expr(node.slice, scope)
        get_item = self.runtime.get_item
        line, col = _position(node)
        ctx = self.ctx

        def subscript(frame: Frame) -> Any:
            value = container(frame)
            index = key(frame)
            ctx.line = line
            ctx.col = col
            try:
                return get_item(value, index)
            except Exception as error:
                raise to_program_exception(error, line, col) from None

        return subscript

    def expr_Slice(self, node: ast.Slice, scope: Scope) -> Expr:
        parts = [
            self.expr(part, scope) if part is not None else None
            for part in (node.lower, node.upper, node.step)
        ]
        lower, upper, step = parts

        def make_slice(frame: Frame) -> slice:
            return slice(
                lower(frame) if lower is not None else None,
                upper(frame) if upper is not None else None,
                step(frame) if step is not None else None,
            )

        return make_slice

    def expr_Tuple(self, node: ast.Tuple, scope: Scope) -> Expr:
        elements = self.exprs(node.elts, scope)

        def make_tuple(frame: Frame) -> tuple[Any, ...]:
            return tuple([element(frame) for element in elements])

        return make_tuple

    def expr_List(self, node: ast.List, scope: Scope) -> Expr:
        elements = self.exprs(node.elts, scope)

        def make_list(frame: Frame) -> list[Any]:
            return [element(frame) for element in elements]

        return make_list

    def expr_Dict(self, node: ast.Dict, scope: Scope) -> Expr:
        pairs = [
            (self.expr(key, scope), self.expr(value, scope))
            for key, value in zip(node.keys, node.values, strict=True)
            if key is not None
        ]
        line, col = _position(node)

        def make_dict(frame: Frame) -> dict[Any, Any]:
            result: dict[Any, Any] = {}
            for key, value in pairs:
                k = key(frame)
                v = value(frame)
                try:
                    result[k] = v
                except Exception as error:
                    raise to_program_exception(error, line, col) from None
            return result

        return make_dict

    def expr_Lambda(self, node: ast.Lambda, scope: Scope) -> Expr:
        parameters = tuple(argument.arg for argument in node.args.args)
        qualname = scope.child_prefix() + "<lambda>"
        inner = Scope("function", signatures.local_names(node.args), scope, qualname)
        body = self.expr(node.body, inner)
        defaults = self.exprs(node.args.defaults, scope)
        extras = signatures.compile_extras(self, node.args, scope)
        ctx = self.ctx

        def make_lambda(frame: Frame) -> InterpretedFunction:
            values = tuple(default(frame) for default in defaults)
            return InterpretedFunction(
                "<lambda>", qualname, parameters, values, body, frame, ctx, extras(frame)
            )

        return make_lambda

    def expr_ListComp(self, node: ast.ListComp, scope: Scope) -> Expr:
        targets: list[Any] = [generator.target for generator in node.generators]
        qualname = scope.child_prefix() + "<listcomp>"
        inner = Scope("comprehension", assigned_names(targets), scope, qualname)
        first_iterable = self.expr(node.generators[0].iter, scope)
        levels = []
        for index, generator in enumerate(node.generators):
            iterable = self.expr(generator.iter, inner) if index else first_iterable
            conditions = tuple(
                (self.expr(condition, inner), self.truth_at(condition, node))
                for condition in generator.ifs
            )
            store = self.store(generator.target, inner)
            # CPython reports a failing iteration at the comprehension's opening bracket.
            levels.append((iterable, store, conditions, _position(node)))
        element = self.expr(node.elt, inner)
        ctx = self.ctx
        iterate = self.runtime.iterate
        tick = self.tick()
        line, col = _position(node)
        limit = ctx.limits.list_length
        depth = len(levels)

        def run_level(frame: Frame, level: int, source: Any, out: list[Any]) -> None:
            _, store, conditions, (iter_line, iter_col) = levels[level]
            try:
                for item in iterate(source):
                    tick(line, col)
                    store(frame, item)
                    if any(not truth(condition(frame)) for condition, truth in conditions):
                        continue
                    if level + 1 == depth:
                        out.append(element(frame))
                        if len(out) > limit:
                            raise ctx.limit_exceeded(
                                "list_length", f"A list would have more than {limit:,} items."
                            )
                    else:
                        run_level(frame, level + 1, levels[level + 1][0](frame), out)
            except Exception as error:
                raise to_program_exception(error, iter_line, iter_col) from None

        def comprehension(frame: Frame) -> list[Any]:
            source = first_iterable(frame)
            out: list[Any] = []
            run_level(Frame({}, frame), 0, source, out)
            return out

        return comprehension

    def expr_GeneratorExp(self, node: ast.GeneratorExp, scope: Scope) -> Expr:
        """A lazy generator, as in CPython: the first iterable is evaluated (and iter() called
        on it) where the expression stands; each item costs a step when it is produced, and the
        consumer's own limits bound how many are taken."""
        targets: list[Any] = [generator.target for generator in node.generators]
        qualname = scope.child_prefix() + "<genexpr>"
        inner = Scope("comprehension", assigned_names(targets), scope, qualname)
        first_iterable = self.expr(node.generators[0].iter, scope)
        levels = []
        for index, generator in enumerate(node.generators):
            iterable = self.expr(generator.iter, inner) if index else first_iterable
            conditions = tuple(
                (self.expr(condition, inner), self.truth_at(condition, node))
                for condition in generator.ifs
            )
            levels.append((iterable, self.store(generator.target, inner), conditions))
        element = self.expr(node.elt, inner)
        iterate = self.runtime.iterate
        tick = self.tick()
        line, col = _position(node)
        depth = len(levels)

        def produce(frame: Frame, level: int, iterator: Any) -> Any:
            _, store, conditions = levels[level]
            while True:
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                except Exception as error:
                    raise to_program_exception(error, line, col) from None
                tick(line, col)
                store(frame, item)
                if any(not truth(condition(frame)) for condition, truth in conditions):
                    continue
                if level + 1 == depth:
                    yield element(frame)
                else:
                    source = levels[level + 1][0](frame)
                    try:
                        inner_iterator = iterate(source)
                    except Exception as error:
                        raise to_program_exception(error, line, col) from None
                    yield from produce(frame, level + 1, inner_iterator)

        produce.__qualname__ = produce.__name__ = "<genexpr>"

        def generator_expression(frame: Frame) -> Any:
            source = first_iterable(frame)
            try:
                iterator = iterate(source)
            except Exception as error:
                raise to_program_exception(error, line, col) from None
            return produce(Frame({}, frame), 0, iterator)

        return generator_expression

    def expr_Set(self, node: ast.Set, scope: Scope) -> Expr:
        elements = self.exprs(node.elts, scope)
        line, col = _position(node)

        def make_set(frame: Frame) -> set[Any]:
            values = [element(frame) for element in elements]
            try:
                return set(values)
            except Exception as error:
                raise to_program_exception(error, line, col) from None

        return make_set

    def expr_JoinedStr(self, node: ast.JoinedStr, scope: Scope) -> Expr:
        parts = self.exprs(node.values, scope)
        ctx = self.ctx
        limit = ctx.limits.str_length

        def joined(frame: Frame) -> str:
            pieces = [part(frame) for part in parts]
            if sum(len(piece) for piece in pieces) > limit:
                raise ctx.limit_exceeded(
                    "str_length", f"An f-string would be longer than {limit:,} characters."
                )
            return "".join(pieces)

        return joined

    def expr_FormattedValue(self, node: ast.FormattedValue, scope: Scope) -> Expr:
        value = self.expr(node.value, scope)
        spec = self.expr(node.format_spec, scope) if node.format_spec is not None else None
        conversion = node.conversion
        runtime = self.runtime
        ctx = self.ctx
        line, col = _position(node)
        limit = ctx.limits.str_length

        def format_field(frame: Frame) -> str:
            result = value(frame)
            specification = "" if spec is None else spec(frame)
            ctx.line = line
            ctx.col = col
            try:
                if conversion == ord("s"):
                    result = runtime.to_str(result)
                elif conversion == ord("r"):
                    result = runtime.to_repr(result)
                elif conversion == ord("a"):
                    # CPython's ascii(): the repr with non-ASCII characters escaped (calling
                    # ascii() on the repr would quote it a second time).
                    result = _escape_non_ascii(runtime.to_repr(result))
                kind = type(result)
                if not specification and kind is not str and runtime.is_surface(result):
                    # torch decides: a 0-d tensor formats as its item, `f"{loss}"` -> 0.25.
                    formatted_plain: str = runtime.surface.format_value(result, "", ctx)
                    return formatted_plain
                if not specification:
                    return runtime.to_str(result)
                for number in _FORMAT_NUMBERS.findall(specification):
                    if len(number) > 9 or int(number) > limit:
                        raise ctx.limit_exceeded(
                            "str_length",
                            f"The format width or precision {number[:12]} is larger than the "
                            f"allowed {limit:,}.",
                        )
                if kind in PLAIN_SCALARS or kind in (list, tuple, dict, range):
                    return format(result, specification)
                if runtime.is_surface(result):
                    formatted: str = runtime.surface.format_value(result, specification, ctx)
                    return formatted
                raise TypeError(
                    f"unsupported format string passed to {type_name(result)}.__format__"
                )
            except Exception as error:
                raise to_program_exception(error, line, col) from None

        return format_field


def _string_formats_first(
    on_tensor: Callable[[Any, Any, Any], Any], operation: Callable[[Any, Any], Any]
) -> Callable[[Any, Any, Any], Any]:
    """`'%.3f' % tensor` is str formatting, not the tensor's remainder (str's % goes first)."""

    def modulo(left: Any, right: Any, ctx: Any) -> Any:
        if type(left) is str:
            return operation(left, right)
        return on_tensor(left, right, ctx)

    return modulo


def _unpacks(node: ast.Call) -> bool:
    """True for `f(*args)` and `f(**kwargs)`."""
    for argument in node.args:
        if type(argument) is ast.Starred:
            return True
    # Most calls have no keywords: no generator made for them.
    return bool(node.keywords) and any(keyword.arg is None for keyword in node.keywords)


def _unstar(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Starred) else node


def _target_names(targets: list[ast.expr]) -> list[str]:
    """Top-level names a statement binds or changes (`x[0] = 1` changes x)."""
    names: list[str] = []
    stack = list(reversed(targets))
    while stack:
        target = stack.pop()
        if isinstance(target, ast.Name):
            if target.id not in names:
                names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            stack.extend(reversed(target.elts))
        elif isinstance(target, ast.Subscript | ast.Attribute):
            stack.append(target.value)
    return names
