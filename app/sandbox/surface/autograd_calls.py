"""backward, autograd.grad, autograd.functional, gradcheck and tensor hooks.

Every backward pass of a program (and the request's) is run here, by `run_pass`, with exactly
the arguments torch would have received, inside the observer's listener (which records what
flowed); argument binding uses functions with torch's own names so that a
wrong call fails with CPython's own TypeError text. User functions handed to torch are
`InterpretedFunction`s: torch calls them, they run in the interpreter under the same budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from app.sandbox.context import RunContext
from app.sandbox.errors import SandboxViolation
from app.sandbox.observer import BACKWARD, GRAD, BackwardPass, Gradients, Observer
from app.sandbox.surface import dense, warn_once
from app.sandbox.surface.graph_cost import graph_cost
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


def _charge_roots(
    roots: Sequence[Any], what: str, ctx: RunContext, passes: int = 1, create_graph: Any = False
) -> None:
    # Each pass walks the whole graph behind the roots, whoever paid for building it (a loop of
    # `retain_graph` passes, graphs made by create_graph=True): pay for it before it runs.
    room = ctx.room_left()
    cost = graph_cost(roots, room // max(passes, 1), bool(create_graph))
    ctx.charge_pass(cost * passes, what)


def run_pass(backward: BackwardPass, observer: Observer) -> Gradients | None:
    """Run one backward or autograd.grad call, the observer listening: the one place a pass
    starts (the program's, through the functions below, and the request's, from the runner)."""
    roots = list(backward.roots)
    root_grads = None if backward.root_grads is None else list(backward.root_grads)
    inputs = None if backward.inputs is None else list(backward.inputs)
    with observer.backward_pass(backward) as listener:
        if backward.call == GRAD:
            result: Gradients | None = torch.autograd.grad(
                roots,
                inputs or [],
                grad_outputs=root_grads,
                retain_graph=backward.retain_graph,
                create_graph=backward.create_graph,
                allow_unused=backward.allow_unused,
            )
        else:
            torch.autograd.backward(
                roots,
                grad_tensors=root_grads,
                retain_graph=backward.retain_graph,
                create_graph=backward.create_graph,
                inputs=inputs,
            )
            result = None
        listener.finished(result)
    return result


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
    _charge_roots(roots_tuple, "backward", ctx, create_graph=create_graph)
    backward = BackwardPass(
        BACKWARD,
        list(roots_tuple),
        grads,
        None if inputs_tuple is None else list(inputs_tuple),
        retain_graph,
        bool(create_graph),
        ctx.line or None,
    )
    try:
        run_pass(backward, ctx.observer)
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
        return _batched_grad(bound, ctx)
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
    _charge_roots(outputs, "torch.autograd.grad", ctx, create_graph=bound["create_graph"])
    backward = BackwardPass(
        GRAD,
        list(outputs),
        grads,
        list(inputs_tuple),
        bound["retain_graph"],
        bool(bound["create_graph"]),
        ctx.line or None,
        allow_unused=bool(allow_unused),
    )
    result = run_pass(backward, ctx.observer)
    assert result is not None  # autograd.grad returns its gradients
    if materialize:
        result = tuple(
            r if r is not None else torch.zeros_like(i, requires_grad=bool(bound["create_graph"]))
            for r, i in zip(result, inputs_tuple, strict=True)
        )
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), result, strict=True))
    return result


def _batched_grad(bound: dict[str, Any], ctx: RunContext) -> Any:
    """`autograd.grad(..., is_grads_batched=True)`: torch runs the backward once per row of the
    batched grad_outputs (under vmap); it is paid per row and not traced step by step (the
    trace shows one gradient per edge, a batch has many)."""
    outputs = _as_tuple(bound["outputs"])
    grad_outputs = bound["grad_outputs"]
    rows = 1
    if grad_outputs is not None:
        first = _as_tuple(grad_outputs)[0] if _as_tuple(grad_outputs) else None
        if isinstance(first, torch.Tensor) and first.dim() > 0:
            rows = first.shape[0]
    size = sum(t.numel() for t in outputs if isinstance(t, torch.Tensor))
    ctx.charge(max(size * rows, 1), "torch.autograd.grad")
    return torch.autograd.grad(**bound)


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


def register_post_accumulate_grad_hook(
    tensor: torch.Tensor,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    ctx: RunContext,
    adapt: CallableAdapter,
) -> HookHandle:
    """`p.register_post_accumulate_grad_hook(fn)`: fn(p) runs interpreted after p.grad is
    accumulated (torch refuses non-leaf tensors itself)."""
    hook = adapt(_bind_post_accumulate_hook(tensor, *args, **kwargs), ctx)

    def run_user_hook(param: torch.Tensor) -> Any:
        return hook(param)

    run_user_hook.__name__ = str(getattr(hook, "name", None) or getattr(hook, "__name__", "hook"))
    return HookHandle(tensor.register_post_accumulate_grad_hook(run_user_hook))


@_named("Tensor.register_post_accumulate_grad_hook")
def _bind_post_accumulate_hook(self: Any, hook: Any) -> Any:
    return hook


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
    options = {"create_graph": create_graph, "strict": strict, "vectorize": vectorize}
    if strategy != "reverse-mode":
        options["strategy"] = strategy
    return func, inputs, options


@_named("hessian")
def _bind_hessian(
    func: Any,
    inputs: Any,
    create_graph: Any = False,
    strict: Any = False,
    vectorize: Any = False,
    outer_jacobian_strategy: Any = "reverse-mode",
) -> tuple[Any, Any, dict[str, Any]]:
    options = {"create_graph": create_graph, "strict": strict, "vectorize": vectorize}
    if outer_jacobian_strategy != "reverse-mode":
        options["outer_jacobian_strategy"] = outer_jacobian_strategy
    return func, inputs, options


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


@_named("vhp")
def _bind_vhp(
    func: Any, inputs: Any, v: Any = None, create_graph: Any = False, strict: Any = False
) -> tuple[Any, Any, dict[str, Any]]:
    return func, inputs, {"v": v, "create_graph": create_graph, "strict": strict}


@_named("hvp")
def _bind_hvp(
    func: Any, inputs: Any, v: Any = None, create_graph: Any = False, strict: Any = False
) -> tuple[Any, Any, dict[str, Any]]:
    return func, inputs, {"v": v, "create_graph": create_graph, "strict": strict}


_FUNCTIONAL_BINDERS: dict[str, Callable[..., tuple[Any, Any, dict[str, Any]]]] = {
    "jacobian": _bind_jacobian,
    "hessian": _bind_hessian,
    "vjp": _bind_vjp,
    "jvp": _bind_jvp,
    "vhp": _bind_vhp,
    "hvp": _bind_hvp,
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


def _passes(name: str, output_numel: int, input_numel: int) -> int:
    """Backward passes torch runs over the function's graph (reverse mode, no vmap)."""
    if name in ("jacobian", "gradcheck"):
        return max(output_numel, 1)  # one vector-Jacobian product per output element
    if name == "hessian":
        # The gradient (one pass, create_graph), then one pass per input element over the
        # gradient's graph, which is about twice the function's.
        return 1 + 2 * max(input_numel, 1)
    if name == "jvp":
        return 2  # the double-backward trick: a pass, then a pass through that pass
    return 1  # vjp


def _guarded(
    func: Callable[..., Any], input_numel: int, name: str, what: str, ctx: RunContext
) -> Any:
    """Wrap the user's function so the Jacobian's size, and the passes torch will run over the
    graph the function built, are paid before torch starts them."""

    def guarded(*args: Any) -> Any:
        dense.check(args, ctx)
        result = func(*args)
        outputs = result if isinstance(result, list | tuple) else (result,)
        output_numel = sum(o.numel() for o in outputs if isinstance(o, torch.Tensor))
        cells = output_numel * input_numel
        ctx.check_elements(cells, f"The Jacobian of {what}")
        ctx.charge(max(cells, 1), what)
        passes = _passes(name, output_numel, input_numel)
        _charge_roots(outputs, what, ctx, passes, create_graph=name in ("hessian", "jvp"))
        return result

    return guarded


def _refuse_strategy(what: str, ctx: RunContext) -> SandboxViolation:
    return SandboxViolation(
        f"{what} with a forward-mode strategy is not available in the playground: it runs the "
        "function under vmap.",
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
    if "strategy" in options or "outer_jacobian_strategy" in options:
        raise _refuse_strategy(what, ctx)
    input_numel = _input_numel(inputs)
    if name == "hessian":
        ctx.check_elements(input_numel * input_numel, f"The Hessian of {what}")
    guarded = _guarded(adapt(func, ctx), input_numel, name, what, ctx)
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
    what = "torch.autograd.gradcheck"
    guarded = _guarded(adapt(func, ctx), _input_numel(inputs), "gradcheck", what, ctx)
    return torch.autograd.gradcheck(guarded, inputs, **kwargs)
