"""The torch half of the language: the interpreter reaches torch only through these functions.

Contract: docs/architecture.md, "Interpreter ↔ torch surface". Every function takes the
RunContext last, refuses anything outside `allowlist.py` with a SandboxViolation, pays every
op's estimated cost (`costs.py`) before torch runs it, reports results to the observer, and lets
torch's own exceptions through unchanged so programs fail exactly as they would under CPython.

A program never holds a real torch module, function, class or autograd Node: namespaces,
functions and constructors are the wrappers of `surface/values.py`, grad_fn is a
`GradFnView`. Tensors, Size, dtypes, nn modules and optimizers are real objects, but every
attribute access on them comes back here.
"""

from __future__ import annotations

import functools
import inspect
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import Any

import torch
import torch.accelerator
import torch.nn.functional
import torch.optim.lr_scheduler
import torch.utils.data
from torch import nn

from app.sandbox import allowlist
from app.sandbox.allowlist import Entry, Kind
from app.sandbox.classes import ProgramInstance, program_callable
from app.sandbox.context import RunContext
from app.sandbox.costs import (
    SELF_SIZED_RULES,
    CostRule,
    Estimate,
    Estimator,
    broadcast_numel,
    estimator_for,
    indexing_elements,
    matmul_estimate,
)
from app.sandbox.errors import SandboxViolation
from app.sandbox.functions import InterpretedFunction
from app.sandbox.grad_fn_view import GradFnView, view_of
from app.sandbox.operators import (
    ALL_BINARY_OPERATORS,
    AUGMENTED_SYMBOLS,
    BINARY_OPERATORS,
    UNARY_OPERATORS,
)
from app.sandbox.surface import autograd_calls, dense, memory, python_modules, warn_once
from app.sandbox.surface.modules import (
    module_call_estimate,
    module_init_estimate,
    optimizer_step_estimate,
)
from app.sandbox.surface.values import (
    GENERATOR_TOKEN,
    TENSOR_TYPE,
    BaseClassToken,
    BoundMethod,
    GradModeContext,
    HookHandle,
    Namespace,
    SurfaceFunction,
    SurfaceGenerator,
    SurfaceValue,
    TensorTypeToken,
    WrappedClass,
    as_python_type,
)

_REAL_MODULES: dict[str, Any] = {
    "torch": torch,
    "torch.nn": nn,
    "torch.nn.functional": torch.nn.functional,
    "torch.optim": torch.optim,
    "torch.autograd": torch.autograd,
    "torch.autograd.functional": torch.autograd.functional,
    "torch.autograd.function": torch.autograd.function,
    **python_modules.REAL_MODULES,
    "torch.optim.lr_scheduler": torch.optim.lr_scheduler,
    "torch.utils": torch.utils,
    "torch.utils.data": torch.utils.data,
    "torch.accelerator": torch.accelerator,
    "torch.cuda": torch.cuda,
}

_SCHEDULER = torch.optim.lr_scheduler.LRScheduler
_DATA_TYPES = (torch.utils.data.DataLoader, torch.utils.data.TensorDataset)


def _member(path: str, name: str, entry: Entry) -> Any:
    """Build the value a program gets for `path.name`; built once, shared by all runs."""
    qualified = f"{path}.{name}"
    if entry.kind is Kind.NAMESPACE:
        return _NAMESPACE_VIEWS[qualified]  # `from torch import optim` is `import torch.optim`
    real = getattr(_REAL_MODULES[path], name)
    if entry.kind is Kind.TYPE_TOKEN:
        if name == "Tensor":
            return TENSOR_TYPE
        token: TensorTypeToken = as_python_type(TensorTypeToken, "tensortype")(name, real)
        return token
    if entry.kind in (Kind.DTYPE, Kind.CONSTANT):
        return real  # dtypes and floats are inert values
    if entry.kind is Kind.BASE:
        return BaseClassToken(qualified, real)
    if entry.kind is Kind.CLASS:
        return WrappedClass(qualified, real, entry)
    return as_python_type(SurfaceFunction, type(real).__name__)(qualified, real, entry)


# torch's once-per-process warnings, for the interpreter to show once per run (warn_once.py).
ONCE_PER_PROCESS_WARNINGS: frozenset[str] = warn_once.ONCE_PER_PROCESS

_NAMESPACE_VIEWS: dict[str, Namespace] = {
    path: Namespace(path) for path in allowlist.ALL_NAMESPACES
}
_MEMBERS: dict[str, dict[str, Any]] = {
    path: {name: _member(path, name, entry) for name, entry in members.items()}
    for path, members in allowlist.ALL_NAMESPACES.items()
}


def program_members() -> dict[str, dict[str, Any]]:
    """The values a program gets for each namespace's names (`type()` of a module finds its
    class among them: surface/type_views.py)."""
    return _MEMBERS


def is_callable(obj: Any) -> bool:
    """`callable(obj)` for a surface value: torch functions, classes, modules, methods."""
    return isinstance(obj, SurfaceFunction | BoundMethod | WrappedClass | nn.Module) or (
        obj is TENSOR_TYPE
    )


_RETURN_TYPES: tuple[type, ...] = tuple(
    cls
    for name in dir(torch.return_types)
    if isinstance(cls := getattr(torch.return_types, name), type) and issubclass(cls, tuple)
)

# Surface values that index and iterate like the real object (tuples and a module list).
_INDEXABLE_TYPES: tuple[type, ...] = (
    torch.Size,
    nn.Sequential,
    nn.ModuleList,
    nn.ModuleDict,
    nn.ParameterList,
    *_RETURN_TYPES,
)

_SURFACE_TYPES: tuple[type, ...] = (
    # The wrappers (torch.ones, torch.nn, ...) first: isinstance against torch.Tensor costs a
    # call of its metaclass's __instancecheck__ for anything but a tensor.
    SurfaceValue,
    torch.Tensor,
    torch.Size,
    torch.dtype,
    nn.Module,
    torch.optim.Optimizer,
    GradFnView,
    torch.device,
    _SCHEDULER,
    *_DATA_TYPES,
    *_RETURN_TYPES,
)


# ---- refusals -------------------------------------------------------------------------------


def _refuse(message: str, ctx: RunContext) -> SandboxViolation:
    # Same shape as the interpreter's refusals: the line first, then one sentence.
    return SandboxViolation(f"Line {ctx.line}: {message}", line=ctx.line, col=ctx.col)


def _owner_label(obj: Any) -> str:
    if isinstance(obj, Namespace):
        return obj.path
    if obj is TENSOR_TYPE:
        return "torch.Tensor"
    if isinstance(obj, WrappedClass):
        return obj.qualified
    if isinstance(obj, torch.Tensor):
        return "Tensor"
    if isinstance(obj, GradFnView):
        return obj.type_name
    return type(obj).__name__


def _refuse_attribute(obj: Any, name: str, ctx: RunContext) -> SandboxViolation:
    reason = allowlist.refusal_reason(name)
    owner = _owner_label(obj)
    message = f"{owner}.{name} is not available in the playground: {reason}."
    hint = allowlist.suggestion(owner, name)
    if hint is not None:
        korean = hint.replace(" or ", " 또는 ")
        # Like every refusal, the sentence ends with a period.
        message += f" Did you mean {hint}: use it instead. / 대신 {korean}을(를) 쓰세요."
    return _refuse(message, ctx)


def _type_name(obj: Any) -> str:
    # Wrappers carry the CPython type name of what they stand for (surface/values.py).
    return type(obj).__name__


# ---- is_surface_value / import_module ---------------------------------------------------------


def is_surface_value(obj: Any) -> bool:
    """True for every value the interpreter must route here instead of handling itself."""
    return isinstance(obj, _SURFACE_TYPES)


def import_module(dotted: str, ctx: RunContext) -> Namespace:
    """`import torch`, `import torch.nn as nn`, `import torch.nn.functional as F`, ..."""
    if dotted not in allowlist.IMPORTABLE:
        raise _refuse(
            f"import {dotted} is not allowed: the modules a program can import are "
            f"{', '.join(sorted(allowlist.IMPORTABLE))}.",
            ctx,
        )
    return _NAMESPACE_VIEWS[dotted]


# ---- attributes -----------------------------------------------------------------------------


def get_attribute(obj: Any, name: str, ctx: RunContext) -> Any:
    """Read `obj.name` for a surface value; refused unless the table lists it."""
    # `torch.ones`: namespaces first, sparing them the isinstance against torch.Tensor (see
    # _SURFACE_TYPES); the compiler reads most tensor attributes without coming here.
    if type(obj) is Namespace:
        members = _MEMBERS[obj.path]
        if name in members:
            return members[name]
        raise _refuse_attribute(obj, name, ctx)
    if isinstance(obj, torch.Tensor):
        return _tensor_attribute(obj, name, ctx)
    if isinstance(obj, nn.Module):
        return _table_attribute(obj, name, allowlist.MODULE, ctx)
    if isinstance(obj, torch.optim.Optimizer):
        return _table_attribute(obj, name, allowlist.OPTIMIZER, ctx)
    if isinstance(obj, GradFnView):
        return _table_attribute(obj, name, allowlist.GRAD_FN, ctx)
    if isinstance(obj, HookHandle):
        return _table_attribute(obj, name, allowlist.HOOK_HANDLE, ctx)
    if isinstance(obj, torch.device):
        return _table_attribute(obj, name, allowlist.DEVICE, ctx)
    if isinstance(obj, _SCHEDULER):
        return _table_attribute(obj, name, allowlist.SCHEDULER, ctx)
    if isinstance(obj, _DATA_TYPES):
        return _table_attribute(obj, name, allowlist.DATA, ctx)
    if isinstance(obj, _RETURN_TYPES) and name in allowlist.RETURN_TYPE_FIELDS:
        return getattr(obj, name)
    raise _refuse_attribute(obj, name, ctx)


# Bound methods show CPython's type names: C methods are 'builtin_function_or_method', methods
# written in Python (Tensor.backward, Module.parameters) are 'method'.
_BUILTIN_METHOD = as_python_type(BoundMethod, "builtin_function_or_method")
_PYTHON_METHOD = as_python_type(BoundMethod, "method")
_TENSOR_METHOD_CLASSES: dict[str, type] = {
    name: as_python_type(BoundMethod, type(getattr(torch.zeros(0), name)).__name__)
    for name, entry in allowlist.TENSOR.items()
    if entry.kind is Kind.METHOD
}


def _table_attribute(obj: Any, name: str, table: dict[str, Entry], ctx: RunContext) -> Any:
    entry = table.get(name)
    if entry is None:
        raise _refuse_attribute(obj, name, ctx)
    if entry.kind is Kind.METHOD:
        method_class = _BUILTIN_METHOD if isinstance(obj, GradFnView) else _PYTHON_METHOD
        return method_class(obj, name, entry)
    value = getattr(obj, name)  # real AttributeError for e.g. ReLU().weight
    # `model.weight`, `grad_fn.variable`, `optimizer.param_groups`: tensors torch holds.
    dense.check(value, ctx)
    return value


def tensor_attribute(name: str, ctx: RunContext) -> Callable[[torch.Tensor], Any] | None:
    """How to read data attribute `name` of a tensor (`x.data`, `x.grad`, `x.shape`), for the
    compiler to resolve once per `obj.name` site; None for methods, `grad_fn`, `T` and names
    outside the table, which go through `get_attribute`."""
    entry = allowlist.TENSOR.get(name)
    if entry is None or entry.kind is Kind.METHOD or name in ("grad_fn", "T"):
        return None
    if name in _TENSOR_VALUED_ATTRIBUTES:
        getter = operator.attrgetter(name)
        is_dense = dense.is_dense

        def read_checked(tensor: torch.Tensor) -> Any:
            value = getter(tensor)
            if value is not None and not is_dense(value):
                raise dense.refusal(value, ctx)
            return value

        return read_checked
    return operator.attrgetter(name)  # what _tensor_attribute ends with, without a frame


# Attributes that hand the program a tensor torch made (a sparse gradient, say): checked.
_TENSOR_VALUED_ATTRIBUTES = frozenset({"grad", "data"})


def _tensor_attribute(tensor: torch.Tensor, name: str, ctx: RunContext) -> Any:
    entry = allowlist.TENSOR.get(name)
    if entry is None:
        raise _refuse_attribute(tensor, name, ctx)
    if entry.kind is Kind.METHOD:
        return _TENSOR_METHOD_CLASSES[name](tensor, name, entry)
    if name == "grad_fn":
        return view_of(tensor.grad_fn)
    if name == "T":
        warn_once.warn_transpose(tensor, ctx)
        result = tensor.T
        dense.check_tensor(result, ctx)
        ctx.observer.op_result(result, (tensor,), ctx.line)
        return result
    value = getattr(tensor, name)
    if name in _TENSOR_VALUED_ATTRIBUTES and value is not None:
        dense.check_tensor(value, ctx)
    return value


def set_attribute(obj: Any, name: str, value: Any, ctx: RunContext) -> None:
    """Tensor `.requires_grad`, `.grad` and `.data` only; torch checks the value itself."""
    if isinstance(obj, torch.Tensor) and name in allowlist.TENSOR_SETTABLE:
        ctx.grad_epoch += 1
        if isinstance(value, torch.Tensor):
            dense.check_tensor(value, ctx)
        if name == "data":
            _assign_data(obj, value)
        else:
            setattr(obj, name, value)
        return
    raise _refuse(
        f"Assigning {_owner_label(obj)}.{name} is not allowed: only a tensor's .requires_grad, "
        ".grad and .data can be assigned.",
        ctx,
    )


def _assign_data(tensor: torch.Tensor, value: Any) -> None:
    """`t.data = v`, torch's own assignment, made safe for tensors saved for backward.

    torch swaps the tensor's contents without bumping its version counter, so a graph that saved
    `t` (an index for `gather`, say) would run its backward on the new contents unchecked. When
    the shape or dtype changes, the version is bumped as an in-place op would: a backward through
    such a graph then fails with torch's own "modified by an inplace operation" error instead of
    reading or writing by the old shape. With shape and dtype kept, torch's behaviour is kept
    (every kernel of the table checks index values; SECURITY.md, "Memory safety").
    """
    old_shape, old_dtype = tensor.shape, tensor.dtype
    tensor.data = value
    if tensor.shape != old_shape or tensor.dtype != old_dtype:
        torch.autograd.graph.increment_version(tensor)


# ---- calls ----------------------------------------------------------------------------------


def _check_device(device: Any, ctx: RunContext) -> None:
    if device is None:
        return
    if isinstance(device, str | torch.device):
        kind = str(device).split(":", 1)[0]
        if kind in allowlist.ALLOWED_DEVICES or kind in allowlist.ABSENT_DEVICES:
            return  # the CPU, or a device this torch build refuses with its own error
    raise _refuse(f"device={device!r} is not available in the playground: only 'cpu'.", ctx)


def _rejects_unknown_keywords(target: Any) -> bool:
    """Whether torch itself raises TypeError for a keyword its signature does not name (C
    argument parsers and Python functions without **kwargs do)."""
    # Cached per function, never per bound method: a cached bound method would keep its
    # optimizer or module (and their tensors) alive after the run.
    function = getattr(target, "__func__", None)
    if function is not None:
        return _function_rejects_unknown_keywords(function)
    if getattr(target, "__self__", None) is not None and not isinstance(
        target.__self__, type | type(torch)
    ):
        return _signature_rejects_unknown_keywords(target)
    return _function_rejects_unknown_keywords(target)


@functools.cache
def _function_rejects_unknown_keywords(target: Any) -> bool:
    return _signature_rejects_unknown_keywords(target)


def _signature_rejects_unknown_keywords(target: Any) -> bool:
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return True  # a C function: torch's argument parser names every keyword it takes
    return all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters)


def _check_keywords(
    kwargs: dict[str, Any], allowed: frozenset[str], owner: str, target: Any, ctx: RunContext
) -> None:
    """The keyword allow-list: a keyword outside the callable's row is refused with a sentence
    naming it, except one torch's signature does not have at all, for which torch raises its own
    TypeError (rows are torch's keywords minus the refused ones: keyword_rows.py)."""
    for key in kwargs:
        if key in allowed:
            continue
        if (
            key in allowlist.REFUSED_KEYWORDS
            or key.startswith("_")
            or target is None
            or not _rejects_unknown_keywords(target)
        ):
            raise _refuse(allowlist.keyword_refusal(owner, key), ctx)


def _as_python_callable(value: Any, ctx: RunContext) -> Any:
    """A function value torch may call back: only program functions and allowed torch callables.

    Interpreted functions run in the interpreter under the run's budget; torch callables and
    modules are routed back through `call`, so their costs are paid as usual.
    """
    if isinstance(value, InterpretedFunction):
        return value
    if isinstance(value, ProgramInstance) and not isinstance(value, nn.Module):
        routed = program_callable(value)  # a method of the program, a Function's apply
        if routed is not None:
            return routed
    if isinstance(value, SurfaceFunction | BoundMethod | WrappedClass | nn.Module):

        def routed(*args: Any, **kwargs: Any) -> Any:
            return call(value, args, kwargs, ctx)

        routed.__name__ = getattr(value, "name", None) or type(value).__name__
        return routed
    if callable(value):
        raise _refuse(
            f"{to_repr(value)} cannot be handed to torch: only functions defined in the "
            "program (def or lambda) can be.",
            ctx,
        )
    return value  # not callable at all: torch raises its own TypeError


def _prepare_arguments(
    args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> tuple[Sequence[Any], dict[str, Any]]:
    """Check devices and callables; turn parameter generators into lists. (Keywords were
    checked against the callable's row by `_check_keywords` first.)"""
    values: Iterable[Any] = args
    if kwargs:
        if "device" in kwargs:
            _check_device(kwargs["device"], ctx)
        values = chain(args, kwargs.values())
    for value in values:
        if not isinstance(value, _INERT_TYPES):
            break
    else:
        return args, kwargs  # the common case: tensors, numbers and dtypes only
    prepared_args = tuple(_prepare_value(a, ctx) for a in args)
    if not kwargs:
        return prepared_args, kwargs
    return prepared_args, {k: _prepare_value(v, ctx) for k, v in kwargs.items()}


_INERT_TYPES = (torch.Tensor, int, float, bool, str, type(None), torch.dtype, tuple)


def _parameter_group(group: dict[Any, Any]) -> dict[Any, Any]:
    """`{"params": model.parameters(), "lr": 0.1}` for an optimizer: the generator as a list."""
    params = group.get("params")
    if isinstance(params, SurfaceGenerator):
        return {**group, "params": list(params.items)}
    return group


def _prepare_value(value: Any, ctx: RunContext) -> Any:
    if isinstance(value, _INERT_TYPES):
        return value
    if isinstance(value, ProgramInstance) and not isinstance(value, nn.Module):
        # The program's own objects reach the program's own code only (their special methods
        # would run inside torch's C code): a module is torch's, a method of the program or a
        # Function's apply runs interpreted (gradcheck(MyFn.apply, ...)), the rest is refused.
        routed = program_callable(value)
        if routed is not None:
            return routed
        raise _refuse(
            f"{type(value).__name__} objects of the program cannot be handed to torch; pass "
            "tensors or numbers.",
            ctx,
        )
    if isinstance(value, dict):
        return _parameter_group(value)
    if isinstance(value, list):
        if any(isinstance(item, dict) for item in value):
            return [_parameter_group(v) if isinstance(v, dict) else v for v in value]
        return value
    if isinstance(value, SurfaceGenerator):
        return list(value.items)
    if isinstance(value, nn.Module):
        return value  # nn.Sequential(nn.Linear(...)) takes modules
    if callable(value):
        return _as_python_callable(value, ctx)
    return value


def _pay(estimated: Estimate, what: str, ctx: RunContext) -> None:
    """Pay for an op before it runs; every torch op pays through here, in one call (the hottest
    of the surface): the element limit and the per-op and per-run costs (`check_elements` and
    `charge` are called only when they raise), then room for the result's bytes."""
    elements, cost = estimated
    limits = ctx.limits
    if elements > limits.tensor_elements:
        ctx.check_elements(elements, what)
    if cost > limits.op_cost or ctx.cost_spent + cost > limits.run_cost:
        ctx.charge(cost, what)
    else:
        ctx.cost_spent += cost
    if elements >= memory.TRACKED_ELEMENTS:
        memory.check_room(elements, what, ctx)


# Estimators of the tensor methods, resolved once (see costs.estimator_for).
_TENSOR_ESTIMATORS: dict[str, Estimator] = {
    name: estimator_for(entry.cost, getattr(torch.Tensor, name, None))
    for name, entry in allowlist.TENSOR.items()
    if entry.kind is Kind.METHOD
}


def call(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    """Call a surface callable: pay its cost, run it, report the result to the observer."""
    ctx.grad_epoch += 1  # any call may change a .grad (backward, zero_grad, an in-place op)
    if isinstance(fn, BoundMethod):
        return _call_method(fn, args, kwargs, ctx)
    if isinstance(fn, SurfaceFunction):
        return _call_function(fn, args, kwargs, ctx)
    if isinstance(fn, nn.Module):
        return _call_module(fn, args, kwargs, ctx)
    if type(fn) is WrappedClass:
        return _construct(fn, args, kwargs, ctx)
    if isinstance(fn, TensorTypeToken):
        return _legacy_constructor(fn, args, kwargs, ctx)
    raise TypeError(f"'{_type_name(fn)}' object is not callable")


def _finish(result: Any, inputs: Sequence[Any], ctx: RunContext) -> Any:
    dense.check(result, ctx)
    memory.track(result, ctx)
    if ctx.reports_ops:
        ctx.observer.op_result(result, inputs, ctx.line)
    return result


def _call_function(
    fn: SurfaceFunction, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    if kwargs:
        _check_keywords(kwargs, fn.entry.keywords, fn.qualified, fn.target, ctx)
    special = _SPECIAL_FUNCTIONS.get(fn.qualified)
    if special is not None:
        return special(fn, args, kwargs, ctx)
    args, kwargs = _prepare_arguments(args, kwargs, ctx)
    _pay(fn.estimator(args, kwargs), fn.qualified, ctx)
    result = fn.target(*args, **kwargs)
    return _finish(result, (*args, *kwargs.values()), ctx)


def _method_owner_label(owner: Any, name: str) -> tuple[str, str]:
    """(row key, label) of a method of an nn module, optimizer or scheduler."""
    if isinstance(owner, nn.Module):
        return f"Module.{name}", f"{type(owner).__name__}.{name}"
    if isinstance(owner, torch.optim.Optimizer):
        return f"optimizer.{name}", f"{type(owner).__name__}.{name}"
    return f"scheduler.{name}", f"{type(owner).__name__}.{name}"


def _call_method(
    method: BoundMethod, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    owner = method.owner
    if isinstance(owner, torch.Tensor):
        return _call_tensor_method(owner, method, args, kwargs, ctx)
    if kwargs:
        label = _method_owner_label(owner, method.name)[1]
        real_owner = owner.real if isinstance(owner, HookHandle) else owner
        target = getattr(real_owner, method.name, None)
        _check_keywords(kwargs, method.entry.keywords, label, target, ctx)
    args, kwargs = _prepare_arguments(args, kwargs, ctx)
    if isinstance(owner, nn.Module):
        return _call_module_method(owner, method.name, args, kwargs, ctx)
    if isinstance(owner, torch.optim.Optimizer):
        if method.name == "step":
            _pay(optimizer_step_estimate(owner), "optimizer.step", ctx)
            dense.check_gradients((p for group in owner.param_groups for p in group["params"]), ctx)
        return _finish(getattr(owner, method.name)(*args, **kwargs), (), ctx)
    if isinstance(owner, _SCHEDULER):
        ctx.charge(max(len(owner.optimizer.param_groups), 1), f"scheduler.{method.name}")
        return getattr(owner, method.name)(*args, **kwargs)
    if isinstance(owner, GradFnView | HookHandle):
        target = owner if isinstance(owner, GradFnView) else owner.real
        return getattr(target, method.name)(*args, **kwargs)
    raise TypeError(f"'{_type_name(method)}' object is not callable")


def _call_tensor_method(
    tensor: torch.Tensor,
    method: BoundMethod,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    ctx: RunContext,
) -> Any:
    return _TENSOR_METHOD_CALLS[method.name](tensor, args, kwargs, ctx)


def _call_module_method(
    module: nn.Module, name: str, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    if name in ("parameters", "named_parameters"):
        items = list(getattr(module, name)(*args, **kwargs))
        return SurfaceGenerator(f"Module.{name}", items)
    if name in ("keys", "values", "items"):
        if not isinstance(module, nn.ModuleDict):
            raise _refuse_attribute(module, name, ctx)
        ctx.charge(max(len(module), 1), f"ModuleDict.{name}")
        return getattr(module, name)(*args, **kwargs)
    if name == "append":
        if not isinstance(module, nn.ModuleList | nn.ParameterList):
            raise _refuse_attribute(module, name, ctx)
        _check_container_length(len(module) + 1, ctx)
    return getattr(module, name)(*args, **kwargs)


def _check_container_length(length: int, ctx: RunContext) -> None:
    if length > ctx.limits.list_length:
        raise ctx.limit_exceeded(
            "list_length",
            f"The module list would hold {length:,} items; a list may have at most "
            f"{ctx.limits.list_length:,}.",
        )


def _call_module(
    module: nn.Module, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    if kwargs:
        name = type(module).__name__
        allowed = allowlist.FORWARD_KEYWORDS.get(name, frozenset())
        _check_keywords(kwargs, allowed, name, type(module).forward, ctx)
    args, kwargs = _prepare_arguments(args, kwargs, ctx)
    _pay(module_call_estimate(module, args), type(module).__name__, ctx)
    result = module(*args, **kwargs)
    return _finish(result, (*args, *kwargs.values()), ctx)


def _construct(
    cls: WrappedClass, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    if kwargs:
        _check_keywords(kwargs, cls.entry.keywords, cls.qualified, cls.real, ctx)
    special = _SPECIAL_CONSTRUCTORS.get(cls.qualified)
    if special is not None:
        special(args, kwargs, ctx)
    args, kwargs = _prepare_arguments(args, kwargs, ctx)
    if cls.entry.cost is CostRule.MODULE_INIT:
        _pay(module_init_estimate(cls.real, args, kwargs), cls.qualified, ctx)
    else:
        ctx.charge(1, cls.qualified)
    return _finish(cls.real(*args, **kwargs), (), ctx)


def _legacy_constructor(
    token: TensorTypeToken, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> torch.Tensor:
    """`torch.Tensor([1.0, 2.0])`, `torch.FloatTensor([[1], [2]])`: from data only; the size form
    `torch.Tensor(2, 3)` returns uninitialised memory and is refused."""
    what = f"torch.{token.name}"
    if kwargs:
        _check_keywords(kwargs, frozenset(), what, token.real, ctx)
    if any(isinstance(a, int | torch.Size) and not isinstance(a, bool) for a in args):
        raise _refuse(
            f"{what}(sizes) is not available in the playground: it returns uninitialised "
            f"memory; use torch.zeros(...) or {what}([values]).",
            ctx,
        )
    _pay(estimator_for(CostRule.DATA, None)(args, kwargs), what, ctx)
    return _finish(token.real(*args), args, ctx)


def _construct_device(args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> None:
    kind = args[0] if args else kwargs.get("type")
    if isinstance(kind, str):
        name = kind.split(":", 1)[0]
        known = allowlist.ALLOWED_DEVICES | allowlist.ABSENT_DEVICES
        if name not in known and name.isidentifier():
            try:
                torch.device(name)  # an unknown name: torch's own RuntimeError
            except RuntimeError:
                raise
            raise _refuse(
                f"torch.device({kind!r}) is not available in the playground: only 'cpu' "
                "(and 'cuda'/'mps', which this CPU-only torch refuses when used).",
                ctx,
            )


def _construct_data_loader(args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> None:
    dataset = args[0] if args else kwargs.get("dataset")
    if not isinstance(dataset, torch.utils.data.TensorDataset):
        raise _refuse(
            "DataLoader takes a TensorDataset in the playground: "
            "DataLoader(TensorDataset(x, y), batch_size=...).",
            ctx,
        )


_SPECIAL_CONSTRUCTORS: dict[str, Callable[[Sequence[Any], dict[str, Any], RunContext], None]] = {
    "torch.device": _construct_device,
    "torch.utils.data.DataLoader": _construct_data_loader,
}


# ---- special calls --------------------------------------------------------------------------

SpecialFunction = Callable[[SurfaceFunction, Sequence[Any], dict[str, Any], RunContext], Any]
SpecialMethod = Callable[[torch.Tensor, Sequence[Any], dict[str, Any], RunContext], Any]


def _manual_seed(
    fn: SurfaceFunction, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    torch.manual_seed(*args, **kwargs)
    return GENERATOR_TOKEN  # the real Generator offers get_state/set_state


def _grad_mode(
    fn: SurfaceFunction, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> GradModeContext:
    real = fn.target(*args, **kwargs)
    context: GradModeContext = as_python_type(GradModeContext, type(real).__name__)(fn.name, real)
    return context


def _autograd_backward(
    fn: SurfaceFunction, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> None:
    args, kwargs = _prepare_arguments(args, kwargs, ctx)
    autograd_calls.autograd_backward(args, kwargs, ctx)


def _autograd_grad(
    fn: SurfaceFunction, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    args, kwargs = _prepare_arguments(args, kwargs, ctx)
    result = autograd_calls.autograd_grad(args, kwargs, ctx)
    return _finish(result, (*args, *kwargs.values()), ctx)


def _autograd_functional(
    fn: SurfaceFunction, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    return autograd_calls.functional_call(fn.name, args, kwargs, ctx, _as_python_callable)


def _gradcheck(
    fn: SurfaceFunction, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    return autograd_calls.gradcheck(args, dict(kwargs), ctx, _as_python_callable)


def _set_default_device(
    fn: SurfaceFunction, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> None:
    device = args[0] if args else kwargs.get("device")
    if device is not None and (
        not isinstance(device, str | torch.device)
        or str(device).split(":", 1)[0] not in allowlist.ALLOWED_DEVICES
    ):
        # Unlike device= on one call, a default device would outlive this call (and run).
        raise _refuse(
            f"torch.set_default_device({device!r}) is not available in the playground: only 'cpu'.",
            ctx,
        )
    # The CPU is already the default: torch would install a device mode for every later call
    # (and every later run of this worker), with nothing to show for it.


_SPECIAL_FUNCTIONS: dict[str, SpecialFunction] = {
    "torch.manual_seed": _manual_seed,
    "torch.set_default_device": _set_default_device,
    "torch.inference_mode": _grad_mode,
    "torch.no_grad": _grad_mode,
    "torch.enable_grad": _grad_mode,
    "torch.set_grad_enabled": _grad_mode,
    "torch.autograd.backward": _autograd_backward,
    "torch.autograd.grad": _autograd_grad,
    "torch.autograd.gradcheck": _gradcheck,
    **{
        f"torch.autograd.functional.{name}": _autograd_functional
        for name in allowlist.AUTOGRAD_FUNCTIONAL
    },
    **python_modules.SPECIAL_FUNCTIONS,
}


def _tensor_backward(
    tensor: torch.Tensor, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> None:
    args, kwargs = _prepare_arguments(args, kwargs, ctx)
    autograd_calls.tensor_backward(tensor, args, kwargs, ctx)


def _register_hook(
    tensor: torch.Tensor, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> HookHandle:
    return autograd_calls.register_hook(tensor, args, kwargs, ctx, _as_python_callable)


def _tolist(
    tensor: torch.Tensor, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> Any:
    longest = max(tensor.shape, default=0)
    if longest > ctx.limits.list_length:
        raise ctx.limit_exceeded(
            "list_length",
            f"Tensor.tolist would build a list of {longest:,} items; a list may have at most "
            f"{ctx.limits.list_length:,}.",
        )
    ctx.charge(max(tensor.numel(), 1), "Tensor.tolist")
    ctx.charge_python_items(tensor.numel())
    return tensor.tolist(*args, **kwargs)


def _to(tensor: torch.Tensor, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    for arg in args:
        if isinstance(arg, str | torch.device):
            _check_device(arg, ctx)
    args, kwargs = _prepare_arguments(args, kwargs, ctx)
    ctx.charge(max(tensor.numel(), 1), "Tensor.to")
    result = tensor.to(*args, **kwargs)
    return _finish(result, (tensor, *args, *kwargs.values()), ctx)


def _register_post_accumulate_grad_hook(
    tensor: torch.Tensor, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> HookHandle:
    return autograd_calls.register_post_accumulate_grad_hook(
        tensor, args, kwargs, ctx, _as_python_callable
    )


_SPECIAL_TENSOR_METHODS: dict[str, SpecialMethod] = {
    "backward": _tensor_backward,
    "register_hook": _register_hook,
    "register_post_accumulate_grad_hook": _register_post_accumulate_grad_hook,
    "tolist": _tolist,
    "to": _to,
}


def _tensor_method_call(name: str, entry: Entry) -> SpecialMethod:
    """`tensor.name(*args, **kwargs)`: estimator and message resolved once per method name."""
    keywords = entry.keywords
    target = getattr(torch.Tensor, name)
    special = _SPECIAL_TENSOR_METHODS.get(name)
    if special is not None:
        special_method = special

        def call_special_method(
            tensor: torch.Tensor, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
        ) -> Any:
            ctx.grad_epoch += 1
            if kwargs:
                _check_keywords(kwargs, keywords, f"Tensor.{name}", target, ctx)
            return special_method(tensor, args, kwargs, ctx)

        return call_special_method
    estimator = None if entry.cost is CostRule.FREE else _TENSOR_ESTIMATORS[name]
    self_sized = entry.cost in SELF_SIZED_RULES
    what = f"Tensor.{name}"
    tensor_type = torch.Tensor
    tracked = memory.TRACKED_ELEMENTS
    is_dense = dense.is_dense

    def call_tensor_method(
        tensor: torch.Tensor, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
    ) -> Any:
        ctx.grad_epoch += 1  # in-place methods (`zero_`, `add_`) change a .grad held here
        if args or kwargs:
            if kwargs:
                _check_keywords(kwargs, keywords, what, target, ctx)
            args, kwargs = _prepare_arguments(args, kwargs, ctx)
            if estimator is not None:
                _pay(estimator((tensor, *args), kwargs), what, ctx)
        elif self_sized:  # `x.sum()`: the estimator's answer without calling it
            elements = tensor.numel()
            _pay((elements, elements if elements else 1), what, ctx)
        elif estimator is not None:
            _pay(estimator((tensor,), kwargs), what, ctx)
        result = getattr(tensor, name)(*args, **kwargs)
        # _finish, inlined: this is the hottest call of the language. memory.track ignores a
        # small plain tensor: skip calling it.
        if type(result) is tensor_type:
            if not is_dense(result):
                raise dense.refusal(result, ctx)
            if result.numel() >= tracked:
                memory.track(result, ctx)
        else:
            dense.check(result, ctx)
            memory.track(result, ctx)
        if ctx.reports_ops:
            ctx.observer.op_result(result, (tensor, *args, *kwargs.values()), ctx.line)
        return result

    return call_tensor_method


_TENSOR_METHOD_CALLS: dict[str, SpecialMethod] = {
    name: _tensor_method_call(name, entry)
    for name, entry in allowlist.TENSOR.items()
    if entry.kind is Kind.METHOD
}


def tensor_method(name: str) -> SpecialMethod | None:
    """How to call allowed tensor method `name` on a tensor, without a bound method in between.

    The compiler resolves it once per `obj.name(...)` call site; None for any other name, which
    then goes through `get_attribute` (and is refused there unless the table lists it).
    """
    return _TENSOR_METHOD_CALLS.get(name)


# ---- operators ------------------------------------------------------------------------------


_BINARY = ALL_BINARY_OPERATORS

_NUMBER_TYPES = (int, float, bool)


def _operator_estimate(op: str, left: Any, right: Any) -> Estimate:
    if op in ("@", "@="):
        return matmul_estimate(left, right)
    # Fast path: most operators see two tensors of one shape, or a tensor and a number.
    if isinstance(left, torch.Tensor):
        if isinstance(right, _NUMBER_TYPES) or (
            isinstance(right, torch.Tensor) and right.shape == left.shape
        ):
            elements = left.numel()
            return elements, max(elements, 1)
    elif isinstance(right, torch.Tensor) and isinstance(left, _NUMBER_TYPES):
        elements = right.numel()
        return elements, max(elements, 1)
    elements = broadcast_numel((left, right))
    return elements, max(elements, 1)


# What a refused or too costly operator is called in messages, formatted once.
_OPERATOR_WHAT: dict[str, str] = {op: f"The {op} operator" for op in _BINARY}

TensorOperator = Callable[[Any, Any, RunContext], Any]


def _tensor_operator(op: str) -> TensorOperator:
    """`left op right` with a tensor on either side: pay, run, track, report. The function and
    message are resolved once per operator."""
    function = _BINARY[op]
    what = _OPERATOR_WHAT[op]
    estimate_first = op in ("@", "@=")
    tensor_type = torch.Tensor
    tracked = memory.TRACKED_ELEMENTS
    is_dense = dense.is_dense

    def apply_to_tensor(left: Any, right: Any, ctx: RunContext) -> Any:
        if not estimate_first and isinstance(left, tensor_type) and type(right) in _NUMBER_TYPES:
            # `y * 2`, `x.norm() < 1000`: the estimate of _operator_estimate, without the call.
            elements = left.numel()
            cost = elements if elements else 1
        else:
            elements, cost = _operator_estimate(op, left, right)
        _pay((elements, cost), what, ctx)
        result = function(left, right)
        # _finish, inlined as in tensor method calls: operators are as hot.
        if type(result) is tensor_type:
            if not is_dense(result):
                raise dense.refusal(result, ctx)
            if result.numel() >= tracked:
                memory.track(result, ctx)
        else:
            dense.check(result, ctx)
            memory.track(result, ctx)
        if ctx.reports_ops:
            ctx.observer.op_result(result, (left, right), ctx.line)
        return result

    return apply_to_tensor


def _in_place_operator(pure: TensorOperator) -> TensorOperator:
    """`t += u` and the other augmented forms change `t` itself: `t` may be a `.grad`."""

    def apply_in_place(left: Any, right: Any, ctx: RunContext) -> Any:
        ctx.grad_epoch += 1
        return pure(left, right, ctx)

    return apply_in_place


_TENSOR_OPERATORS: dict[str, TensorOperator] = {
    op: _in_place_operator(_tensor_operator(op))
    if op in AUGMENTED_SYMBOLS
    else _tensor_operator(op)
    for op in BINARY_OPERATORS
}


def tensor_operator(op: str) -> TensorOperator | None:
    """How to apply operator `op` when either operand is a tensor (None for `in` and `is`).

    The compiler resolves it once per operator site, as `tensor_method` for calls; the result
    is the same as `binary_op`'s, which goes through it too.
    """
    return _TENSOR_OPERATORS.get(op)


def binary_op(op: str, left: Any, right: Any, ctx: RunContext) -> Any:
    """`left op right` when either side is a surface value; torch's own errors come through."""
    function = _BINARY.get(op)
    if function is None:
        raise _refuse(f"The operator {op} is not available in the playground.", ctx)
    if op in ("is", "is not", "in", "not in"):
        return function(left, right)
    if isinstance(left, torch.Tensor) or isinstance(right, torch.Tensor):
        return _TENSOR_OPERATORS[op](left, right, ctx)
    if op in ("*", "*=") and isinstance(left, torch.Size | tuple) and isinstance(right, int):
        _check_repeat(len(left) * right, ctx)
    if op in ("*", "*=") and isinstance(right, torch.Size | tuple) and isinstance(left, int):
        _check_repeat(len(right) * left, ctx)
    return function(left, right)


def _check_repeat(length: int, ctx: RunContext) -> None:
    if length > ctx.limits.list_length:
        raise ctx.limit_exceeded(
            "list_length",
            f"The result would have {length:,} items; a sequence may have at most "
            f"{ctx.limits.list_length:,}.",
        )


_UNARY = UNARY_OPERATORS


def unary_op(op: str, operand: Any, ctx: RunContext) -> Any:
    """`-t`, `+t`, `~t` (and `not t`) on a surface value."""
    if op == "not":
        return not truth(operand, ctx)
    function = _UNARY.get(op)
    if function is None:
        raise _refuse(f"The operator {op} is not available in the playground.", ctx)
    if isinstance(operand, torch.Tensor):
        ctx.charge(max(operand.numel(), 1), f"The {op} operator")
        return _finish(function(operand), (operand,), ctx)
    return function(operand)


def truth(obj: Any, ctx: RunContext) -> bool:
    """`if t:` — torch raises its own error for tensors of more than one element."""
    return bool(obj)


# ---- indexing and iteration -----------------------------------------------------------------

_BASIC_INDEX_TYPES = (int, slice, type(None), type(Ellipsis), bool)


def _is_basic_index(key: Any) -> bool:
    if isinstance(key, tuple):
        return all(isinstance(k, _BASIC_INDEX_TYPES) for k in key)
    return isinstance(key, _BASIC_INDEX_TYPES)


def get_item(obj: Any, key: Any, ctx: RunContext) -> Any:
    """`t[...]`, `size[0]`, `model[0]`: basic indexing is a view; advanced indexing is sized."""
    if isinstance(obj, torch.Tensor):
        if _is_basic_index(key):
            ctx.charge(1, "Indexing")  # a view: never larger than the tensor
        else:
            elements = indexing_elements(obj.shape, key)
            _pay((elements, max(elements, 1)), "Indexing", ctx)
        return _finish(obj[key], (obj, key), ctx)
    if isinstance(obj, _INDEXABLE_TYPES):
        sequence: Any = obj  # a tuple or a module list (isinstance on a tuple of types erases it)
        return sequence[key]
    if isinstance(obj, torch.utils.data.TensorDataset):
        ctx.charge(max(len(obj.tensors), 1), "Indexing a dataset")
        return _finish(obj[key], (key,), ctx)  # a tuple of rows (views); torch's IndexError
    raise TypeError(f"'{_type_name(obj)}' object is not subscriptable")


def set_item(obj: Any, key: Any, value: Any, ctx: RunContext) -> None:
    """`t[...] = v` (torch checks leaves and shapes); nothing else is assignable."""
    if isinstance(obj, torch.Tensor):
        ctx.grad_epoch += 1
        value_size = broadcast_numel((value,))
        ctx.charge(max(obj.numel(), value_size, 1), "Index assignment")
        dense.check(value, ctx)
        obj[key] = value
        ctx.observer.op_result(obj, (obj, value), ctx.line)
        return
    if isinstance(obj, nn.Module):
        raise _refuse("Assigning into an nn module is not allowed in the playground.", ctx)
    raise TypeError(f"'{_type_name(obj)}' object does not support item assignment")


def iterate(obj: Any, ctx: RunContext) -> Iterator[Any]:
    """`for row in t`, `for n in x.shape`, `for p in model.parameters()`."""
    if isinstance(obj, torch.Tensor):
        # torch builds every row up front (unbind), so a huge first dimension is refused first.
        if obj.dim() > 0 and obj.shape[0] > ctx.limits.list_length:
            raise ctx.limit_exceeded(
                "list_length",
                f"Iterating a tensor would build {obj.shape[0]:,} rows; at most "
                f"{ctx.limits.list_length:,} can be iterated.",
            )
        ctx.charge(max(obj.numel(), 1), "Iterating a tensor")
        rows = tuple(iter(obj))  # torch's own rows (UnbindBackward0) and 0-d error
        if rows:
            dense.check_tensor(rows[0], ctx)  # rows share their tensor's layout and device
        ctx.observer.op_result(rows, (obj,), ctx.line)
        return iter(rows)
    if isinstance(obj, SurfaceGenerator):
        return obj.items
    if isinstance(obj, torch.utils.data.DataLoader):
        return _iterate_loader(obj, ctx)
    if isinstance(obj, torch.utils.data.TensorDataset):
        return (get_item(obj, index, ctx) for index in range(len(obj)))
    if isinstance(obj, _INDEXABLE_TYPES):
        sequence: Any = obj  # a tuple or a module list (isinstance on a tuple of types erases it)
        return iter(sequence)
    raise TypeError(f"'{_type_name(obj)}' object is not iterable")


def _iterate_loader(loader: torch.utils.data.DataLoader, ctx: RunContext) -> Iterator[Any]:
    """`for xb, yb in loader`: torch's own loader (so shuffling draws from the run's seeded
    generator exactly as torch does), each batch paid before torch builds it."""
    dataset = loader.dataset
    assert isinstance(dataset, torch.utils.data.TensorDataset)  # checked at construction
    per_sample = sum(t[0].numel() if t.dim() > 0 and len(t) else 1 for t in dataset.tensors)
    ctx.charge(max(len(dataset), 1), "Starting to iterate a DataLoader")  # the sampler's order
    batch_size = min(loader.batch_size or 1, max(len(dataset), 1))
    batches = iter(loader)

    def batches_paid_for() -> Iterator[Any]:
        while True:
            elements = per_sample * batch_size
            _pay((elements, max(elements, 1)), "A DataLoader batch", ctx)
            try:
                batch = next(batches)
            except StopIteration:
                return
            yield _finish(batch, (), ctx)

    return batches_paid_for()


# ---- printing -------------------------------------------------------------------------------


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# Objects whose default repr carries a memory address, which the playground never shows.
_ADDRESSED_TYPES = (_SCHEDULER, *_DATA_TYPES)


def to_repr(obj: Any) -> str:
    """`repr(obj)`: torch's own text for real objects, no addresses for the wrappers."""
    if isinstance(obj, SurfaceValue):
        return obj.display()
    if isinstance(obj, _ADDRESSED_TYPES):
        return _ADDRESS.sub("", repr(obj))
    return repr(obj)


def to_str(obj: Any) -> str:
    """`str(obj)` / `print(obj)`: torch's own formatting."""
    if isinstance(obj, SurfaceValue):
        return obj.display()
    if isinstance(obj, _ADDRESSED_TYPES):
        return _ADDRESS.sub("", str(obj))
    return str(obj)


_SPEC_NUMBERS = re.compile(r"\d+")


def format_value(obj: Any, spec: str, ctx: RunContext) -> str:
    """`f"{t:.2f}"`: torch formats 0-d tensors as their item; widths are bounded first."""
    for number in _SPEC_NUMBERS.findall(spec):
        if len(number) > 9 or int(number) > ctx.limits.str_length:
            raise ctx.limit_exceeded(
                "str_length",
                f"The format spec {spec!r} asks for more than {ctx.limits.str_length:,} "
                "characters.",
            )
    if not spec and not isinstance(obj, torch.Tensor):
        return to_str(obj)
    # A 0-d tensor formats as its item even with an empty spec: f"{loss}" shows 0.25.
    if isinstance(obj, SurfaceValue | GradFnView):
        raise TypeError(f"unsupported format string passed to {_type_name(obj)}.__format__")
    return format(obj, spec)
