"""Parse a program and check it against the allow-list of `grammar.py`, without recursion.

Untrusted source can nest deeply enough to exhaust the C stack, so the parse is guarded and
the walk uses an explicit stack; limits on size, node count and depth are checked on the way.
Every refusal names the construct and the line in one sentence.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from app.sandbox import class_validation, grammar
from app.sandbox.constant_folding import folded_constant
from app.sandbox.errors import LimitExceeded, ProgramSyntaxError, SandboxViolation
from app.sandbox.limits import Limits

# The filename warnings about the program carry (CPython's tracebacks would show it too).
PROGRAM_FILENAME = "<program>"


@dataclass(frozen=True)
class _Where:
    """What encloses a node: compile-time rules of CPython depend on it."""

    in_function: bool
    in_loop: bool
    in_class: bool = False  # directly in a class body
    in_method: bool = False  # in a function defined directly in a class body


def parse_program(
    source: str, limits: Limits, mode: Literal["exec", "eval"] = "exec"
) -> ast.Module | ast.Expression:
    """Parse `source` and validate it; raise a PlaygroundSignal describing the first problem."""
    _check_source_size(source, limits)
    tree = _parse(source, mode)
    if not source.isascii():
        _character_columns(tree, source)
    validate_tree(tree, limits)
    return tree


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _character_columns(tree: ast.AST, source: str) -> None:
    """Turn the parser's UTF-8 byte columns into character columns, as CPython's traceback
    shows them (`가중치 = torch.ones(…)` fails at col 7, not 13). Only lines with non-ASCII
    text change; the walk is iterative."""
    lines = _LINE_BREAK.split(source)
    encoded: dict[int, bytes] = {}

    def column(line_number: int, offset: int) -> int:
        if not 0 < line_number <= len(lines) or lines[line_number - 1].isascii():
            return offset
        data = encoded.get(line_number)
        if data is None:
            data = encoded[line_number] = lines[line_number - 1].encode("utf-8", "surrogatepass")
        return len(data[:offset].decode("utf-8", "replace"))

    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        line = getattr(node, "lineno", None)
        if line is not None and getattr(node, "col_offset", None) is not None:
            node.col_offset = column(line, node.col_offset)  # type: ignore[attr-defined]
            end_line = getattr(node, "end_lineno", None)
            end_col = getattr(node, "end_col_offset", None)
            if end_line is not None and end_col is not None:
                node.end_col_offset = column(end_line, end_col)  # type: ignore[attr-defined]
        stack.extend(ast.iter_child_nodes(node))


def _check_source_size(source: str, limits: Limits) -> None:
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > limits.source_bytes:
        raise LimitExceeded(
            f"The program is {size:,} bytes long; at most {limits.source_bytes:,} are allowed.",
            limit="source_bytes",
        )


def _parse(source: str, mode: Literal["exec", "eval"]) -> ast.Module | ast.Expression:
    if "\0" in source:
        # CPython refuses NUL bytes before tokenizing; report where the first one is.
        before = source[: source.index("\0")]
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        raise ProgramSyntaxError("source code string cannot contain null bytes", line=line, col=col)
    try:
        tree = ast.parse(source, filename=PROGRAM_FILENAME, mode=mode)
    except SyntaxError as error:
        signal = ProgramSyntaxError(
            error.msg or "invalid syntax", line=error.lineno, col=error.offset
        )
        signal.error_type = type(error).__name__  # IndentationError and TabError too
        raise signal from None
    except (RecursionError, MemoryError):
        raise LimitExceeded(
            "The program is nested too deeply to parse.", limit="ast_depth"
        ) from None
    except ValueError as error:
        raise ProgramSyntaxError(str(error)) from None
    assert isinstance(tree, ast.Module | ast.Expression)
    return tree


def _position(node: ast.AST) -> tuple[int | None, int | None]:
    line = getattr(node, "lineno", None)
    col = getattr(node, "col_offset", None)
    return line, None if col is None else col + 1


def _refuse(node: ast.AST, what: str) -> SandboxViolation:
    line, col = _position(node)
    where = f"Line {line}: " if line is not None else ""
    return SandboxViolation(f"{where}{what}", line=line, col=col)


def _syntax_error(node: ast.AST, message: str) -> ProgramSyntaxError:
    line, col = _position(node)
    return ProgramSyntaxError(message, line=line, col=col)


def validate_tree(tree: ast.AST, limits: Limits) -> None:
    """Walk the tree iteratively; refuse any node, name or limit the language does not allow."""
    # Each entry: node, its depth, the enclosing function/loop context.
    stack: list[tuple[ast.AST, int, _Where]] = [(tree, 1, _Where(False, False))]
    allowed_starred: set[int] = set()
    allowed_nodes = grammar.ALLOWED_NODES
    checks = _NODE_CHECKS
    max_nodes = limits.ast_nodes
    max_depth = limits.ast_depth
    count = 0
    while stack:
        node, depth, where = stack.pop()
        count += 1
        if count > max_nodes:
            raise LimitExceeded(
                f"The program has more than {max_nodes:,} syntax nodes.", limit="ast_nodes"
            )
        if depth > max_depth:
            line, col = _position(node)
            raise LimitExceeded(
                f"The program nests deeper than {max_depth} levels"
                + (f" (line {line})." if line is not None else "."),
                line=line,
                col=col,
                limit="ast_depth",
            )
        node_type = type(node)
        if node_type not in allowed_nodes:
            raise _refuse(
                node,
                f"the playground does not support {grammar.describe_node(node_type.__name__)}.",
            )
        check = checks.get(node_type)
        if check is not None:
            check(node, where, limits, allowed_starred)
        inner = where
        is_loop = node_type is ast.For or node_type is ast.While
        if is_loop:
            inner = _Where(where.in_function, True, False, where.in_method)
        elif node_type is ast.FunctionDef:
            inner = _Where(True, False, False, where.in_class)
        elif node_type is ast.Lambda:
            inner = _Where(True, False, False, False)
        elif node_type is ast.ClassDef:
            inner = _Where(False, False, True, False)
        elif where.in_class:
            inner = _Where(where.in_function, where.in_loop, False, where.in_method)
        children: list[tuple[ast.AST, int, _Where]] = []
        child_depth = depth + 1
        for field_name in node._fields:
            value = getattr(node, field_name, None)
            # A loop's header and its `else` are outside the loop for break/continue.
            child_where = where if is_loop and field_name != "body" else inner
            if type(value) is list:
                children.extend(
                    (item, child_depth, child_where) for item in value if isinstance(item, ast.AST)
                )
            elif isinstance(value, ast.AST) and not isinstance(value, ast.expr_context):
                children.append((value, child_depth, child_where))
        # Reversed, so that the first problem in source order is reported first.
        stack.extend(reversed(children))


NodeCheck = Callable[[Any, _Where, Limits, set[int]], None]


def _check_starred(node: ast.Starred, where: _Where, limits: Limits, starred: set[int]) -> None:
    if id(node) not in starred:
        raise _refuse(node, "*-unpacking is only supported in the arguments of a call.")


def _check_keyword(node: ast.keyword, where: _Where, limits: Limits, starred: set[int]) -> None:
    if node.arg is None:
        return  # `f(**mapping)`: its keys obey the same rule when the call runs (signatures.py)
    if node.arg.startswith("_"):
        raise _refuse(node, f"the keyword argument '{node.arg}' starts with '_'.")


def _check_dict(node: ast.Dict, where: _Where, limits: Limits, starred: set[int]) -> None:
    if any(key is None for key in node.keys):
        raise _refuse(node, "**-unpacking in dict literals is not supported.")


def _check_return(node: ast.Return, where: _Where, limits: Limits, starred: set[int]) -> None:
    if not where.in_function:
        raise _syntax_error(node, "'return' outside function")


def _check_break(node: ast.Break, where: _Where, limits: Limits, starred: set[int]) -> None:
    if not where.in_loop:
        raise _syntax_error(node, "'break' outside loop")


def _check_continue(node: ast.Continue, where: _Where, limits: Limits, starred: set[int]) -> None:
    if not where.in_loop:
        raise _syntax_error(node, "'continue' not properly in loop")


def _check_assert(node: ast.Assert, where: _Where, limits: Limits, starred: set[int]) -> None:
    if isinstance(node.test, ast.Tuple) and node.test.elts:
        _compile_warning(node, "assertion is always true, perhaps remove parentheses?")


def _check_comprehension(
    node: ast.comprehension, where: _Where, limits: Limits, starred: set[int]
) -> None:
    if node.is_async:
        raise _refuse(node.target, "async comprehensions are not supported in the playground.")


def _check_subscript(node: ast.Subscript, where: _Where, limits: Limits, starred: set[int]) -> None:
    if isinstance(node.ctx, ast.Load):
        _warn_subscript(node)


def _check_call_node(node: ast.Call, where: _Where, limits: Limits, starred: set[int]) -> None:
    class_validation.check_super(node, where.in_method, starred, _refuse)
    _check_call(node, starred)
    _warn_call(node)


def _check_name_node(node: ast.Name, where: _Where, limits: Limits, allowed: set[int]) -> None:
    if id(node) not in allowed:  # `object` as a base, `super` in a method, `@staticmethod`
        _check_name(node, node.id, type(node.ctx) is ast.Load)


def _check_name(node: ast.AST, name: str, load: bool = False) -> None:
    """A name of the program's own (variable, function, parameter, `as` target).

    `_pad` and `_` are the program's own variables and reach nothing: a name resolves in the
    program's globals and the builtins table only. Dunder names are refused (`__builtins__`,
    `__import__`), except reading `__name__`.
    """
    if name.startswith("__") and not (load and name in grammar.READABLE_DUNDER_NAMES):
        raise _refuse(node, f"the name '{name}' starts with '__', which is not allowed.")
    if name in grammar.FORBIDDEN_NAMES:
        raise _refuse(node, f"the builtin '{name}' is not available in the playground.")


def _check_member_name(node: ast.AST, name: str) -> None:
    """A name read from a module (`from torch import x`): no private names at all."""
    if name.startswith("_"):
        raise _refuse(node, f"the name '{name}' starts with '_', which is not allowed.")
    _check_name(node, name)


def _check_attribute(node: ast.Attribute) -> None:
    # Single-underscore names are the program's own attributes (`self._prev`): the runtime
    # refuses them on every object that is not an instance of the program's classes.
    # The walk meets `a.b.c` at its outer `.c` first; the chain's inner reads come first in the
    # source, so they are checked first (`self.__class__.__name__` names `__class__`).
    chain = [node]
    while isinstance(chain[-1].value, ast.Attribute):
        chain.append(chain[-1].value)
    for read in reversed(chain):
        class_validation.check_attribute_name(read, read.attr, _refuse)
    if node.attr in grammar.FORBIDDEN_ATTRIBUTES:
        raise _refuse(
            node, f"string formatting with '.{node.attr}' is not allowed; use an f-string."
        )


def _check_call(node: ast.Call, allowed_starred: set[int]) -> None:
    for argument in node.args:
        if isinstance(argument, ast.Starred):
            allowed_starred.add(id(argument))
    seen: set[str] = set()
    for keyword in node.keywords:
        if keyword.arg is not None:
            if keyword.arg in seen:
                raise _syntax_error(keyword, f"keyword argument repeated: {keyword.arg}")
            seen.add(keyword.arg)


def _check_constant(node: ast.Constant, limits: Limits) -> None:
    value = node.value
    if isinstance(value, bytes):
        raise _refuse(node, "bytes literals are not supported in the playground.")
    if isinstance(value, complex):
        raise _refuse(node, "complex numbers are not supported in the playground.")
    if isinstance(value, int) and value.bit_length() > limits.int_bits:
        line, col = _position(node)
        raise LimitExceeded(
            f"Line {line}: an integer literal has more than {limits.int_bits} bits.",
            line=line,
            col=col,
            limit="int_bits",
        )
    if isinstance(value, str) and len(value) > limits.str_length:
        line, col = _position(node)
        raise LimitExceeded(
            f"Line {line}: a string literal is longer than {limits.str_length:,} characters.",
            line=line,
            col=col,
            limit="str_length",
        )


def _check_function(node: ast.FunctionDef, where: _Where, allowed: set[int]) -> None:
    if where.in_class and class_validation.is_special_method(node, _refuse):
        pass  # a special method of the table (`__init__`, `__add__` ...)
    else:
        _check_name(node, node.name)
    class_validation.check_decorators(node, where.in_class, allowed, _refuse)
    if node.returns is not None:
        raise _refuse(node.returns, "annotations are not supported in the playground.")
    _check_arguments(node, node.args)


def _check_arguments(node: ast.AST, arguments: ast.arguments) -> None:
    if arguments.posonlyargs:
        raise _refuse(node, "positional-only parameters (/) are not supported in the playground.")
    seen: set[str] = set()
    # In CPython's order (its first duplicate is the one it reports).
    every = [*arguments.args]
    every += [arguments.vararg] if arguments.vararg is not None else []
    every += [*arguments.kwonlyargs]
    every += [arguments.kwarg] if arguments.kwarg is not None else []
    for parameter in every:
        _check_name(parameter, parameter.arg)
        if parameter.annotation is not None:
            raise _refuse(parameter, "annotations are not supported in the playground.")
        if parameter.arg in seen:
            raise _syntax_error(
                parameter, f"duplicate argument '{parameter.arg}' in function definition"
            )
        seen.add(parameter.arg)


def _import_refusal(node: ast.AST, module: str) -> SandboxViolation:
    allowed = ", ".join(sorted(grammar.ALLOWED_IMPORTS))
    # hints.py adds what to use instead (numpy → torch) from grammar.IMPORT_ALTERNATIVES.
    return _refuse(
        node,
        f"importing '{module}' is not allowed; the modules a program can import are {allowed}.",
    )


def _check_import(node: ast.Import) -> None:
    for alias in node.names:
        if alias.name not in grammar.ALLOWED_IMPORTS:
            raise _import_refusal(node, alias.name)
        if alias.asname is not None:
            _check_member_name(node, alias.asname)


def _check_import_from(node: ast.ImportFrom) -> None:
    module = node.module or ""
    if node.level != 0 or module not in grammar.ALLOWED_IMPORTS:
        raise _import_refusal(node, "." * node.level + module)
    for alias in node.names:
        if alias.name == "*":
            raise _refuse(node, "'import *' is not supported in the playground.")
        _check_member_name(node, alias.name)
        if alias.asname is not None:
            _check_member_name(node, alias.asname)


def _check_try(node: ast.Try, where: _Where, limits: Limits, starred: set[int]) -> None:
    # CPython's compiler (not its parser) refuses a bare `except:` before another handler.
    for handler in node.handlers[:-1]:
        if handler.type is None:
            raise _syntax_error(handler, "default 'except:' must be last")


def _check_handler(
    node: ast.ExceptHandler, where: _Where, limits: Limits, starred: set[int]
) -> None:
    if node.name is not None:
        _check_name(node, node.name)


def _check_with(node: ast.With) -> None:
    for item in node.items:
        expression = item.context_expr
        called = expression.func if isinstance(expression, ast.Call) else None
        name = None
        if isinstance(called, ast.Attribute):
            name = called.attr
        elif isinstance(called, ast.Name):
            name = called.id
        if name not in grammar.ALLOWED_WITH_CALLS:
            raise _refuse(
                node,
                "'with' is only supported for torch.no_grad(), torch.enable_grad() and "
                "torch.set_grad_enabled(flag).",
            )
        if item.optional_vars is not None:
            raise _refuse(node, "'with ... as' is not supported in the playground.")


# CPython's compiler warns about code that is certain to fail (`(0)[0]`, `'a'(1)`, `x is 1`).
# The program is never compiled by CPython here, so the same SyntaxWarnings are emitted by hand,
# with the program's filename and line, in the order CPython's compiler would emit them.


def _compile_warning(node: ast.AST, message: str) -> None:
    warnings.warn_explicit(message, SyntaxWarning, PROGRAM_FILENAME, getattr(node, "lineno", 0))


_folded_constant = folded_constant


_INFERRED_TYPES: dict[type[ast.AST], str] = {
    ast.Tuple: "tuple",
    ast.List: "list",
    ast.ListComp: "list",
    ast.Dict: "dict",
    ast.DictComp: "dict",
    ast.Set: "set",
    ast.SetComp: "set",
    ast.GeneratorExp: "generator",
    ast.Lambda: "function",
    ast.JoinedStr: "str",
    ast.FormattedValue: "str",
}


_NOT_SUBSCRIPTABLE = (ast.Set, ast.SetComp, ast.GeneratorExp, ast.Lambda)
_NOT_CALLABLE = frozenset(set(_INFERRED_TYPES) - {ast.Lambda})


def _inferred_type(node: ast.expr) -> str | None:
    folded, value = _folded_constant(node)
    if folded:
        return type(value).__name__
    return _INFERRED_TYPES.get(type(node))


def _warn_subscript(node: ast.Subscript) -> None:
    value = node.value
    folded, constant = _folded_constant(value)
    not_subscriptable = (folded and (constant is None or constant is ...)) or (
        folded and isinstance(constant, int | float | complex)  # bool is an int here too
    )
    if not_subscriptable or isinstance(value, _NOT_SUBSCRIPTABLE):
        _compile_warning(
            node,
            f"'{_inferred_type(value)}' object is not subscriptable; perhaps you missed a comma?",
        )
        return
    index_type = _inferred_type(node.slice)
    if index_type is None or index_type in ("int", "bool", "slice"):
        return
    sequence = (folded and type(constant) in (str, bytes, tuple)) or isinstance(
        value, ast.Tuple | ast.List | ast.ListComp | ast.JoinedStr | ast.FormattedValue
    )
    if sequence:
        _compile_warning(
            node,
            f"{_inferred_type(value)} indices must be integers or slices, not {index_type}; "
            "perhaps you missed a comma?",
        )


def _warn_call(node: ast.Call) -> None:
    function = node.func
    if folded_constant(function)[0] or type(function) in _NOT_CALLABLE:
        _compile_warning(
            node,
            f"'{_inferred_type(function)}' object is not callable; perhaps you missed a comma?",
        )


def _is_literal(node: ast.expr) -> bool:
    folded, value = _folded_constant(node)
    return folded and not (value is None or value is True or value is False or value is ...)


def _warn_compare(node: ast.Compare) -> None:
    left_literal = _is_literal(node.left)
    for operator, comparator in zip(node.ops, node.comparators, strict=True):
        right_literal = _is_literal(comparator)
        if isinstance(operator, ast.Is | ast.IsNot) and (left_literal or right_literal):
            _compile_warning(
                node,
                '"is" with a literal. Did you mean "=="?'
                if isinstance(operator, ast.Is)
                else '"is not" with a literal. Did you mean "!="?',
            )
            return
        left_literal = right_literal


# The per-node rules (names, attributes, imports, compile-time errors and warnings).
_NODE_CHECKS: dict[type[ast.AST], NodeCheck] = {
    ast.Name: _check_name_node,
    ast.ClassDef: lambda node, where, limits, allowed: class_validation.check_class(
        node, where.in_class, allowed, _refuse, _check_name
    ),
    ast.Try: _check_try,
    ast.ExceptHandler: _check_handler,
    ast.Attribute: lambda node, where, limits, starred: _check_attribute(node),
    ast.keyword: _check_keyword,
    ast.Call: _check_call_node,
    ast.Constant: lambda node, where, limits, starred: _check_constant(node, limits),
    ast.Dict: _check_dict,
    ast.FunctionDef: lambda node, where, limits, allowed: _check_function(node, where, allowed),
    ast.Lambda: lambda node, where, limits, starred: _check_arguments(node, node.args),
    ast.Import: lambda node, where, limits, starred: _check_import(node),
    ast.ImportFrom: lambda node, where, limits, starred: _check_import_from(node),
    ast.With: lambda node, where, limits, starred: _check_with(node),
    ast.Return: _check_return,
    ast.Break: _check_break,
    ast.Continue: _check_continue,
    ast.Subscript: _check_subscript,
    ast.Compare: lambda node, where, limits, starred: _warn_compare(node),
    ast.Assert: _check_assert,
    ast.comprehension: _check_comprehension,
    ast.Starred: _check_starred,
}
