"""backward, autograd.grad, autograd.functional, gradcheck and tensor hooks.

Backward passes go to the observer (which records what flowed) with exactly the arguments
torch would have received; argument binding uses functions with torch's own names so that a
wrong call fails with CPython's own TypeError text. User functions handed to torch are
`InterpretedFunction`s: torch calls them, they run in the interpreter under the same budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from app.sandbox.context import RunContext
from app.sandbox.errors import SandboxViolation
from app.sandbox.surface import dense, warn_once
from app.sandbox.surface.values import HookHandle

# Converts a program value into a Python callable torch may call (see torch_surface).
CallableAdapter = Callable[[Any, RunContext], Any]


def _named(qualified: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a binder torch's qualified name, so CPython's TypeErrors name torch's function."""

    def rename(function: Callable[..., Any]) -> Callable[..., Any]:
        function.__qualname__ = qualified
        function.__name__ = qualified.rsplit(".", 1)[-1]
        return function

    return rename


@_named("Tensor.backward")
def _bind_tensor_backward(
    self: Any,
    gradient: Any = None,
    retain_graph: Any = None,
    create_graph: Any = False,
    inputs: Any = None,
) -> tuple[Any, Any, Any, Any]:
    return gradient, retain_graph, create_graph, inputs


@_named("backward")
def _bind_backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: Any = None,
    create_graph: Any = False,
    grad_variables: Any = None,
    inputs: Any = None,
) -> tuple[Any, Any, Any, Any, Any, Any]:
    return tensors, grad_tensors, retain_graph, create_graph, grad_variables, inputs


@_named("grad")
def _bind_grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: Any = None,
    create_graph: Any = False,
    only_inputs: Any = True,
    allow_unused: Any = None,
    is_grads_batched: Any = False,
    materialize_grads: Any = False,
) -> dict[str, Any]:
    return {
        "outputs": outputs,
        "inputs": inputs,
        "grad_outputs": grad_outputs,
        "retain_graph": retain_graph,
        "create_graph": create_graph,
        "allow_unused": allow_unused,
        "is_grads_batched": is_grads_batched,
        "materialize_grads": materialize_grads,
    }


@_named("Tensor.register_hook")
def _bind_register_hook(self: Any, hook: Any) -> Any:
    return hook


def _as_tuple(tensors: Any) -> tuple[Any, ...]:
    """torch's own normalisation: one tensor becomes a 1-tuple, anything else is iterated."""
    if isinstance(tensors, torch.Tensor):
        return (tensors,)
    return tuple(tensors)


def _inputs_tuple(inputs: Any, function: str) -> tuple[Any, ...] | None:
    if inputs is None:
        return None
    if isinstance(inputs, torch.Tensor):
        return (inputs,)
    if type(inputs) is dict:
        return tuple(inputs.values())
    if isinstance(inputs, Mapping):
        raise TypeError(
            f"`inputs` argument to `{function}()` must be a dict, not {type(inputs).__name__}. "
            "Other Mapping types are not supported."
        )
    return tuple(inputs)


def _charge_roots(roots: Sequence[Any], what: str, ctx: RunContext) -> None:
    # A backward pass costs about as much as the forward pass already paid for; charge the
    # roots' size so that a loop of backward calls still counts against the run budget.
    size = sum(t.numel() for t in roots if isinstance(t, torch.Tensor))
    ctx.charge(max(size, 1), what)


def run_backward(
    roots: Any,
    grad_tensors: Any,
    retain_graph: Any,
    create_graph: Any,
    inputs: Any,
    ctx: RunContext,
    function: str = "backward",
) -> None:
    """torch.autograd.backward's normalisation, then the observer runs the real pass."""
    roots_tuple = _as_tuple(roots)
    inputs_tuple = _inputs_tuple(inputs, function)
    if inputs_tuple is not None and len(inputs_tuple) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = None if grad_tensors is None else list(_as_tuple(grad_tensors))
    _charge_roots(roots_tuple, "backward", ctx)
    try:
        ctx.observer.backward(
            list(roots_tuple),
            grads,
            retain_graph,
            bool(create_graph),
            None if inputs_tuple is None else list(inputs_tuple),
            ctx.line,
        )
    except Exception as error:
        if create_graph and warn_once.engine_started(error):
            warn_once.warn_backward_create_graph(ctx)
        raise
    if create_graph:
        warn_once.warn_backward_create_graph(ctx)


def tensor_backward(
    tensor: torch.Tensor, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> None:
    """`y.backward(gradient, retain_graph, create_graph, inputs)`."""
    gradient, retain_graph, create_graph, inputs = _bind_tensor_backward(tensor, *args, **kwargs)
    run_backward(tensor, gradient, retain_graph, create_graph, inputs, ctx)


def autograd_backward(args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> None:
    """`torch.autograd.backward(tensors, grad_tensors, retain_graph, create_graph, inputs=)`."""
    tensors, grad_tensors, retain_graph, create_graph, grad_variables, inputs = _bind_backward(
        *args, **kwargs
    )
    if grad_variables is not None:
        if grad_tensors is not None:
            raise RuntimeError(
                "`grad_tensors` and `grad_variables` (deprecated) arguments both passed to "
                "`backward()`. Please only use `grad_tensors`."
            )
        grad_tensors = grad_variables
    run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs, ctx)


def autograd_grad(
    args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext
) -> tuple[torch.Tensor | None, ...] | dict[Any, torch.Tensor | None]:
    """`torch.autograd.grad(...)` with torch's argument handling; the observer runs it."""
    bound = _bind_grad(*args, **kwargs)
    if bound["is_grads_batched"]:
        raise SandboxViolation(
            "torch.autograd.grad(is_grads_batched=True) is not available in the playground: "
            "it runs under vmap.",
            line=ctx.line,
            col=ctx.col,
        )
    materialize = bool(bound["materialize_grads"])
    allow_unused = bound["allow_unused"]
    if materialize and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    if allow_unused is None:
        allow_unused = materialize
    outputs = _as_tuple(bound["outputs"])
    inputs = bound["inputs"]
    inputs_tuple = _inputs_tuple(inputs, "grad") or ()
    if len(inputs_tuple) == 0:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grad_outputs = bound["grad_outputs"]
    grads = None if grad_outputs is None else list(_as_tuple(grad_outputs))
    _charge_roots(outputs, "torch.autograd.grad", ctx)
    result = ctx.observer.grad(
        list(outputs),
        list(inputs_tuple),
        grads,
        bound["retain_graph"],
        bool(bound["create_graph"]),
        bool(allow_unused),
        ctx.line,
    )
    if materialize:
        result = tuple(
            r if r is not None else torch.zeros_like(i, requires_grad=bool(bound["create_graph"]))
            for r, i in zip(result, inputs_tuple, strict=True)
        )
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), result, strict=True))
    return result


def register_hook(
    tensor: torch.Tensor,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    ctx: RunContext,
    adapt: CallableAdapter,
) -> HookHandle:
    """`t.register_hook(fn)`: torch calls fn(grad) during backward; fn runs interpreted."""
    hook = adapt(_bind_register_hook(tensor, *args, **kwargs), ctx)

    def run_user_hook(grad: torch.Tensor) -> Any:
        dense.check(grad, ctx)  # the gradient torch hands the program
        return hook(grad)

    # torch names the hook in its errors ("hook 'widen' has changed the size of value").
    run_user_hook.__name__ = str(getattr(hook, "name", None) or getattr(hook, "__name__", "hook"))
    return HookHandle(tensor.register_hook(run_user_hook))


# ---- torch.autograd.functional and gradcheck -------------------------------------------------


@_named("jacobian")
def _bind_jacobian(
    func: Any,
    inputs: Any,
    create_graph: Any = False,
    strict: Any = False,
    vectorize: Any = False,
    strategy: Any = "reverse-mode",
) -> tuple[Any, Any, dict[str, Any]]:
    if vectorize or strategy != "reverse-mode":
        return func, inputs, {"vectorize": vectorize}
    return func, inputs, {"create_graph": create_graph, "strict": strict}


@_named("hessian")
def _bind_hessian(
    func: Any,
    inputs: Any,
    create_graph: Any = False,
    strict: Any = False,
    vectorize: Any = False,
    outer_jacobian_strategy: Any = "reverse-mode",
) -> tuple[Any, Any, dict[str, Any]]:
    if vectorize or outer_jacobian_strategy != "reverse-mode":
        return func, inputs, {"vectorize": vectorize}
    return func, inputs, {"create_graph": create_graph, "strict": strict}


@_named("vjp")
def _bind_vjp(
    func: Any, inputs: Any, v: Any = None, create_graph: Any = False, strict: Any = False
) -> tuple[Any, Any, dict[str, Any]]:
    return func, inputs, {"v": v, "create_graph": create_graph, "strict": strict}


@_named("jvp")
def _bind_jvp(
    func: Any, inputs: Any, v: Any = None, create_graph: Any = False, strict: Any = False
) -> tuple[Any, Any, dict[str, Any]]:
    return func, inputs, {"v": v, "create_graph": create_graph, "strict": strict}


_FUNCTIONAL_BINDERS: dict[str, Callable[..., tuple[Any, Any, dict[str, Any]]]] = {
    "jacobian": _bind_jacobian,
    "hessian": _bind_hessian,
    "vjp": _bind_vjp,
    "jvp": _bind_jvp,
}

_GRADCHECK_OPTIONS = frozenset(
    {
        "eps",
        "atol",
        "rtol",
        "raise_exception",
        "nondet_tol",
        "check_undefined_grad",
        "check_grad_dtypes",
        "check_backward_ad",
        "fast_mode",
    }
)


def _input_numel(inputs: Any) -> int:
    parts = inputs if isinstance(inputs, list | tuple) else (inputs,)
    return sum(p.numel() for p in parts if isinstance(p, torch.Tensor))


def _guarded(func: Callable[..., Any], input_numel: int, what: str, ctx: RunContext) -> Any:
    """Wrap the user's function so the Jacobian's size is refused before torch builds it."""

    def guarded(*args: Any) -> Any:
        dense.check(args, ctx)
        result = func(*args)
        outputs = result if isinstance(result, list | tuple) else (result,)
        output_numel = sum(o.numel() for o in outputs if isinstance(o, torch.Tensor))
        cells = output_numel * input_numel
        ctx.check_elements(cells, f"The Jacobian of {what}")
        ctx.charge(max(cells, 1), what)
        return result

    return guarded


def _refuse_vectorize(what: str, ctx: RunContext) -> SandboxViolation:
    return SandboxViolation(
        f"{what} with vectorize=True or forward-mode strategies is not available in the "
        "playground: it runs the function under vmap.",
        line=ctx.line,
        col=ctx.col,
    )


def functional_call(
    name: str, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext, adapt: CallableAdapter
) -> Any:
    """torch.autograd.functional.jacobian/hessian/vjp/jvp with the size of the result bounded."""
    what = f"torch.autograd.functional.{name}"
    binder = _FUNCTIONAL_BINDERS[name]
    func, inputs, options = binder(*args, **kwargs)
    if "vectorize" in options:
        raise _refuse_vectorize(what, ctx)
    input_numel = _input_numel(inputs)
    if name == "hessian":
        ctx.check_elements(input_numel * input_numel, f"The Hessian of {what}")
    guarded = _guarded(adapt(func, ctx), input_numel, what, ctx)
    real = getattr(torch.autograd.functional, name)
    result = real(guarded, inputs, **options)
    dense.check(result, ctx)
    ctx.observer.op_result(result, [inputs], ctx.line)
    return result


def gradcheck(
    args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext, adapt: CallableAdapter
) -> Any:
    """torch.autograd.gradcheck with the options that do not need vmap or forward AD."""
    for option in kwargs:
        if option not in _GRADCHECK_OPTIONS and option not in ("func", "inputs"):
            raise SandboxViolation(
                f"torch.autograd.gradcheck({option}=...) is not available in the playground.",
                line=ctx.line,
                col=ctx.col,
            )
    if len(args) > 2:
        raise TypeError(f"gradcheck() takes 2 positional arguments but {len(args)} were given")
    func = args[0] if args else kwargs.pop("func", None)
    inputs = args[1] if len(args) > 1 else kwargs.pop("inputs", None)
    guarded = _guarded(adapt(func, ctx), _input_numel(inputs), "torch.autograd.gradcheck", ctx)
    return torch.autograd.gradcheck(guarded, inputs, **kwargs)
