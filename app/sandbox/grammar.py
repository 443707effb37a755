"""The Python half of the language as data: allowed syntax, builtins, imports, plain methods.

One source for the validator (`validate.py`), the interpreter and `/api/v1/capabilities`
(through `capabilities.py`). Anything not listed here is refused: new Python versions add node
types, and an allow-list keeps them out until someone decides they are safe.
"""

from __future__ import annotations

import ast

from app.sandbox.exceptions import EXCEPTION_NAMES
from app.sandbox.operators import OPERATOR_NODES

# Syntax node types the language accepts. Contexts and operator tokens are listed too: every
# node the parser produces must be named here, or the validator refuses it.
ALLOWED_NODES: frozenset[type[ast.AST]] = frozenset(
    {
        ast.Module,
        ast.Expression,
        # statements
        ast.Expr,
        ast.Assign,
        ast.AugAssign,
        ast.If,
        ast.While,
        ast.For,
        ast.Break,
        ast.Continue,
        ast.Pass,
        ast.With,
        ast.withitem,
        ast.FunctionDef,
        ast.ClassDef,
        ast.Return,
        ast.Assert,
        ast.Try,
        ast.ExceptHandler,
        ast.Raise,
        ast.Import,
        ast.ImportFrom,
        ast.alias,
        ast.arguments,
        ast.arg,
        # expressions
        ast.BoolOp,
        ast.BinOp,
        ast.UnaryOp,
        ast.IfExp,
        ast.Lambda,
        ast.Dict,
        ast.List,
        ast.Tuple,
        ast.ListComp,
        ast.SetComp,
        ast.DictComp,
        ast.GeneratorExp,
        ast.Set,
        ast.comprehension,
        ast.Compare,
        ast.Call,
        ast.keyword,
        ast.Starred,
        ast.JoinedStr,
        ast.FormattedValue,
        ast.Constant,
        ast.Attribute,
        ast.Subscript,
        ast.Slice,
        ast.Name,
        ast.Load,
        ast.Store,
        # operators: the operator table (operators.py) names them
        *OPERATOR_NODES,
    }
)

# How refused node types are named in the one-sentence refusal.
NODE_DESCRIPTIONS: dict[str, str] = {
    "ClassDef": "class definitions",
    "TryStar": "try/except*",
    "Global": "global declarations",
    "Nonlocal": "nonlocal declarations",
    "Yield": "yield",
    "YieldFrom": "yield from",
    "Await": "await",
    "AsyncFunctionDef": "async functions",
    "AsyncFor": "async for",
    "AsyncWith": "async with",
    "Match": "match statements",
    "Delete": "del",
    "NamedExpr": "the walrus operator :=",
    "AnnAssign": "annotated assignments",
}

# Builtin names the program can use. Names bound here resolve after the program's own globals.
ALLOWED_BUILTINS: tuple[str, ...] = (
    "print",
    "range",
    "len",
    "abs",
    "min",
    "max",
    "sum",
    "round",
    "float",
    "int",
    "bool",
    "str",
    "list",
    "tuple",
    "dict",
    "enumerate",
    "zip",
    "isinstance",
    "repr",
    "reversed",
    "any",
    "all",
    "type",
    "set",
    "frozenset",
    "sorted",
    "map",
    "filter",
    "callable",
    "divmod",
    "pow",
    "iter",
    "next",
    "chr",
    "ord",
    "ascii",
    "hex",
    "bin",
    "oct",
    "hash",
    # the exception classes a program names in `except` and `raise`: exceptions.py owns them
    *EXCEPTION_NAMES,
    "True",
    "False",
    "None",
    # the one dunder name a program reads: `if __name__ == "__main__":`
    "__name__",
)

# The only name starting with two underscores a program may use, and only to read it.
READABLE_DUNDER_NAMES: frozenset[str] = frozenset({"__name__"})

# Names refused statically, even as plain variables: each one is a known escape or leak in
# other Python sandboxes, and refusing it up front gives a clearer message than NameError.
FORBIDDEN_NAMES: frozenset[str] = frozenset(
    {
        "getattr",
        "setattr",
        "delattr",
        "hasattr",
        "eval",
        "exec",
        "compile",
        "open",
        "globals",
        "locals",
        "vars",
        "dir",
        "id",
        "input",
        "exit",
        "quit",
        "breakpoint",
        "help",
        "memoryview",
        "object",
        "super",
        "classmethod",
        "staticmethod",
        "property",
        "format",
        "bytearray",
        "bytes",
        "issubclass",
        "license",
        "copyright",
        "credits",
    }
)

# Attribute names refused on every value (none today: `str.format`/`format_map` are the
# sandbox's own, formatting.py, whose fields cannot walk attributes).
FORBIDDEN_ATTRIBUTES: frozenset[str] = frozenset()

# `import X` / `import X as Y` / `from X import ...` accept only these modules.
ALLOWED_IMPORTS: frozenset[str] = frozenset(
    {
        "torch",
        "torch.nn",
        "torch.nn.functional",
        "torch.optim",
        "torch.autograd",
        "torch.autograd.functional",
        "torch.autograd.function",
        "math",
        "random",
        "torch.optim.lr_scheduler",
        "torch.utils",
        "torch.utils.data",
    }
)

# Modules a program reaches for that the playground does not have, with what to use instead
# (the refusal's hint).
IMPORT_ALTERNATIVES: dict[str, str] = {
    "numpy": "torch does what numpy does here: torch.tensor([...]) for arrays, torch.zeros/"
    "ones/arange/linspace, torch.sin/exp/sqrt, x.sum()/x.mean(), x @ y, torch.pi",
}

# Context managers allowed in `with` (the last attribute of the called expression).
ALLOWED_WITH_CALLS: frozenset[str] = frozenset(
    {"no_grad", "enable_grad", "set_grad_enabled", "inference_mode"}
)

# Methods of plain Python values the program may call, by the value's type name.
PLAIN_METHODS: dict[str, frozenset[str]] = {
    "list": frozenset(
        {"append", "extend", "pop", "insert", "index", "count", "copy", "reverse", "clear", "sort"}
    ),
    "dict": frozenset({"keys", "values", "items", "get", "copy", "pop", "update", "clear"}),
    # A module's state_dict(): read only.
    "OrderedDict": frozenset({"keys", "values", "items", "get"}),
    "str": frozenset(
        {
            "join",
            "upper",
            "lower",
            "strip",
            "lstrip",
            "rstrip",
            "split",
            "startswith",
            "endswith",
            "replace",
            "capitalize",
            "title",
            "isdigit",
            "find",
            "count",
            "format",
            "format_map",
        }
    ),
    "tuple": frozenset({"index", "count"}),
    "set": frozenset(
        {
            "add",
            "discard",
            "remove",
            "pop",
            "clear",
            "copy",
            "union",
            "update",
            "intersection",
            "intersection_update",
            "difference",
            "difference_update",
            "symmetric_difference",
            "symmetric_difference_update",
            "issubset",
            "issuperset",
            "isdisjoint",
        }
    ),
    "frozenset": frozenset(
        {
            "copy",
            "union",
            "intersection",
            "difference",
            "symmetric_difference",
            "issubset",
            "issuperset",
            "isdisjoint",
        }
    ),
    "int": frozenset({"bit_length"}),
    "float": frozenset({"is_integer"}),
}


def describe_node(node_type: str) -> str:
    """Name a syntax node type for a refusal message."""
    return NODE_DESCRIPTIONS.get(node_type, f"the syntax '{node_type}'")
