"""Compiling expressions into closures `(frame) -> value`: names, operators, calls, attributes,
subscripts, displays, lambdas, comprehensions and f-strings. Each operation that can raise
converts the real exception at its own position."""

from __future__ import annotations

import ast
import builtins as python_builtins
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import torch

from app.sandbox import class_compiler, signatures
from app.sandbox.compiler.base import CompilerBase, Expr
from app.sandbox.compiler.positions import attribute_position, position, unpacks
from app.sandbox.compiler.scopes import Scope, assigned_names
from app.sandbox.errors import ProgramException, SandboxViolation
from app.sandbox.functions import Frame, InterpretedFunction
from app.sandbox.operators import BINARY_SYMBOLS, COMPARE_SYMBOLS, IDENTITY_FUNCTIONS, UNARY_SYMBOLS
from app.sandbox.program_errors import to_program_exception
from app.sandbox.python_values import PLAIN_SCALARS, type_name

if TYPE_CHECKING:
    from app.sandbox.compiler import Compiler

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


# Compile methods by node type, filled on first use (the validator admits only known types).
_EXPRESSION_METHODS: dict[type[ast.AST], Callable[..., Expr]] = {}


class ExpressionCompiler(CompilerBase):
    """Expressions."""

    def exprs(self, nodes: list[ast.expr], scope: Scope) -> tuple[Expr, ...]:
        """Compile each of `nodes` (arguments, elements, defaults), in order."""
        compiled: list[Expr] = []
        for node in nodes:
            compiled.append(self.expr(node, scope))
        return tuple(compiled)

    def expr(self, node: ast.expr, scope: Scope) -> Expr:
        method = _EXPRESSION_METHODS.get(type(node))
        if method is None:
            method = _EXPRESSION_METHODS[type(node)] = getattr(
                type(self), f"expr_{type(node).__name__}"
            )
        result: Expr = method(self, node, scope)
        return result

    def expr_Constant(self, node: ast.Constant, scope: Scope) -> Expr:
        value = node.value

        def constant(frame: Frame, value: Any = value) -> Any:
            return value

        return constant

    def load_name(self, node: ast.Name, scope: Scope) -> Expr:
        name = node.id
        line, col = position(node)
        kind, hops = scope.resolve(name)
        if kind == "global":
            globals_ = self.globals
            builtins = self.builtins

            def load_global(
                frame: Frame,
                globals_: dict[str, Any] = globals_,
                builtins: Any = builtins,
                name: str = name,
                line: int = line,
                col: int = col,
            ) -> Any:
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

            def load_local(frame: Frame, name: str = name, line: int = line, col: int = col) -> Any:
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

        def load_free(
            frame: Frame, hops: int = hops, name: str = name, line: int = line, col: int = col
        ) -> Any:
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
        symbol = BINARY_SYMBOLS[type(node.op)]
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
        line, col = position(node)
        ctx = self.ctx
        convert = to_program_exception
        if isinstance(right_node, ast.Constant):
            constant = right_node.value
            if type(constant) in PLAIN_SCALARS:  # never a tensor: only the left side can be

                def binary_constant(
                    frame: Frame,
                    left: Expr = left,
                    constant: Any = constant,
                    operation: Callable[[Any, Any], Any] = operation,
                    on_tensor: Callable[[Any, Any, Any], Any] = on_tensor,
                    tensor_type: type = tensor_type,
                    ctx: Any = ctx,
                    line: int = line,
                    col: int = col,
                    convert: Callable[..., BaseException] = convert,
                ) -> Any:
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

        def binary(
            frame: Frame,
            left: Expr = left,
            right: Expr = right,
            operation: Callable[[Any, Any], Any] = operation,
            on_tensor: Callable[[Any, Any, Any], Any] = on_tensor,
            tensor_type: type = tensor_type,
            ctx: Any = ctx,
            line: int = line,
            col: int = col,
            convert: Callable[..., BaseException] = convert,
        ) -> Any:
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
        line, col = position(node)
        ctx = self.ctx
        if isinstance(node.op, ast.Not):
            truth = self.truth_at(node.operand, node)

            def negation(frame: Frame) -> Any:
                return not truth(operand(frame))

            return negation
        operation = self.runtime.unary(UNARY_SYMBOLS[type(node.op)])

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
        if len(node.ops) == 1 and type(node.ops[0]) in COMPARE_SYMBOLS:
            symbol = COMPARE_SYMBOLS[type(node.ops[0])]
            return self._operator(node, symbol, first, node.comparators[0], scope)
        steps: list[tuple[Callable[[Any, Any], Any], Expr]] = []
        for operator_node, comparator in zip(node.ops, node.comparators, strict=True):
            steps.append((self._comparison(operator_node), self.expr(comparator, scope)))
        truth = self.truth_at(node, node)
        line, col = position(node)
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
        identity = IDENTITY_FUNCTIONS.get(type(node))
        if identity is not None:
            return identity
        if isinstance(node, ast.In | ast.NotIn):
            negate = isinstance(node, ast.NotIn)

            runtime_contains = self.runtime.contains

            def contains(item: Any, container: Any) -> bool:
                return runtime_contains(item, container) is not negate

            return contains
        return self.runtime.binary(COMPARE_SYMBOLS[type(node)])

    def expr_Call(self, node: ast.Call, scope: Scope) -> Expr:
        method = node.func
        if type(method) is ast.Name and method.id == "super":  # the validator placed it
            return class_compiler.super_call(cast("Compiler", self), node, scope)
        if type(method) is ast.Attribute:
            tensor_method = self.runtime.surface.tensor_method(method.attr)
            if tensor_method is not None and not unpacks(node):
                return self._tensor_method_call(node, method, tensor_method, scope)
        # The closures are made by helpers: a function's cells are all created on entry, and
        # each kind of call needs only its own.
        function = self.expr(method, scope)
        line, col = self._call_position(node)
        if not node.keywords and not unpacks(node):
            return self._positional_call(function, self.exprs(node.args, scope), line, col)
        return self._general_call(node, function, line, col, scope)

    def _positional_call(
        self, function: Expr, arguments: tuple[Expr, ...], line: int, col: int
    ) -> Expr:
        """`f(a, b)`: no keywords, nothing unpacked."""
        call = self.runtime.call
        ctx = self.ctx
        convert = to_program_exception

        def call_positional(
            frame: Frame,
            function: Expr = function,
            arguments: tuple[Expr, ...] = arguments,
            call: Callable[..., Any] = call,
            ctx: Any = ctx,
            line: int = line,
            col: int = col,
            convert: Callable[..., BaseException] = convert,
        ) -> Any:
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
        attribute_line, attribute_col = position(method)
        if method.end_lineno != attribute_line:  # rare: spread over lines
            attribute_line, attribute_col = attribute_position(
                method, attribute_line, attribute_col
            )
        line, col = self._call_position(node)
        ctx = self.ctx
        convert = to_program_exception
        tensor_type = torch.Tensor

        def call_method(
            frame: Frame,
            owner: Expr = owner,
            name: str = name,
            arguments: tuple[Expr, ...] = arguments,
            keywords: tuple[tuple[str, Expr], ...] = keywords,
            tensor_method: Callable[..., Any] = tensor_method,
            get_attribute: Callable[[Any, str], Any] = get_attribute,
            call: Callable[..., Any] = call,
            tensor_type: type = tensor_type,
            ctx: Any = ctx,
            attribute_line: int = attribute_line,
            attribute_col: int = attribute_col,
            line: int = line,
            col: int = col,
            convert: Callable[..., BaseException] = convert,
        ) -> Any:
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
        line, col = position(node)
        if node.end_lineno != line:  # rare: spread over lines
            line, col = attribute_position(node, line, col)
        ctx = self.ctx
        # `y.data`, `x.grad`: a tensor's data attribute is read through the surface directly;
        # methods, `grad_fn`, `T` and refused names take the generic path.
        on_tensor = self.runtime.surface.tensor_attribute(name, self.ctx)
        tensor_type = torch.Tensor if on_tensor is not None else _NO_TYPES

        def attribute(
            frame: Frame,
            owner: Expr = owner,
            name: str = name,
            on_tensor: Any = on_tensor,
            tensor_type: Any = tensor_type,
            get_attribute: Callable[[Any, str], Any] = get_attribute,
            ctx: Any = ctx,
            line: int = line,
            col: int = col,
        ) -> Any:
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
        line, col = position(node)
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
        line, col = position(node)

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
        extras = signatures.compile_extras(cast("Compiler", self), node.args, scope)
        ctx = self.ctx

        def make_lambda(frame: Frame) -> InterpretedFunction:
            values = tuple(default(frame) for default in defaults)
            return InterpretedFunction(
                "<lambda>", qualname, parameters, values, body, frame, ctx, extras(frame)
            )

        return make_lambda

    def expr_ListComp(self, node: ast.ListComp, scope: Scope) -> Expr:
        limit = self.ctx.limits.list_length
        ctx = self.ctx

        def compile_add(inner: Scope) -> Callable[[Frame, Any], None]:
            element = self.expr(node.elt, inner)

            def add(frame: Frame, out: Any) -> None:
                out.append(element(frame))
                if len(out) > limit:
                    raise ctx.limit_exceeded(
                        "list_length", f"A list would have more than {limit:,} items."
                    )

            return add

        return self._eager_comprehension(node, scope, "<listcomp>", list, compile_add)

    def expr_DictComp(self, node: ast.DictComp, scope: Scope) -> Expr:
        set_item = self.runtime.set_item  # pays a tuple key's hash; refuses a dict too long

        def compile_add(inner: Scope) -> Callable[[Frame, Any], None]:
            key = self.expr(node.key, inner)
            value = self.expr(node.value, inner)

            def add(frame: Frame, out: Any) -> None:
                k = key(frame)  # CPython 3.8+: the key first, then the value
                set_item(out, k, value(frame))

            return add

        return self._eager_comprehension(node, scope, "<dictcomp>", dict, compile_add)

    def expr_SetComp(self, node: ast.SetComp, scope: Scope) -> Expr:
        add_to_set = self.runtime.add_to_set  # pays a tuple's hash; refuses a set too long

        def compile_add(inner: Scope) -> Callable[[Frame, Any], None]:
            element = self.expr(node.elt, inner)

            def add(frame: Frame, out: Any) -> None:
                add_to_set(out, element(frame))

            return add

        return self._eager_comprehension(node, scope, "<setcomp>", set, compile_add)

    def _eager_comprehension(
        self,
        node: ast.ListComp | ast.DictComp | ast.SetComp,
        scope: Scope,
        name: str,
        make: Callable[[], Any],
        compile_add: Callable[[Scope], Callable[[Frame, Any], None]],
    ) -> Expr:
        """A list, dict or set comprehension: its own scope, as in CPython; the first iterable
        evaluated outside it; one step per item taken; `add` puts an element into the result."""
        targets: list[Any] = [generator.target for generator in node.generators]
        qualname = scope.child_prefix() + name
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
            levels.append((iterable, store, conditions, position(node)))
        add = compile_add(inner)
        iterate = self.runtime.iterate
        tick = self.tick()
        line, col = position(node)
        depth = len(levels)

        def run_level(frame: Frame, level: int, source: Any, out: Any) -> None:
            _, store, conditions, (iter_line, iter_col) = levels[level]
            try:
                for item in iterate(source):
                    tick(line, col)
                    store(frame, item)
                    if any(not truth(condition(frame)) for condition, truth in conditions):
                        continue
                    if level + 1 == depth:
                        add(frame, out)
                    else:
                        run_level(frame, level + 1, levels[level + 1][0](frame), out)
            except Exception as error:
                raise to_program_exception(error, iter_line, iter_col) from None

        def comprehension(frame: Frame) -> Any:
            source = first_iterable(frame)
            out = make()
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
        line, col = position(node)
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
        line, col = position(node)

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
        line, col = position(node)
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


def _unstar(node: ast.expr) -> ast.expr:
    return node.value if isinstance(node, ast.Starred) else node
