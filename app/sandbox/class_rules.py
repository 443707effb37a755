"""The class rule as data: what a program's `class` statement may be and hold.

One table, read by the validator (`validate.py`), the class compiler and runtime
(`class_compiler.py`, `classes.py`) and published by `/api/v1/capabilities`
(`capabilities.py`). Classes are the classic escape route of Python sandboxes, so the rule is
narrow: a few bases, the special methods a course program defines (never the hooks Python calls
implicitly), a few decorators, and no underscore name that torch's own classes use inside.
"""

from __future__ import annotations

from typing import Any

# The bases a class may name (besides the program's own classes), as the program spells them.
ALLOWED_BASES: dict[str, str] = {
    "object": "object",
    "nn.Module": "module",
    "torch.nn.Module": "module",
    "Module": "module",
    "torch.autograd.Function": "function",
    "autograd.Function": "function",
    "Function": "function",
}

# The special methods a program may define. Python calls them implicitly; each one runs in the
# interpreter under the run's budget. Every other dunder (`__getattr__`, `__del__`,
# `__init_subclass__`, `__set_name__`, `__format__`, `__index__`, `__reduce__` ...) is refused.
DEFINABLE_SPECIAL_METHODS: frozenset[str] = frozenset(
    {
        "__init__",
        "__repr__",
        "__str__",
        "__add__",
        "__radd__",
        "__sub__",
        "__rsub__",
        "__mul__",
        "__rmul__",
        "__truediv__",
        "__rtruediv__",
        "__matmul__",
        "__neg__",
        "__pow__",
        "__rpow__",
        "__call__",
        "__len__",
        "__getitem__",
        "__iter__",
        "__eq__",
        "__lt__",
        "__le__",
        "__gt__",
        "__ge__",
        "__hash__",
    }
)

# Decorators on the program's functions and methods, by how the program spells the last name.
# "method" decorators only inside a class body.
METHOD_DECORATORS: frozenset[str] = frozenset({"staticmethod", "classmethod", "property"})
FUNCTION_DECORATORS: frozenset[str] = frozenset({"once_differentiable"})
# Read on a property defined earlier in the same class body: `@x.setter`.
PROPERTY_DECORATORS: frozenset[str] = frozenset({"setter"})
# Called with no arguments: `@torch.no_grad()`.
GRAD_MODE_DECORATORS: frozenset[str] = frozenset({"no_grad", "enable_grad", "inference_mode"})

# Underscore names torch's Module, Function and ctx use inside: never read or assigned by a
# program, even on its own objects (assigning one would corrupt torch's bookkeeping).
RESERVED_NAMES: frozenset[str] = frozenset(
    {
        "_parameters",
        "_buffers",
        "_modules",
        "_non_persistent_buffers_set",
        "_forward_hooks",
        "_forward_hooks_with_kwargs",
        "_forward_hooks_always_called",
        "_forward_pre_hooks",
        "_forward_pre_hooks_with_kwargs",
        "_backward_hooks",
        "_backward_pre_hooks",
        "_state_dict_hooks",
        "_state_dict_pre_hooks",
        "_load_state_dict_pre_hooks",
        "_load_state_dict_post_hooks",
        "_is_full_backward_hook",
        "_compiled_call_impl",
        "_version",
        "_apply",
        "_call_impl",
        "_wrapped_call_impl",
        "_get_name",
        "_named_members",
        "_save_to_state_dict",
        "_load_from_state_dict",
        "_replicate_for_data_parallel",
        "_saved_tensors",
        "_raw_saved_tensors",
        "_materialize_non_diff_grads",
        "_non_differentiable",
        "_dirty_tensors",
        "_is_compiled_autograd_tracing",
        "_forward_cls",
        "_backward_cls",
        "_compiled_autograd_key",
        "_register_hook",
        "_register_hook_dict",
        "_get_compiled_autograd_symints",
        "_input_metadata",
        "_sequence_nr",
        "_set_sequence_nr",
        "_playground_view",
    }
)

# What a class body may hold (besides a docstring and `pass`).
CLASS_BODY = "def statements, assignments to names, a docstring and pass"

# The ctx of a custom Function: these members reach torch; any other name is the program's own
# attribute (`ctx.constant = c`).
CTX_METHODS: frozenset[str] = frozenset(
    {"save_for_backward", "mark_dirty", "mark_non_differentiable", "set_materialize_grads"}
)
CTX_ATTRIBUTES: frozenset[str] = frozenset({"saved_tensors", "needs_input_grad"})

# nn.Module members a program module may use besides the allow-list's (`allowlist.MODULE`):
# what defining a module of one's own needs, never offered on torch's layers.
MODULE_EXTRA_METHODS: frozenset[str] = frozenset(
    {"extra_repr", "register_buffer", "register_parameter"}
)


def is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and len(name) > 4


def capabilities() -> dict[str, Any]:
    """The class rule as published by `/api/v1/capabilities`."""
    return {
        "bases": sorted(ALLOWED_BASES),
        "special_methods": sorted(DEFINABLE_SPECIAL_METHODS),
        "decorators": sorted(
            METHOD_DECORATORS
            | FUNCTION_DECORATORS
            | {f"<property>.{name}" for name in PROPERTY_DECORATORS}
            | {f"torch.{name}()" for name in GRAD_MODE_DECORATORS}
        ),
        "class_body": CLASS_BODY,
        "reserved_names": sorted(RESERVED_NAMES),
        "ctx": sorted(CTX_METHODS | CTX_ATTRIBUTES),
        "where": "top level of the program or inside a function (never in a class body); "
        "no metaclass, no keywords, no class decorators",
    }
