"""Parse a program and check it against the allow-list of `grammar.py`, without recursion.

Untrusted source can nest deeply enough to exhaust the C stack, so the parse is guarded and
the walk uses an explicit stack; limits on size, node count and depth are checked on the way.
Every refusal names the construct and the line in one sentence.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import Literal

from app.sandbox import grammar
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


def parse_program(
    source: str, limits: Limits, mode: Literal["exec", "eval"] = "exec"
) -> ast.Module | ast.Expression:
    """Parse `source` and validate it; raise a PlaygroundSignal describing the first problem."""
    _check_source_size(source, limits)
    tree = _parse(source, mode)
    validate_tree(tree, limits)
    return tree


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
    count = 0
    while stack:
        node, depth, where = stack.pop()
        count += 1
        if count > limits.ast_nodes:
            raise LimitExceeded(
                f"The program has more than {limits.ast_nodes:,} syntax nodes.",
                limit="ast_nodes",
            )
        if depth > limits.ast_depth:
            line, col = _position(node)
            raise LimitExceeded(
                f"The program nests deeper than {limits.ast_depth} levels"
                + (f" (line {line})." if line is not None else "."),
                line=line,
                col=col,
                limit="ast_depth",
            )
        node_type = type(node)
        if node_type not in grammar.ALLOWED_NODES:
            raise _refuse(
                node,
                f"the playground does not support {grammar.describe_node(node_type.__name__)}.",
            )
        if node_type is ast.Starred and id(node) not in allowed_starred:
            raise _refuse(node, "*-unpacking is only supported in the arguments of a call.")
        _check_node(node, where, limits, allowed_starred)
        inner = _inner_context(node, where)
        is_loop = isinstance(node, ast.For | ast.While)
        children: list[tuple[ast.AST, int, _Where]] = []
        for field_name, value in ast.iter_fields(node):
            # A loop's header and its `else` are outside the loop for break/continue.
            child_where = where if is_loop and field_name != "body" else inner
            items = value if isinstance(value, list) else [value]
            children.extend(
                (item, depth + 1, child_where) for item in items if isinstance(item, ast.AST)
            )
        # Reversed, so that the first problem in source order is reported first.
        stack.extend(reversed(children))


def _inner_context(node: ast.AST, where: _Where) -> _Where:
    if isinstance(node, ast.FunctionDef | ast.Lambda):
        return _Where(in_function=True, in_loop=False)
    if isinstance(node, ast.For | ast.While):
        return _Where(in_function=where.in_function, in_loop=True)
    return where


def _check_node(node: ast.AST, where: _Where, limits: Limits, allowed_starred: set[int]) -> None:
    """Apply the per-node rules (names, attributes, imports, compile-time errors)."""
    if isinstance(node, ast.Name):
        _check_name(node, node.id)
    elif isinstance(node, ast.Attribute):
        _check_attribute(node)
    elif isinstance(node, ast.keyword):
        if node.arg is None:
            raise _refuse(node, "**-unpacking of keyword arguments is not supported.")
        if node.arg.startswith("_"):
            raise _refuse(node, f"the keyword argument '{node.arg}' starts with '_'.")
    elif isinstance(node, ast.Call):
        _check_call(node, allowed_starred)
        _warn_call(node)
    elif isinstance(node, ast.Constant):
        _check_constant(node, limits)
    elif isinstance(node, ast.Dict) and any(key is None for key in node.keys):
        raise _refuse(node, "**-unpacking in dict literals is not supported.")
    elif isinstance(node, ast.FunctionDef):
        _check_function(node, node.name)
    elif isinstance(node, ast.Lambda):
        _check_arguments(node, node.args)
    elif isinstance(node, ast.Import):
        _check_import(node)
    elif isinstance(node, ast.ImportFrom):
        _check_import_from(node)
    elif isinstance(node, ast.With):
        _check_with(node)
    elif isinstance(node, ast.Return) and not where.in_function:
        raise _syntax_error(node, "'return' outside function")
    elif isinstance(node, ast.Break) and not where.in_loop:
        raise _syntax_error(node, "'break' outside loop")
    elif isinstance(node, ast.Continue) and not where.in_loop:
        raise _syntax_error(node, "'continue' not properly in loop")
    elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        _warn_subscript(node)
    elif isinstance(node, ast.Compare):
        _warn_compare(node)
    elif isinstance(node, ast.Assert) and isinstance(node.test, ast.Tuple) and node.test.elts:
        _compile_warning(node, "assertion is always true, perhaps remove parentheses?")
    elif isinstance(node, ast.comprehension) and node.is_async:
        raise _refuse(node.target, "async comprehensions are not supported in the playground.")


def _check_name(node: ast.AST, name: str) -> None:
    # A bare `_` is the usual throwaway variable (`for _ in range(3)`) and reaches nothing.
    if name.startswith("_") and name != "_":
        raise _refuse(node, f"the name '{name}' starts with '_', which is not allowed.")
    if name in grammar.FORBIDDEN_NAMES:
        raise _refuse(node, f"the builtin '{name}' is not available in the playground.")


def _check_attribute(node: ast.Attribute) -> None:
    if node.attr.startswith("_"):
        raise _refuse(node, f"the attribute '{node.attr}' starts with '_', which is not allowed.")
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


def _check_function(node: ast.FunctionDef, name: str) -> None:
    _check_name(node, name)
    if node.decorator_list:
        raise _refuse(node.decorator_list[0], "decorators are not supported in the playground.")
    if node.returns is not None:
        raise _refuse(node.returns, "annotations are not supported in the playground.")
    _check_arguments(node, node.args)


def _check_arguments(node: ast.AST, arguments: ast.arguments) -> None:
    if arguments.vararg is not None or arguments.kwarg is not None:
        raise _refuse(node, "*args and **kwargs parameters are not supported in the playground.")
    if arguments.kwonlyargs or arguments.posonlyargs:
        raise _refuse(
            node, "keyword-only and positional-only parameters are not supported in the playground."
        )
    seen: set[str] = set()
    for parameter in arguments.args:
        _check_name(parameter, parameter.arg)
        if parameter.annotation is not None:
            raise _refuse(parameter, "annotations are not supported in the playground.")
        if parameter.arg in seen:
            raise _syntax_error(
                parameter, f"duplicate argument '{parameter.arg}' in function definition"
            )
        seen.add(parameter.arg)


def _check_import(node: ast.Import) -> None:
    for alias in node.names:
        if alias.name not in grammar.ALLOWED_IMPORTS:
            raise _refuse(
                node,
                f"importing '{alias.name}' is not allowed; only torch, torch.nn, "
                "torch.nn.functional, torch.optim and torch.autograd can be imported.",
            )
        if alias.asname is not None:
            _check_name(node, alias.asname)


def _check_import_from(node: ast.ImportFrom) -> None:
    module = node.module or ""
    if node.level != 0 or module not in grammar.ALLOWED_IMPORTS:
        raise _refuse(
            node,
            f"importing from '{'.' * node.level}{module}' is not allowed; only torch, torch.nn, "
            "torch.nn.functional, torch.optim and torch.autograd can be imported.",
        )
    for alias in node.names:
        if alias.name == "*":
            raise _refuse(node, "'import *' is not supported in the playground.")
        _check_name(node, alias.name)
        if alias.asname is not None:
            _check_name(node, alias.asname)


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
    if isinstance(function, ast.Constant) or type(function) in _NOT_CALLABLE:
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
