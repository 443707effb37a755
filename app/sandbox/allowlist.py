"""THE torch table: every torch name a program may reach, with the cost rule of each.

One data structure read by the torch surface (`torch_surface.py`), the validator and
`/api/v1/capabilities` (through `capabilities.py`). A name that is not here is refused with a
SandboxViolation: torch exposes `torch.os`, `torch.load`, storages and raw pointers as plain
attributes, so only an allow-list is safe (see shared/sandbox-threats.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.sandbox.compat import StrEnum
from app.sandbox.costs import CostRule


class Kind(StrEnum):
    """What a table entry hands to the program."""

    FUNCTION = "function"
    METHOD = "method"
    ATTRIBUTE = "attribute"
    CLASS = "class"  # a wrapped constructor (nn.Linear, optim.SGD)
    DTYPE = "dtype"
    NAMESPACE = "namespace"
    CONTEXT = "context"  # grad-mode context managers for `with`
    TYPE_TOKEN = "type"  # torch.Tensor, usable in isinstance only
    CONSTANT = "constant"


@dataclass(frozen=True)
class Entry:
    """One allowed name: what it is and how its cost is estimated before it runs."""

    kind: Kind
    cost: CostRule = CostRule.FREE


def _many(kind: Kind, cost: CostRule, names: str) -> dict[str, Entry]:
    return {name: Entry(kind, cost) for name in names.split()}


# Families shared by torch functions and tensor methods ("as functions and as tensor methods
# where torch has both").
ELEMENTWISE = (
    "exp log log1p sqrt rsqrt sin cos tan tanh sigmoid relu abs neg pow clamp sign floor ceil "
    "round maximum minimum where add sub mul div eq ne lt le gt ge isclose"
)
REDUCTIONS = (
    "sum mean prod max min argmax argmin norm std var logsumexp cumsum trace allclose equal"
)
SHAPE_VIEWS = "reshape flatten squeeze unsqueeze transpose permute t chunk split"

DTYPE_NAMES = "float32 float64 float double int64 long int32 int bool"

TORCH: dict[str, Entry] = {
    **_many(Kind.FUNCTION, CostRule.DATA, "tensor"),
    **_many(Kind.FUNCTION, CostRule.SIZE, "ones zeros rand randn"),
    **_many(Kind.FUNCTION, CostRule.FULL, "full"),
    **_many(Kind.FUNCTION, CostRule.RANDINT, "randint"),
    **_many(Kind.FUNCTION, CostRule.LIKE, "ones_like zeros_like full_like rand_like randn_like"),
    **_many(Kind.FUNCTION, CostRule.ARANGE, "arange"),
    **_many(Kind.FUNCTION, CostRule.LINSPACE, "linspace"),
    **_many(Kind.FUNCTION, CostRule.EYE, "eye"),
    **_many(Kind.FUNCTION, CostRule.FREE, "manual_seed is_grad_enabled is_tensor numel"),
    **_many(Kind.FUNCTION, CostRule.BROADCAST, ELEMENTWISE),
    **_many(Kind.FUNCTION, CostRule.BROADCAST, REDUCTIONS),
    **_many(Kind.FUNCTION, CostRule.CUBIC, "det inverse"),
    **_many(Kind.FUNCTION, CostRule.MATMUL, "matmul mm bmm mv dot"),
    **_many(Kind.FUNCTION, CostRule.OUTER, "outer"),
    **_many(Kind.FUNCTION, CostRule.EINSUM, "einsum"),
    **_many(Kind.FUNCTION, CostRule.CONCAT, "cat stack"),
    **_many(Kind.FUNCTION, CostRule.VIEW, SHAPE_VIEWS),
    **_many(Kind.FUNCTION, CostRule.INDEX_SELECT, "index_select"),
    **_many(Kind.FUNCTION, CostRule.GATHER, "gather"),
    **_many(Kind.CONTEXT, CostRule.FREE, "no_grad enable_grad set_grad_enabled"),
    **_many(Kind.DTYPE, CostRule.FREE, DTYPE_NAMES),
    **_many(Kind.NAMESPACE, CostRule.FREE, "nn optim autograd"),
    **_many(Kind.CONSTANT, CostRule.FREE, "pi e inf nan"),
    "Tensor": Entry(Kind.TYPE_TOKEN),
}

NN_FUNCTIONAL: dict[str, Entry] = {
    **_many(
        Kind.FUNCTION,
        CostRule.BROADCAST,
        "relu leaky_relu gelu sigmoid tanh softmax log_softmax cross_entropy nll_loss mse_loss "
        "l1_loss binary_cross_entropy binary_cross_entropy_with_logits",
    ),
    "linear": Entry(Kind.FUNCTION, CostRule.LINEAR),
}

NN: dict[str, Entry] = {
    **_many(
        Kind.CLASS,
        CostRule.MODULE_INIT,
        "Linear Sequential ReLU Sigmoid Tanh Softmax MSELoss CrossEntropyLoss BCELoss",
    ),
    "functional": Entry(Kind.NAMESPACE),
}

OPTIM: dict[str, Entry] = _many(Kind.CLASS, CostRule.OPTIMIZER_INIT, "SGD Adam")

AUTOGRAD: dict[str, Entry] = {
    **_many(Kind.FUNCTION, CostRule.BACKWARD, "grad backward"),
    "gradcheck": Entry(Kind.FUNCTION, CostRule.JACOBIAN),
    "functional": Entry(Kind.NAMESPACE),
}

AUTOGRAD_FUNCTIONAL: dict[str, Entry] = _many(
    Kind.FUNCTION, CostRule.JACOBIAN, "jacobian hessian vjp jvp"
)

# Every namespace a program can hold, by its dotted path.
NAMESPACES: dict[str, dict[str, Entry]] = {
    "torch": TORCH,
    "torch.nn": NN,
    "torch.nn.functional": NN_FUNCTIONAL,
    "torch.optim": OPTIM,
    "torch.autograd": AUTOGRAD,
    "torch.autograd.functional": AUTOGRAD_FUNCTIONAL,
}

# `import X` accepts these (the rest are reached as attributes).
IMPORTABLE: frozenset[str] = frozenset(
    {"torch", "torch.nn", "torch.nn.functional", "torch.optim", "torch.autograd"}
)

TENSOR: dict[str, Entry] = {
    **_many(
        Kind.ATTRIBUTE,
        CostRule.FREE,
        "grad grad_fn requires_grad is_leaf retains_grad data shape ndim dtype",
    ),
    "T": Entry(Kind.ATTRIBUTE, CostRule.VIEW),
    **_many(Kind.METHOD, CostRule.BACKWARD, "backward"),
    **_many(
        Kind.METHOD,
        CostRule.FREE,
        "requires_grad_ retain_grad item size dim numel register_hook",
    ),
    **_many(Kind.METHOD, CostRule.VIEW, "tolist detach clone contiguous"),
    **_many(Kind.METHOD, CostRule.VIEW, "float double long int bool to"),
    **_many(Kind.METHOD, CostRule.BROADCAST, "zero_ fill_ add_ sub_ mul_ div_"),
    **_many(Kind.METHOD, CostRule.BROADCAST, ELEMENTWISE),
    **_many(Kind.METHOD, CostRule.BROADCAST, REDUCTIONS),
    **_many(Kind.METHOD, CostRule.CUBIC, "det inverse"),
    **_many(Kind.METHOD, CostRule.MATMUL, "matmul mm bmm mv dot"),
    **_many(Kind.METHOD, CostRule.OUTER, "outer"),
    **_many(Kind.METHOD, CostRule.VIEW, SHAPE_VIEWS + " view"),
    **_many(Kind.METHOD, CostRule.EXPAND, "expand"),
    **_many(Kind.METHOD, CostRule.EXPAND_AS, "expand_as"),
    **_many(Kind.METHOD, CostRule.REPEAT, "repeat"),
    **_many(Kind.METHOD, CostRule.INDEX_SELECT, "index_select"),
    **_many(Kind.METHOD, CostRule.GATHER, "gather"),
}
# The only attributes a program may assign on a tensor.
TENSOR_SETTABLE: frozenset[str] = frozenset({"requires_grad", "grad", "data"})

# Members of nn modules (Sequential is also indexable and iterable).
MODULE: dict[str, Entry] = {
    **_many(Kind.METHOD, CostRule.FREE, "parameters named_parameters zero_grad train eval"),
    **_many(Kind.ATTRIBUTE, CostRule.FREE, "weight bias in_features out_features training"),
}

OPTIMIZER: dict[str, Entry] = {
    "step": Entry(Kind.METHOD, CostRule.OPTIMIZER_STEP),
    "zero_grad": Entry(Kind.METHOD, CostRule.FREE),
    "param_groups": Entry(Kind.ATTRIBUTE, CostRule.FREE),
}

# The read-only grad_fn view (grad_fn_view.py). `variable` exists on AccumulateGrad only.
GRAD_FN: dict[str, Entry] = {
    "name": Entry(Kind.METHOD),
    "next_functions": Entry(Kind.ATTRIBUTE),
    "variable": Entry(Kind.ATTRIBUTE),
}

# `x.max(dim=0)` and friends return named tuples; these fields may be read.
RETURN_TYPE_FIELDS: frozenset[str] = frozenset({"values", "indices"})

HOOK_HANDLE: dict[str, Entry] = {"remove": Entry(Kind.METHOD)}

# Keywords refused on every torch call, with the reason given in the refusal.
REFUSED_KEYWORDS: dict[str, str] = {
    "out": "writes into (and resizes) an existing tensor",
    "layout": "selects sparse layouts",
    "sparse_grad": "makes a sparse gradient, built without checking its indices",
    "sparse": "makes sparse gradients, built without checking their indices",
    "pin_memory": "needs a device",
    "generator": "takes a raw generator object",
    "memory_format": "controls raw memory layout",
}

# Devices a program may name (`device=`, `.to(...)`): only the CPU; meta tensors would slip
# past every size limit and CUDA does not exist here.
ALLOWED_DEVICES: frozenset[str] = frozenset({"cpu"})

# Why some well-known names are refused: the refusal sentence names the reason.
REFUSAL_REASONS: dict[str, str] = {
    "load": "it unpickles files",
    "save": "it writes files",
    "empty": "it returns uninitialised memory",
    "empty_like": "it returns uninitialised memory",
    "empty_strided": "it returns uninitialised memory",
    "new_empty": "it returns uninitialised memory",
    "as_strided": "it can read memory out of bounds",
    "as_strided_": "it can read memory out of bounds",
    "untyped_storage": "it exposes raw storage",
    "storage": "it exposes raw storage",
    "set_": "it swaps raw storage",
    "resize_": "it exposes uninitialised memory",
    "numpy": "it shares raw memory with numpy",
    "data_ptr": "it exposes memory addresses",
    "sparse": "sparse tensors with bad indices crash the process",
    "os": "it is the operating system",
    "sys": "it is the interpreter's internals",
    "builtins": "it holds Python's builtins",
    "ctypes": "it reads raw memory",
    "importlib": "it imports modules",
    "hub": "it downloads code",
    "serialization": "it unpickles files",
    "ops": "it reaches raw operators",
    "apply_": "it calls Python from inside torch outside the interpreter's budget",
    "map_": "it calls Python from inside torch outside the interpreter's budget",
    "register_forward_hook": "only tensor hooks are supported",
    "register_full_backward_hook": "only tensor hooks are supported",
    "register_prehook": "only tensor hooks are supported",
}


def refusal_reason(name: str) -> str:
    """The reason a name is refused, for the one-sentence message."""
    if name in REFUSAL_REASONS:
        return REFUSAL_REASONS[name]
    if name.startswith("set_"):
        return "it changes global state shared with other runs"
    return "it is not in the playground's torch table"
