"""One-line hints for the errors students hit most often, keyed on torch's own messages."""

from __future__ import annotations

import re

from app.sandbox.errors import ProgramError
from app.sandbox.grammar import IMPORT_ALTERNATIVES

# (error type, text the message contains, hint). The first match wins.
HINTS: tuple[tuple[str, str, str], ...] = (
    (
        "RuntimeError",
        "grad can be implicitly created only for scalar outputs",
        "backward() without arguments needs a single-element output; reduce it first "
        "(e.g. y.sum().backward()) or pass a gradient of the output's shape: "
        "y.backward(torch.ones_like(y)).",
    ),
    (
        "RuntimeError",
        "Trying to backward through the graph a second time",
        "The first backward() freed the saved tensors; pass retain_graph=True to it if you "
        "need to run backward through the same graph again.",
    ),
    (
        "RuntimeError",
        "a leaf Variable that requires grad is being used in an in-place operation",
        "Change a leaf tensor in place only inside `with torch.no_grad():`, or work on a "
        "copy made with .clone().",
    ),
    (
        "RuntimeError",
        "does not require grad and does not have a grad_fn",
        "Nothing in this computation requires grad: create the input with "
        "requires_grad=True (or call .requires_grad_()) before computing the output.",
    ),
    (
        "RuntimeError",
        "Only Tensors of floating point and complex dtype can require gradients",
        "Use a floating-point tensor, e.g. torch.tensor([1.0, 2.0], requires_grad=True) or "
        "dtype=torch.float32.",
    ),
    (
        "RuntimeError",
        "Mismatch in shape",
        "The gradient passed to backward() must have exactly the output's shape.",
    ),
    (
        "RuntimeError",
        "One of the differentiated Tensors appears to not have been used in the graph",
        "An input of torch.autograd.grad did not contribute to the output; pass "
        "allow_unused=True to get None for it.",
    ),
    (
        "RuntimeError",
        "has been modified by an inplace operation",
        "A tensor saved for backward was changed in place afterwards; use an out-of-place "
        "operation (x = x + 1 instead of x += 1) or .clone() it first.",
    ),
    (
        "RuntimeError",
        "Boolean value of Tensor with more than one value is ambiguous",
        "Use .any(), .all() or compare a single element (t.item()) in conditions.",
    ),
    (
        "RuntimeError",
        "shapes cannot be multiplied",
        "For A @ B the last dimension of A must equal the first dimension of B; check .shape.",
    ),
    (
        "RuntimeError",
        "must match the size of tensor",
        "The shapes do not broadcast; print the .shape of both operands.",
    ),
    (
        "RuntimeError",
        "can't convert np.ndarray",
        "Build tensors with torch functions only.",
    ),
    (
        "NameError",
        "is not defined",
        "Define the variable before this line (check the spelling and the import).",
    ),
    (
        "UnboundLocalError",
        "cannot access local variable",
        "The function assigns this name, so it is local everywhere in the function; assign "
        "it before reading it or pass the value as an argument.",
    ),
)


_IMPORT_REFUSAL = re.compile(r"importing '([\w.]+)' is not allowed")


def hint_for(error: ProgramError) -> str | None:
    """The hint for `error`, or None when there is none."""
    if error.type == "SandboxViolation":
        refused = _IMPORT_REFUSAL.search(error.message)
        if refused is not None:
            alternative = IMPORT_ALTERNATIVES.get(refused.group(1).split(".")[0])
            if alternative is not None:
                return alternative[0].upper() + alternative[1:] + "."
    for error_type, needle, hint in HINTS:
        if error.type == error_type and needle in error.message:
            return hint
    return None
