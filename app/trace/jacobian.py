"""Jacobians of the recorded graph: J[i, j] = d output_i / d input_j (flattened).

They are read off the existing graph with autograd.grad(retain_graph=True), one vector-Jacobian
product per output element (batched when the graph allows), so the program's own state is left
as it was: nothing accumulates into leaves, and the `.grad` that autograd.grad writes into
tensors marked retain_grad() is put back.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from app.sandbox.errors import ProgramError
from app.sandbox.limits import Limits
from app.trace.encode import grad_fn_of, tensor_data
from app.trace.nodes import CUSTOM_FUNCTION_NODE

# Below this many rows one autograd.grad per row is faster than starting vmap (which costs
# about a second the first time in a process).
_ROWS_WITHOUT_VMAP = 256


class _UseLoop(Exception):
    pass


class JacobianRequestError(Exception):
    """The request's `jacobian` could not be computed; `error` is what the result reports."""

    def __init__(self, error: ProgramError) -> None:
        super().__init__(error.message)
        self.error = error


# Nodes walked at most when looking for a Function of the program (a graph is smaller than
# limits.graph_nodes in practice; past this, the answer is "yes", the safe one).
_WALK_LIMIT = 100_000


def has_program_functions(output: torch.Tensor) -> bool:
    """True when the graph of `output` holds a torch.autograd.Function of the program: a
    Jacobian pass would run the program's backward again, outside its statements."""
    start = grad_fn_of(output)
    pending = [start] if start is not None else []
    seen: set[int] = set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if len(seen) > _WALK_LIMIT or isinstance(node, CUSTOM_FUNCTION_NODE):
            return True
        pending.extend(child for child, _ in node.next_functions if child is not None)
    return False


def has_hooks(tensors: Sequence[torch.Tensor]) -> bool:
    """True when the program registered tensor hooks, which a Jacobian pass would run again."""
    return any(getattr(tensor, "_backward_hooks", None) for tensor in tensors)


def _vector_jacobian_rows(
    output: torch.Tensor, inputs: Sequence[torch.Tensor], deadline: float | None
) -> list[torch.Tensor]:
    rows = output.numel()
    if rows == 0:
        # No rows: an empty matrix (torch.autograd.functional.jacobian fails to stack here).
        return [torch.zeros(0, tensor.numel(), dtype=tensor.dtype) for tensor in inputs]
    basis = torch.eye(rows, dtype=output.dtype).reshape(rows, *output.shape)
    with warnings.catch_warnings():
        # vmap's "no batching rule" performance warnings are ours, not the program's.
        warnings.simplefilter("ignore")
        try:
            if rows <= _ROWS_WITHOUT_VMAP:
                raise _UseLoop
            batched = torch.autograd.grad(
                output,
                list(inputs),
                basis,
                retain_graph=True,
                allow_unused=True,
                is_grads_batched=True,
            )
            return [
                torch.zeros(rows, tensor.numel(), dtype=tensor.dtype)
                if grad is None
                else grad.detach().reshape(rows, -1)
                for tensor, grad in zip(inputs, batched, strict=True)
            ]
        except _UseLoop:
            pass
        except RuntimeError as error:
            if "second time" in str(error):
                raise
        per_row: list[list[torch.Tensor]] = [[] for _ in inputs]
        for row in range(rows):
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError("the Jacobian took longer than the run's time limit")
            grads = torch.autograd.grad(
                output, list(inputs), basis[row], retain_graph=True, allow_unused=True
            )
            for position, (tensor, grad) in enumerate(zip(inputs, grads, strict=True)):
                per_row[position].append(
                    torch.zeros(tensor.numel(), dtype=tensor.dtype)
                    if grad is None
                    else grad.detach().reshape(-1)
                )
        return [torch.stack(rows_of_input) for rows_of_input in per_row]


def _restoring_retained_grads(
    graph_tensors: Sequence[torch.Tensor],
) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
    return [(tensor, tensor.grad) for tensor in graph_tensors if tensor.retains_grad]


def jacobian_matrices(
    output: torch.Tensor,
    inputs: Sequence[torch.Tensor],
    graph_tensors: Sequence[torch.Tensor],
    deadline: float | None = None,
) -> list[torch.Tensor] | None:
    """One [numel(output), numel(input)] matrix per input, or None when it cannot be done safely.

    `graph_tensors` are the tensors of the graph the program could observe: hooks on them make
    the computation unsafe, and their retained `.grad` is restored afterwards.
    """
    if has_hooks(graph_tensors):
        return None
    retained = _restoring_retained_grads(graph_tensors)
    try:
        return _vector_jacobian_rows(output, inputs, deadline)
    except Exception:
        return None
    finally:
        for tensor, grad in retained:
            if tensor.grad is not grad:
                tensor.grad = grad


def _named_tensor(variables: Mapping[str, Any], field: str, name: str) -> torch.Tensor:
    if name not in variables:
        raise JacobianRequestError(
            ProgramError("ValueError", f"jacobian.{field}: there is no variable named '{name}'.")
        )
    value = variables[name]
    if not isinstance(value, torch.Tensor):
        raise JacobianRequestError(
            ProgramError(
                "ValueError",
                f"jacobian.{field}: '{name}' is a {type(value).__name__}, not a tensor.",
            )
        )
    return value


def requested_jacobian(
    variables: Mapping[str, Any],
    output_name: str,
    input_name: str,
    limits: Limits,
    graph_tensors: Sequence[torch.Tensor],
    deadline: float | None = None,
) -> dict[str, Any]:
    """The request's `jacobian`: {"output", "input", "shape", "matrix", ...} of final values."""
    output = _named_tensor(variables, "output", output_name)
    source = _named_tensor(variables, "input", input_name)
    cells = output.numel() * source.numel()
    if cells > limits.jacobian_cells:
        raise JacobianRequestError(
            ProgramError(
                "LimitExceeded",
                f"The Jacobian of '{output_name}' with respect to '{input_name}' would have "
                f"{cells:,} cells; at most {limits.jacobian_cells:,} are allowed.",
                limit="jacobian_cells",
            )
        )
    if not source.requires_grad:
        raise JacobianRequestError(
            ProgramError(
                "ValueError",
                f"jacobian.input: '{input_name}' does not require grad, so nothing can be "
                "differentiated with respect to it.",
                hint="Create it with requires_grad=True.",
            )
        )
    if not output.requires_grad:
        raise JacobianRequestError(
            ProgramError(
                "ValueError",
                f"jacobian.output: '{output_name}' does not require grad, so it is not part of "
                "the autograd graph.",
            )
        )
    if grad_fn_of(output) is None and output is not source:
        # Another leaf: it does not depend on the input through the graph.
        matrix = torch.zeros(output.numel(), source.numel(), dtype=source.dtype)
    else:
        everything = [*graph_tensors, output, source]
        if has_program_functions(output):
            raise JacobianRequestError(
                ProgramError(
                    "ValueError",
                    "jacobian: the graph has a torch.autograd.Function of the program, whose "
                    "backward computing the Jacobian would run again.",
                )
            )
        if has_hooks(everything):
            raise JacobianRequestError(
                ProgramError(
                    "ValueError",
                    "jacobian: the graph has tensor hooks (register_hook), which computing "
                    "the Jacobian would run again.",
                )
            )
        retained = _restoring_retained_grads(everything)
        try:
            matrix = _vector_jacobian_rows(output, [source], deadline)[0]
        except TimeoutError as error:
            raise JacobianRequestError(
                ProgramError("Timeout", f"jacobian: {error}.", limit="seconds")
            ) from error
        except RuntimeError as error:
            raise JacobianRequestError(
                ProgramError(
                    "RuntimeError",
                    str(error),
                    hint="A backward pass without retain_graph=True freed the graph; "
                    "pass retain_graph=True to keep it.",
                )
                if "second time" in str(error)
                else ProgramError("RuntimeError", str(error))
            ) from error
        finally:
            for tensor, grad in retained:
                if tensor.grad is not grad:
                    tensor.grad = grad
    data, truncated = tensor_data(matrix, limits.jacobian_cells)
    return {
        "output": output_name,
        "input": input_name,
        "shape": list(matrix.shape),
        "matrix": data,
        "output_shape": list(output.shape),
        "input_shape": list(source.shape),
        "truncated": truncated,
    }
