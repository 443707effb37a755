"""`watch()` and `show()`: the autograd view of the notebook's own, trusted torch code.

Built on torch's extension points only: a `TorchFunctionMode` sees each torch call of the block
(results, and the `backward`/`autograd.grad` calls), and graph hooks (`Node.register_hook`),
placed on the graph of one backward call for that call only, see the gradient reaching each
node and the ones it sends on. Nothing is patched; no tensor is changed
(no `retain_grad`, an intermediate's `.grad` stays None); every hook is removed when its call
returns and the mode when the block ends.

What it cannot see: work that does not pass through a torch function call of the block's thread
(C++ extensions calling ATen directly, other threads, code run before the block), tensors made
by `Tensor` subclasses that disable torch functions, and the internals of `torch.compile`d code.
"""

from __future__ import annotations

import inspect
import time
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from app.trace.encode import dtype_name, tensor_data
from autograd_playground.result import RunResult

VALUE_ELEMENTS = 1000
MAX_TENSORS = 2000
_BACKWARD_CALLS = {torch.Tensor.backward, torch.autograd.backward}
_GRAD_CALLS = {torch.autograd.grad}


def _data(tensor: torch.Tensor | None) -> Any:
    if tensor is None:
        return None
    with torch.no_grad():
        data, _truncated = tensor_data(tensor.detach(), VALUE_ELEMENTS)
    return data


class _Recorder(TorchFunctionMode):
    def __init__(self, watch: Watch) -> None:
        super().__init__()
        self.watch = watch

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        if func in _BACKWARD_CALLS or func in _GRAD_CALLS:
            return self.watch._traced_backward(func, args, kwargs)
        result = func(*args, **kwargs)
        if torch.is_grad_enabled():
            self.watch._saw(args, kwargs, result)
        return result


class Watch:
    """The record of one `with watch() as w:` block; displays like a run."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang
        self._mode: _Recorder | None = None
        # Tensors seen, in order; the snapshot of each value when first seen.
        self._tensors: list[torch.Tensor] = []
        self._index: dict[int, int] = {}
        self._values: dict[int, Any] = {}
        self._grad_fns: list[Any] = []
        self._fn_index: dict[int, int] = {}
        self._fn_refs: list[Any] = []
        self._node_grads: dict[int, Any] = {}  # tensor index → gradient that reached it
        self._edge_grads: dict[tuple[int, int], Any] = {}  # (fn index, position) → grad sent
        self._calls: list[dict[str, Any]] = []
        self._names: dict[int, list[str]] = {}
        self._frame_locals: dict[str, Any] = {}
        self._live_hooks = 0
        self.result: dict[str, Any] | None = None
        self._started = 0.0

    # -- the block ------------------------------------------------------------------------

    def __enter__(self) -> Watch:
        self._started = time.perf_counter()
        self._mode = _Recorder(self)
        self._mode.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._mode is not None
        self._mode.__exit__(None, None, None)
        self._mode = None
        frame = inspect.currentframe()
        caller = frame.f_back if frame is not None else None
        self._frame_locals = dict(caller.f_locals) if caller is not None else {}
        del frame, caller
        self.result = self._build()
        # Drop the strong references: the record is plain data now.
        self._tensors.clear()
        self._grad_fns.clear()
        self._frame_locals = {}

    # -- recording -----------------------------------------------------------------------

    def _tensor_id(self, tensor: torch.Tensor) -> int | None:
        key = id(tensor)
        index = self._index.get(key)
        if index is not None and self._tensors[index] is tensor:
            return index
        if len(self._tensors) >= MAX_TENSORS:
            return None
        index = len(self._tensors)
        self._tensors.append(tensor)
        self._index[key] = index
        self._values[index] = _data(tensor)
        return index

    def _saw(self, args: Any, kwargs: Any, result: Any) -> None:
        outputs = [t for t in _flat(result) if isinstance(t, torch.Tensor)]
        if not any(t.requires_grad for t in outputs):
            return
        for tensor in [t for t in _flat((args, kwargs)) if isinstance(t, torch.Tensor)]:
            self._tensor_id(tensor)
        for tensor in outputs:
            self._tensor_id(tensor)

    def _fn_id(self, fn: Any) -> int:
        key = id(fn)
        index = self._fn_index.get(key)
        if index is not None and self._grad_fns[index] is fn:
            return index
        index = len(self._grad_fns)
        self._grad_fns.append(fn)
        self._fn_index[key] = index
        return index

    def _graph_of(self, roots: list[torch.Tensor]) -> list[Any]:
        seen: list[Any] = []
        known: set[int] = set()
        stack: list[Any] = [t.grad_fn for t in roots if t.grad_fn is not None]
        while stack:
            fn = stack.pop()
            if fn is None or id(fn) in known:
                continue
            known.add(id(fn))
            seen.append(fn)
            stack.extend(next_fn for next_fn, _ in fn.next_functions)
        return seen

    def _traced_backward(self, func: Any, args: Any, kwargs: Any) -> Any:
        roots = args[0] if args else kwargs.get("tensors", kwargs.get("outputs"))
        roots = [roots] if isinstance(roots, torch.Tensor) else list(roots or [])
        for root in roots:
            self._tensor_id(root)
        fns = self._graph_of(roots)
        steps: list[dict[str, Any]] = []
        handles = []
        for fn in fns:
            fn_index = self._fn_id(fn)
            handles.append(fn.register_hook(self._hook(fn, fn_index, steps)))
        self._live_hooks += len(handles)
        gradient = args[1] if len(args) > 1 else kwargs.get("gradient", kwargs.get("grad_outputs"))
        call = {
            "index": len(self._calls),
            "line": None,
            "source": "program",
            "call": "autograd.grad" if func in _GRAD_CALLS else "backward",
            "roots": [self._tensor_id(root) for root in roots],
            "root_grads": [_data(g) for g in _flat(gradient) if isinstance(g, torch.Tensor)]
            or [1.0],
            "steps": steps,
        }
        self._calls.append(call)
        try:
            return func(*args, **kwargs)
        finally:
            for handle in handles:
                handle.remove()
            self._live_hooks -= len(handles)

    def _hook(self, fn: Any, fn_index: int, steps: list[dict[str, Any]]) -> Any:
        def record(grad_inputs: tuple[Any, ...], grad_outputs: tuple[Any, ...]) -> None:
            node = fn
            grads_in = [_data(g) for g in grad_outputs]
            grads_out = [_data(g) for g in grad_inputs]
            if type(node).__name__ == "AccumulateGrad":
                grads_out = []
                leaf = node.variable
                index = self._tensor_id(leaf)
                if index is not None:
                    self._node_grads[index] = grads_in[0] if grads_in else None
            for position, grad in enumerate(grads_out):
                self._edge_grads[(fn_index, position)] = grad
            steps.append({"fn": fn_index, "grads_in": grads_in, "grads_out": grads_out})
            for tensor_index, tensor in enumerate(self._tensors):
                if tensor.grad_fn is node and grads_in:
                    self._node_grads[tensor_index] = grads_in[_output_nr(tensor)]

        return record

    # -- the RunResult -------------------------------------------------------------------

    def _build(self) -> dict[str, Any]:
        tensors = list(self._tensors)
        # Every grad_fn behind a recorded tensor, and every leaf behind those.
        for fn in self._graph_of([t for t in tensors if t.grad_fn is not None]):
            self._fn_id(fn)
            if type(fn).__name__ == "AccumulateGrad":
                self._tensor_id(fn.variable)
        self._name_tensors()
        tensors = list(self._tensors)
        nodes: list[dict[str, Any]] = []
        edges: list[dict[str, Any]] = []

        def edge(source: str, target: str, kind: str, **extra: Any) -> None:
            edges.append(
                {"id": f"e{len(edges)}", "source": source, "target": target, "kind": kind, **extra}
            )

        fn_of_tensor: dict[int, int] = {}
        for index, tensor in enumerate(tensors):
            grad_fn = tensor.grad_fn
            fn_index = self._fn_index.get(id(grad_fn)) if grad_fn is not None else None
            if fn_index is not None:
                fn_of_tensor[index] = fn_index
            role = (
                "intermediate"
                if grad_fn is not None
                else "leaf"
                if tensor.requires_grad
                else "constant"
            )
            nodes.append(
                {
                    "id": f"t{index}",
                    "kind": "tensor",
                    "names": self._names.get(index, []),
                    "line": None,
                    "step": None,
                    "role": role,
                    "shape": list(tensor.shape),
                    "dtype": dtype_name(tensor.dtype),
                    "requires_grad": tensor.requires_grad,
                    "is_leaf": tensor.is_leaf,
                    "retains_grad": tensor.retains_grad,
                    "grad_fn": type(grad_fn).__name__ if grad_fn is not None else None,
                    "grad_fn_node": f"f{fn_index}" if fn_index is not None else None,
                    "value": self._values.get(index),
                    "grad": self._node_grads.get(index),
                    "truncated": False,
                }
            )
        for fn_index, fn in enumerate(self._grad_fns):
            name = type(fn).__name__
            tensor_index = None
            if name == "AccumulateGrad":
                tensor_index = self._index.get(id(fn.variable))
            else:
                for index, owner in fn_of_tensor.items():
                    if owner == fn_index:
                        tensor_index = index
                        break
            outputs = [f"t{i}" for i, owner in fn_of_tensor.items() if owner == fn_index]
            nodes.append(
                {
                    "id": f"f{fn_index}",
                    "kind": "function",
                    "name": name,
                    "line": None,
                    "step": None,
                    "tensor": f"t{tensor_index}" if tensor_index is not None else None,
                    "outputs": outputs,
                    "saved": None,
                }
            )
        for fn_index, fn in enumerate(self._grad_fns):
            for position, (next_fn, input_nr) in enumerate(fn.next_functions):
                if next_fn is None or id(next_fn) not in self._fn_index:
                    continue
                edge(
                    f"f{self._fn_index[id(next_fn)]}",
                    f"f{fn_index}",
                    "next",
                    input_nr=input_nr,
                    position=position,
                    grad=self._edge_grads.get((fn_index, position)),
                )
            if type(fn).__name__ == "AccumulateGrad":
                leaf = self._index.get(id(fn.variable))
                if leaf is not None:
                    edge(f"t{leaf}", f"f{fn_index}", "variable")
        for index, fn_index in fn_of_tensor.items():
            edge(f"f{fn_index}", f"t{index}", "output")
        edge_of = {(e["target"], e["position"]): e["id"] for e in edges if e["kind"] == "next"}
        trace = []
        for call in self._calls:
            steps = []
            for number, step in enumerate(call["steps"]):
                target = f"f{step['fn']}"
                steps.append(
                    {
                        "step": number,
                        "node": target,
                        "name": type(self._grad_fns[step["fn"]]).__name__,
                        "grads_in": step["grads_in"],
                        "grads_out": step["grads_out"],
                        "edges": [edge_of.get((target, p)) for p in range(len(step["grads_out"]))],
                    }
                )
            leaf_grads = {
                f"t{i}": _data(t.grad)
                for i, t in enumerate(tensors)
                if t.is_leaf and t.grad is not None
            }
            trace.append(
                {
                    **{k: v for k, v in call.items() if k != "steps"},
                    "roots": [f"t{r}" for r in call["roots"] if r is not None],
                    "steps": steps,
                    "leaf_grads": leaf_grads,
                    "jacobians": [],
                }
            )
        variables = {}
        for index, tensor in enumerate(tensors):
            for name in self._names.get(index, []):
                variables[name] = {
                    "kind": "tensor",
                    "node": f"t{index}",
                    "shape": list(tensor.shape),
                    "dtype": dtype_name(tensor.dtype),
                    "requires_grad": tensor.requires_grad,
                    "is_leaf": tensor.is_leaf,
                    "grad_fn": nodes[index]["grad_fn"],
                    "value": _data(tensor),
                    "grad": _data(tensor.grad) if tensor.is_leaf or tensor.retains_grad else None,
                    "truncated": False,
                }
        return {
            "api_version": "1",
            "torch_version": torch.__version__,
            "seed": None,
            "ok": True,
            "error": None,
            "stdout": "",
            "stdout_truncated": False,
            "warnings": [],
            "variables": variables,
            "graph": {"nodes": nodes, "edges": edges},
            "graph_truncated": len(self._tensors) >= MAX_TENSORS,
            "timeline": [],
            "timeline_truncated": False,
            "backward_trace": trace,
            "backward_trace_truncated": False,
            "jacobian": None,
            "timing_ms": {"total": round((time.perf_counter() - self._started) * 1000, 3)},
            "watched": True,
        }

    def _name_tensors(self) -> None:
        for name, value in self._frame_locals.items():
            if name.startswith("_"):
                continue
            if isinstance(value, torch.Tensor):
                self._add_name(value, name)
            elif isinstance(value, torch.nn.Module):
                for pname, parameter in value.named_parameters():
                    self._add_name(parameter, f"{name}.{pname}")

    def _add_name(self, tensor: torch.Tensor, name: str) -> None:
        index = self._index.get(id(tensor))
        if index is not None and self._tensors[index] is tensor:
            self._names.setdefault(index, []).append(name)

    # -- display --------------------------------------------------------------------------

    @property
    def hooks_alive(self) -> int:
        """Graph hooks placed by this watch and not yet removed (0 outside a backward call)."""
        return self._live_hooks

    def run_result(self) -> RunResult:
        if self.result is None:
            raise RuntimeError(
                "the watch block has not ended yet / watch 블록이 아직 끝나지 않았습니다"
            )
        return RunResult(self.result, lang=self.lang)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.run_result()._repr_mimebundle_(include, exclude)

    def __repr__(self) -> str:
        if self.result is None:
            return "<Watch (recording)>"
        return f"<Watch: {len(self.result['graph']['nodes'])} graph nodes>"


def _output_nr(tensor: torch.Tensor) -> int:
    number = getattr(tensor, "output_nr", 0)
    return int(number) if isinstance(number, int) else 0


def _flat(value: Any) -> list[Any]:
    out: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        else:
            out.append(item)
    return out


def watch(lang: str = "en") -> Watch:
    """`with watch() as w: ...` records the block's tensors, graph and backward gradients."""
    return Watch(lang=lang)


def show(tensor: torch.Tensor, lang: str = "en") -> RunResult:
    """The graph behind one tensor, with values (and the gradients of the last watched
    backward, when it was made inside a watch block): like torchviz's make_dot, with numbers."""
    record = Watch(lang=lang)
    record._started = time.perf_counter()
    record._tensor_id(tensor)
    frame = inspect.currentframe()
    caller = frame.f_back if frame is not None else None
    record._frame_locals = dict(caller.f_locals) if caller is not None else {}
    del frame, caller
    record.result = record._build()
    record._tensors.clear()
    record._grad_fns.clear()
    record._frame_locals = {}
    return RunResult(record.result, lang=lang)
