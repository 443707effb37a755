"""Compiling statements into closures `(frame) -> control`: each one counts its step, runs, and
(capture on) reports to the observer; assignment targets become stores `(frame, value)`."""

from __future__ import annotations

import ast
from collections.abc import Callable
from itertools import islice
from typing import TYPE_CHECKING, Any, cast

import torch

from app.sandbox import class_compiler, signatures
from app.sandbox.compiler.base import (
    BREAK,
    CONTINUE,
    RETURN,
    CompilerBase,
    Expr,
    Stmt,
    Store,
)
from app.sandbox.compiler.positions import position
from app.sandbox.compiler.scopes import Scope, assigned_names, bound_name, target_names
from app.sandbox.errors import ProgramException, SandboxViolation
from app.sandbox.exceptions import (
    catchable,
    check_cause,
    exception_value,
    handler_types,
    raise_value,
)
from app.sandbox.functions import Frame, InterpretedFunction
from app.sandbox.operators import BINARY_SYMBOLS
from app.sandbox.program_errors import to_program_exception
from app.sandbox.python_values import PLAIN_SCALARS, type_name
from app.sandbox.sanitize import sanitize_message
from app.sandbox.surface.values import GradModeContext

if TYPE_CHECKING:
    from app.sandbox.compiler import Compiler

# The surface hands `with` its GradModeContext wrapper around the real torch object.
GRAD_MODE_MANAGERS = (GradModeContext, torch.no_grad, torch.enable_grad, torch.set_grad_enabled)

# Compile methods by node type, filled on first use (the validator admits only known types).
_STATEMENT_METHODS: dict[type[ast.AST], Callable[..., Stmt]] = {}


class StatementCompiler(CompilerBase):
    """Statements, blocks and assignment targets."""

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

    def _notifier(self, line: int, names: list[str], scope: Scope) -> Callable[[], None]:
        """The observer call made after a statement; only asked for when capture is on (its
        cells and the statement's names cost the capture-off compile nothing)."""
        observer = self.observer
        stdout = self.runtime.stdout
        globals_ = self.globals
        names = names if scope.kind == "module" else []
        if not names:

            def notify_none() -> None:
                observer.statement_executed(line, {}, stdout.length)

            return notify_none

        def notify() -> None:
            # A loop, not a dict comprehension (a function object made and called each time).
            bindings = {}
            for name in names:
                if name in globals_:
                    bindings[name] = globals_[name]
            observer.statement_executed(line, bindings, stdout.length)

        return notify

    def stmt(self, node: ast.stmt, scope: Scope) -> Stmt:
        method = _STATEMENT_METHODS.get(type(node))
        if method is None:
            method = _STATEMENT_METHODS[type(node)] = getattr(
                type(self), f"stmt_{type(node).__name__}"
            )
        result: Stmt = method(self, node, scope)
        return result

    def _simple(self, node: ast.stmt, scope: Scope, names: list[str], action: Expr) -> Stmt:
        """A statement that evaluates `action` once: step, run, report."""
        line, col = position(node)
        tick = self.tick()

        if not self.notify:

            def simple(
                frame: Frame,
                tick: Any = tick,
                line: int = line,
                col: int = col,
                action: Expr = action,
            ) -> None:
                tick(line, col)
                action(frame)

            return simple

        notify = self._notifier(line, names, scope)

        def simple_observed(frame: Frame) -> None:
            tick(line, col)
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
        if len(node.targets) == 1 and isinstance(target, ast.Name) and scope.kind == "module":
            if self.notify:
                return self._assign_global_observed(node, target.id, value)
            return self._assign_global_fast(node, target.id, value)
        return self._assign(node, scope, value)

    def _assign(self, node: ast.Assign, scope: Scope, value: Expr) -> Stmt:
        """Any assignment (the closures' cells are made here, not on the fast path)."""
        if len(node.targets) == 1:
            store = self.store(node.targets[0], scope)

            def assign_one(frame: Frame) -> None:
                store(frame, value(frame))

            return self._simple(node, scope, target_names(node.targets), assign_one)
        stores = tuple([self.store(target, scope) for target in node.targets])

        def assign_many(frame: Frame) -> None:
            result = value(frame)
            for store in stores:
                store(frame, result)

        return self._simple(node, scope, target_names(node.targets), assign_many)

    def _assign_global_fast(self, node: ast.stmt, name: str, value: Expr) -> Stmt:
        """`name = value` at top level with capture off: the hottest statement, one closure."""
        line, col = position(node)
        tick = self.tick()
        globals_ = self.globals

        def assign_global(
            frame: Frame,
            tick: Callable[[int, int], None] = tick,
            line: int = line,
            col: int = col,
            globals_: dict[str, Any] = globals_,
            name: str = name,
            value: Expr = value,
        ) -> None:
            tick(line, col)
            globals_[name] = value(frame)

        return assign_global

    def _assign_global_observed(self, node: ast.stmt, name: str, value: Expr) -> Stmt:
        """`name = value` at top level with capture on: what `_simple` with `_notifier` does
        (step, run, report the name's new value), in one closure. The observer's method is
        looked up at each call: `muted()` shadows it on the instance."""
        line, col = position(node)
        tick = self.tick()
        globals_ = self.globals
        observer = self.observer
        stdout = self.runtime.stdout

        def assign_global_observed(frame: Frame) -> None:
            tick(line, col)
            result = value(frame)
            globals_[name] = result
            observer.statement_executed(line, {name: result}, stdout.length)

        return assign_global_observed

    def stmt_AugAssign(self, node: ast.AugAssign, scope: Scope) -> Stmt:
        symbol = BINARY_SYMBOLS[type(node.op)] + "="
        operation = self.runtime.binary(symbol)
        value = self.expr(node.value, scope)
        target = node.target
        line, col = position(node)
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
        return self._simple(node, scope, target_names([target]), action)

    def stmt_Assert(self, node: ast.Assert, scope: Scope) -> Stmt:
        test = self.expr(node.test, scope)
        message = self.expr(node.msg, scope) if node.msg is not None else None
        truth = self.truth_at(node.test, node)
        to_str = self.runtime.to_str
        # The AssertionError is raised where the failed test's jump is (see truth_at).
        line, col = position(node.test if isinstance(node.test, ast.Compare) else node)

        def check(frame: Frame) -> None:
            if not truth(test(frame)):
                text = "" if message is None else to_str(message(frame))
                raise ProgramException("AssertionError", sanitize_message(text), line=line, col=col)

        return self._simple(node, scope, [], check)

    def stmt_Raise(self, node: ast.Raise, scope: Scope) -> Stmt:
        exception = self.expr(node.exc, scope) if node.exc is not None else None
        cause = self.expr(node.cause, scope) if node.cause is not None else None
        line, col = position(node)
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
            handler_line, handler_col = position(handler)
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
            bound = bound_name(alias)
            module = alias.name if alias.asname else alias.name.split(".")[0]
            actions.append((alias.name, self.store_name(bound, scope), module))
        line, col = position(node)

        def do_import(frame: Frame) -> None:
            for dotted, store, module in actions:
                try:
                    surface.import_module(dotted, ctx)
                    store(frame, surface.import_module(module, ctx))
                except Exception as error:
                    raise to_program_exception(error, line, col) from None

        return self._simple(node, scope, [bound_name(alias) for alias in node.names], do_import)

    def stmt_ImportFrom(self, node: ast.ImportFrom, scope: Scope) -> Stmt:
        surface = self.runtime.surface
        ctx = self.ctx
        module = node.module or ""
        imports = [(alias.name, self.store_name(bound_name(alias), scope)) for alias in node.names]
        line, col = position(node)

        def do_import(frame: Frame) -> None:
            try:
                namespace = surface.import_module(module, ctx)
                for name, store in imports:
                    store(frame, surface.get_attribute(namespace, name, ctx))
            except Exception as error:
                raise to_program_exception(error, line, col) from None

        return self._simple(node, scope, [bound_name(alias) for alias in node.names], do_import)

    def stmt_Return(self, node: ast.Return, scope: Scope) -> Stmt:
        value = self.expr(node.value, scope) if node.value is not None else None
        line, col = position(node)
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
        line, col = position(node)
        tick = self.tick()
        notify = self._notifier(line, [], scope) if self.notify else None

        def control(frame: Frame) -> int:
            tick(line, col)
            if notify is not None:
                notify()
            return code

        return control

    def stmt_If(self, node: ast.If, scope: Scope) -> Stmt:
        test = self.expr(node.test, scope)
        truth = self.truth_at(node.test, node)
        body = self.block(node.body, scope)
        orelse = self.block(node.orelse, scope) if node.orelse else None
        line, col = position(node)
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
        line, col = position(node)
        tick = self.tick()

        def while_statement(frame: Frame) -> int | None:
            while True:
                tick(line, col)  # a loop's test runs once per iteration
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
        line, col = position(node)
        # CPython reports a failing iteration at the `for` statement, not at the iterable.
        iter_line, iter_col = line, col
        iterate = self.runtime.iterate
        tick = self.tick()
        observed = self.notify
        notify = self._notifier(line, target_names([node.target]), scope) if observed else None
        # A single top-level name: its binding is the item just stored (no globals lookup).
        single = (
            node.target.id
            if observed and isinstance(node.target, ast.Name) and scope.kind == "module"
            else None
        )
        observer = self.observer
        stdout = self.runtime.stdout

        def for_statement(frame: Frame) -> int | None:
            tick(line, col)
            source = iterable(frame)
            try:
                iterator = iterate(source)
                for item in iterator:
                    tick(line, col)
                    store(frame, item)
                    if observed:
                        if single is not None:
                            observer.statement_executed(line, {single: item}, stdout.length)
                        elif notify is not None:
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
        line, col = position(node)
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
        return class_compiler.class_statement(cast("Compiler", self), node, scope)

    def stmt_FunctionDef(self, node: ast.FunctionDef, scope: Scope) -> Stmt:
        if node.decorator_list:
            return class_compiler.decorated_function(cast("Compiler", self), node, scope)
        parameters = tuple(argument.arg for argument in node.args.args)
        qualname = scope.child_prefix() + node.name
        local = signatures.local_names(node.args) | assigned_names(node.body)
        inner = Scope("function", local, scope, qualname)
        body = self.block(node.body, inner)
        defaults = self.exprs(node.args.defaults, scope)
        extras = signatures.compile_extras(cast("Compiler", self), node.args, scope)
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
        line, col = position(target)
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
