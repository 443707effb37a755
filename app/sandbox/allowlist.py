"""THE torch table: every torch name a program may reach, with the cost rule of each.

One data structure read by the torch surface (`torch_surface.py`), the validator and
`/api/v1/capabilities` (through `capabilities.py`). A name that is not here is refused with a
SandboxViolation: torch exposes `torch.os`, `torch.load`, storages and raw pointers as plain
attributes, so only an allow-list is safe (see shared/sandbox-threats.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from app.compat import StrEnum
from app.sandbox import grammar
from app.sandbox.costs import CostRule
from app.sandbox.keyword_rows import KEYWORD_ROWS


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
    BASE = "base"  # nn.Module, autograd.Function: bases of the program's classes (class_rules.py)


@dataclass(frozen=True)
class Entry:
    """One allowed name: what it is, how its cost is estimated before it runs, and (for
    callables) the keywords a call may pass (its row in keyword_rows.py)."""

    kind: Kind
    cost: CostRule = CostRule.FREE
    keywords: frozenset[str] = frozenset()


def _many(kind: Kind, cost: CostRule, names: str) -> dict[str, Entry]:
    return {name: Entry(kind, cost) for name in names.split()}


# Families shared by torch functions and tensor methods ("as functions and as tensor methods
# where torch has both").
ELEMENTWISE = (
    "exp log log1p sqrt rsqrt sin cos tan tanh sigmoid relu abs neg pow clamp sign floor ceil "
    "round maximum minimum where add sub mul div eq ne lt le gt ge isclose"
)
REDUCTIONS = "sum mean prod max min argmax argmin std var logsumexp cumsum trace allclose equal"
SHAPE_VIEWS = "reshape flatten squeeze unsqueeze transpose permute t chunk split"
# Ops whose result is the size of their input (sorting, selecting, rearranging, masking); the
# cost is the input's size (sorting's log factor is at most ~20 within the element limit).
INPUT_SIZED = (
    "all any softmax log_softmax sort argsort topk kthvalue median mode flip roll tril triu "
    "diagonal masked_fill scatter scatter_add index_add unbind narrow"
)
# The element-wise ops that also come in an in-place form (`x.sin_()`): torch's own in-place
# errors (leaf that requires grad, a view of one) come through unchanged.
_IN_PLACE_OF = (
    "exp log log1p sqrt rsqrt sin cos tan tanh sigmoid relu abs neg pow clamp sign floor "
    "ceil round masked_fill scatter scatter_add index_add"
)
IN_PLACE = " ".join(f"{name}_" for name in _IN_PLACE_OF.split())

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
    **_many(Kind.FUNCTION, CostRule.NORM, "norm"),
    **_many(Kind.FUNCTION, CostRule.MATMUL, "matmul mm bmm mv dot"),
    **_many(Kind.FUNCTION, CostRule.OUTER, "outer"),
    **_many(Kind.FUNCTION, CostRule.EINSUM, "einsum"),
    **_many(Kind.FUNCTION, CostRule.CONCAT, "cat stack"),
    **_many(Kind.FUNCTION, CostRule.VIEW, SHAPE_VIEWS),
    **_many(Kind.FUNCTION, CostRule.INDEX_SELECT, "index_select"),
    **_many(Kind.FUNCTION, CostRule.GATHER, "gather"),
    **_many(Kind.FUNCTION, CostRule.BROADCAST, INPUT_SIZED),
    **_many(Kind.FUNCTION, CostRule.REPEAT, "tile"),
    **_many(Kind.FUNCTION, CostRule.META, "diag"),
    # Legacy and device spellings of the tutorials; the surface handles each (torch_surface).
    **_many(Kind.FUNCTION, CostRule.FREE, "set_default_device"),
    "device": Entry(Kind.CLASS),
    **_many(Kind.CONTEXT, CostRule.FREE, "no_grad enable_grad set_grad_enabled inference_mode"),
    **_many(Kind.DTYPE, CostRule.FREE, DTYPE_NAMES),
    **_many(Kind.NAMESPACE, CostRule.FREE, "nn optim autograd utils accelerator cuda"),
    **_many(Kind.CONSTANT, CostRule.FREE, "pi e inf nan"),
    # Type tokens: isinstance works, and calling one is the legacy constructor (data only).
    **_many(Kind.TYPE_TOKEN, CostRule.DATA, "Tensor FloatTensor DoubleTensor LongTensor"),
}

NN_FUNCTIONAL: dict[str, Entry] = {
    **_many(
        Kind.FUNCTION,
        CostRule.BROADCAST,
        "relu leaky_relu gelu sigmoid tanh softmax log_softmax cross_entropy nll_loss mse_loss "
        "l1_loss binary_cross_entropy binary_cross_entropy_with_logits dropout layer_norm "
        "batch_norm normalize cosine_similarity smooth_l1_loss huber_loss kl_div",
    ),
    "linear": Entry(Kind.FUNCTION, CostRule.LINEAR),
    **_many(Kind.FUNCTION, CostRule.CONV, "conv1d conv2d"),
    **_many(Kind.FUNCTION, CostRule.POOL, "max_pool2d avg_pool2d"),
    "embedding": Entry(Kind.FUNCTION, CostRule.EMBEDDING),
    "one_hot": Entry(Kind.FUNCTION, CostRule.ONE_HOT),
    "pad": Entry(Kind.FUNCTION, CostRule.META),
}

NN: dict[str, Entry] = {
    **_many(
        Kind.CLASS,
        CostRule.MODULE_INIT,
        "Linear Sequential ReLU Sigmoid Tanh Softmax MSELoss CrossEntropyLoss BCELoss "
        "Flatten Unflatten Dropout Conv1d Conv2d MaxPool2d AvgPool2d BatchNorm1d BatchNorm2d "
        "LayerNorm Embedding Identity ModuleList ModuleDict ParameterList LeakyReLU GELU ELU "
        "SiLU Softplus LogSoftmax NLLLoss L1Loss SmoothL1Loss HuberLoss BCEWithLogitsLoss "
        "KLDivLoss",
    ),
    # nn.Parameter(t) shares t's data (no copy), as torch does.
    "Parameter": Entry(Kind.CLASS, CostRule.FREE),
    "Module": Entry(Kind.BASE),
    "functional": Entry(Kind.NAMESPACE),
}

OPTIM: dict[str, Entry] = {
    **_many(Kind.CLASS, CostRule.OPTIMIZER_INIT, "SGD Adam AdamW RMSprop Adagrad"),
    "lr_scheduler": Entry(Kind.NAMESPACE),
}

LR_SCHEDULER: dict[str, Entry] = _many(Kind.CLASS, CostRule.FREE, "StepLR ExponentialLR LambdaLR")

# torch.utils.data over in-memory tensors only: no files, no worker processes, no samplers.
UTILS: dict[str, Entry] = {"data": Entry(Kind.NAMESPACE)}
UTILS_DATA: dict[str, Entry] = _many(Kind.CLASS, CostRule.FREE, "TensorDataset DataLoader")

# The playground runs on the CPU: these answer as a CPU-only torch does.
ACCELERATOR: dict[str, Entry] = _many(
    Kind.FUNCTION, CostRule.FREE, "is_available current_accelerator"
)
CUDA: dict[str, Entry] = _many(Kind.FUNCTION, CostRule.FREE, "is_available")

AUTOGRAD: dict[str, Entry] = {
    **_many(Kind.FUNCTION, CostRule.BACKWARD, "grad backward"),
    "gradcheck": Entry(Kind.FUNCTION, CostRule.JACOBIAN),
    # Variable(t, requires_grad=...) returns a plain tensor sharing t's data, as in torch.
    "Variable": Entry(Kind.FUNCTION, CostRule.VIEW),
    "functional": Entry(Kind.NAMESPACE),
    "function": Entry(Kind.NAMESPACE),
    "Function": Entry(Kind.BASE),
}

# `from torch.autograd.function import once_differentiable` (custom Functions use it).
AUTOGRAD_FUNCTION: dict[str, Entry] = {"once_differentiable": Entry(Kind.FUNCTION)}

AUTOGRAD_FUNCTIONAL: dict[str, Entry] = _many(
    Kind.FUNCTION, CostRule.JACOBIAN, "jacobian hessian vjp jvp vhp hvp"
)

# Every namespace a program can hold, by its dotted path.
NAMESPACES: dict[str, dict[str, Entry]] = {
    "torch": TORCH,
    "torch.nn": NN,
    "torch.nn.functional": NN_FUNCTIONAL,
    "torch.optim": OPTIM,
    "torch.autograd": AUTOGRAD,
    "torch.autograd.functional": AUTOGRAD_FUNCTIONAL,
    "torch.autograd.function": AUTOGRAD_FUNCTION,
    "torch.optim.lr_scheduler": LR_SCHEDULER,
    "torch.utils": UTILS,
    "torch.utils.data": UTILS_DATA,
    "torch.accelerator": ACCELERATOR,
    "torch.cuda": CUDA,
}

# Python's `math`: every function and constant of the running Python (cbrt and exp2 are new in
# 3.11: on 3.10 a program meets CPython's own AttributeError for them). Float functions cost
# O(1); the ones whose result grows with their arguments (factorial, comb, perm, prod, lcm) and
# the ones that walk an iterable (fsum, prod, dist, hypot) are paid in surface/python_modules.py.
MATH: dict[str, Entry] = {
    name: entry
    for name, entry in {
        **_many(
            Kind.FUNCTION,
            CostRule.FREE,
            "acos acosh asin asinh atan atan2 atanh cbrt ceil comb copysign cos cosh degrees "
            "dist erf erfc exp exp2 expm1 fabs factorial floor fmod frexp fsum gamma gcd hypot "
            "isclose isfinite isinf isnan isqrt lcm ldexp lgamma log log10 log1p log2 modf "
            "nextafter perm pow prod radians remainder sin sinh sqrt tan tanh trunc ulp",
        ),
        **_many(Kind.CONSTANT, CostRule.FREE, "pi e tau inf nan"),
    }.items()
    if hasattr(math, name)
}

# Python's `random`, seeded from the request's seed at the start of every run
# (process_state.py); sizes (`sample`'s k, `choices`' k, `getrandbits`) are checked first.
RANDOM: dict[str, Entry] = _many(
    Kind.FUNCTION,
    CostRule.FREE,
    "random uniform randint randrange choice choices shuffle sample gauss normalvariate "
    "expovariate triangular betavariate seed getrandbits",
)

# The Python modules a program can import, by name (published apart from torch's).
PYTHON_MODULES: dict[str, dict[str, Entry]] = {"math": MATH, "random": RANDOM}

# Every namespace, torch's and Python's: what the surface resolves attributes in.
ALL_NAMESPACES: dict[str, dict[str, Entry]] = {**NAMESPACES, **PYTHON_MODULES}

# `import X` accepts these (the rest are reached as attributes): the grammar's table.
IMPORTABLE: frozenset[str] = grammar.ALLOWED_IMPORTS

TENSOR: dict[str, Entry] = {
    **_many(
        Kind.ATTRIBUTE,
        CostRule.FREE,
        "grad grad_fn requires_grad is_leaf retains_grad data shape ndim dtype device",
    ),
    "T": Entry(Kind.ATTRIBUTE, CostRule.VIEW),
    **_many(Kind.METHOD, CostRule.BACKWARD, "backward"),
    **_many(
        Kind.METHOD,
        CostRule.FREE,
        "requires_grad_ retain_grad item size dim numel register_hook "
        "register_post_accumulate_grad_hook detach_",
    ),
    **_many(Kind.METHOD, CostRule.VIEW, "tolist detach clone contiguous cpu"),
    **_many(Kind.METHOD, CostRule.VIEW, "float double long int bool to"),
    **_many(Kind.METHOD, CostRule.BROADCAST, "zero_ fill_ add_ sub_ mul_ div_"),
    **_many(Kind.METHOD, CostRule.BROADCAST, ELEMENTWISE),
    **_many(Kind.METHOD, CostRule.BROADCAST, REDUCTIONS),
    **_many(Kind.METHOD, CostRule.CUBIC, "det inverse"),
    **_many(Kind.METHOD, CostRule.NORM, "norm"),
    **_many(Kind.METHOD, CostRule.MATMUL, "matmul mm bmm mv dot"),
    **_many(Kind.METHOD, CostRule.OUTER, "outer"),
    **_many(Kind.METHOD, CostRule.VIEW, SHAPE_VIEWS + " view"),
    **_many(Kind.METHOD, CostRule.EXPAND, "expand"),
    **_many(Kind.METHOD, CostRule.EXPAND_AS, "expand_as"),
    **_many(Kind.METHOD, CostRule.REPEAT, "repeat"),
    **_many(Kind.METHOD, CostRule.INDEX_SELECT, "index_select"),
    **_many(Kind.METHOD, CostRule.GATHER, "gather"),
    **_many(Kind.METHOD, CostRule.BROADCAST, INPUT_SIZED + " " + IN_PLACE),
    **_many(Kind.METHOD, CostRule.REPEAT, "tile"),
    **_many(Kind.METHOD, CostRule.META, "diag"),
}
# The only attributes a program may assign on a tensor.
TENSOR_SETTABLE: frozenset[str] = frozenset({"requires_grad", "grad", "data"})

# Members of nn modules (Sequential is also indexable and iterable).
MODULE: dict[str, Entry] = {
    **_many(Kind.METHOD, CostRule.FREE, "parameters named_parameters zero_grad train eval"),
    # The module tree and its tensors by name, on torch's layers as on the program's modules.
    **_many(Kind.METHOD, CostRule.FREE, "children modules named_children named_modules state_dict"),
    **_many(Kind.ATTRIBUTE, CostRule.FREE, "weight bias in_features out_features training"),
    # Hyper-parameters and buffers of the convolution, pooling, norm and embedding modules.
    **_many(
        Kind.ATTRIBUTE,
        CostRule.FREE,
        "in_channels out_channels kernel_size stride padding dilation groups num_features eps "
        "momentum running_mean running_var normalized_shape num_embeddings embedding_dim p",
    ),
    # ModuleList / ParameterList grow like lists; ModuleDict reads like a dict.
    **_many(Kind.METHOD, CostRule.FREE, "append keys values items"),
}

# Learning-rate schedulers (optim.lr_scheduler).
SCHEDULER: dict[str, Entry] = {
    **_many(Kind.METHOD, CostRule.FREE, "step get_last_lr"),
    **_many(Kind.ATTRIBUTE, CostRule.FREE, "last_epoch base_lrs"),
}

# torch.device values.
DEVICE: dict[str, Entry] = _many(Kind.ATTRIBUTE, CostRule.FREE, "type index")

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

# DataLoader and TensorDataset members a program may read.
DATA: dict[str, Entry] = _many(
    Kind.ATTRIBUTE, CostRule.FREE, "dataset batch_size drop_last tensors"
)

# Keywords never in a row of the keyword table (keyword_rows.py), with the reason a refusal
# gives: they reach layouts, devices, raw memory, files or processes the playground does not
# have. A test checks that no row contains one.
REFUSED_KEYWORDS: dict[str, str] = {
    "out": "writes into (and resizes) an existing tensor",
    "layout": "selects sparse layouts",
    "sparse_grad": "makes a sparse gradient, built without checking its indices",
    "sparse": "makes sparse gradients, built without checking their indices",
    "pin_memory": "needs a device",
    "pin_memory_device": "needs a device",
    "generator": "takes a raw generator object",
    "memory_format": "controls raw memory layout",
    "names": "makes named tensors",
    "fused": "needs a GPU",
    "capturable": "needs a GPU",
    "num_workers": "starts worker processes",
    "multiprocessing_context": "starts worker processes",
    "worker_init_fn": "starts worker processes",
    "persistent_workers": "starts worker processes",
    "prefetch_factor": "starts worker processes",
    "timeout": "starts worker processes",
    "in_order": "starts worker processes",
    "sampler": "takes a sampler object",
    "batch_sampler": "takes a sampler object",
    "collate_fn": "calls Python from inside torch outside the interpreter's budget",
    "volatile": "was removed from torch",
    "strategy": "runs the function under vmap",
    "outer_jacobian_strategy": "runs the function under vmap",
    "check_batched_grad": "runs the function under vmap",
    "check_batched_forward_grad": "runs the function under vmap",
    "check_forward_ad": "needs forward-mode autograd",
    "masked": "needs sparse tensors",
    "orig_func": "is internal to torch",
}
UNSAFE_KEYWORDS = REFUSED_KEYWORDS

# Devices a program may name (`device=`, `.to(...)`): only the CPU; meta tensors would slip
# past every size limit and CUDA does not exist here.
ALLOWED_DEVICES: frozenset[str] = frozenset({"cpu"})
# Devices a program may name although they do not exist here: this CPU-only torch refuses any
# tensor on them with its own error (`Torch not compiled with CUDA enabled`) before allocating,
# which is the error a student's own CPU machine shows.
ABSENT_DEVICES: frozenset[str] = frozenset({"cuda", "mps"})

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


def _attach_keywords(owner: str, table: dict[str, Entry]) -> None:
    for name, entry in table.items():
        row = KEYWORD_ROWS.get(f"{owner}.{name}")
        if row is not None:
            table[name] = replace(entry, keywords=frozenset(row.split()))


for _path, _members in NAMESPACES.items():
    _attach_keywords(_path, _members)
for _owner, _table in (
    ("Tensor", TENSOR),
    ("Module", MODULE),
    ("optimizer", OPTIMIZER),
    ("scheduler", SCHEDULER),
):
    _attach_keywords(_owner, _table)

# Keywords of calling an nn module (`model(x)`, `loss_fn(input=y, target=t)`), by class name.
FORWARD_KEYWORDS: dict[str, frozenset[str]] = {
    key.removeprefix("forward."): frozenset(row.split())
    for key, row in KEYWORD_ROWS.items()
    if key.startswith("forward.")
}


def keyword_refusal(owner: str, key: str) -> str:
    """The sentence refusing keyword `key` of `owner` (English, then Korean)."""
    reason = REFUSED_KEYWORDS.get(key)
    because = f": it {reason}" if reason else ""
    return (
        f"{owner}() does not take the keyword {key}= in the playground{because}. "
        f"/ 이 놀이터에서 {owner}()는 {key}= 키워드를 받지 않습니다."
    )


# "Did you mean": the supported spelling of a name from NumPy, older torch or other tutorials.
# Names allowed elsewhere in the table (`nn.relu` -> `torch.nn.functional.relu`) are found by
# `suggestion` without being listed here.
DID_YOU_MEAN: dict[str, str] = {
    "concat": "torch.cat",
    "concatenate": "torch.cat",
    "clip": "torch.clamp",
    "clip_": "Tensor.clamp_",
    "absolute": "torch.abs",
    "multiply": "torch.mul",
    "divide": "torch.div",
    "subtract": "torch.sub",
    "negative": "torch.neg",
    "ravel": "Tensor.flatten",
    "numpy": "Tensor.tolist",
    "from_numpy": "torch.tensor",
    "as_tensor": "torch.tensor",
    "new_tensor": "torch.tensor",
    "view_as": "Tensor.view(other.shape)",
    "reshape_as": "Tensor.reshape(other.shape)",
    "cuda": "Tensor.to('cpu') (the playground has no GPU)",
    "type": "Tensor.dtype or Tensor.float()",
    "swapaxes": "torch.transpose",
    "moveaxis": "torch.permute",
    "amax": "torch.max",
    "amin": "torch.min",
    "nansum": "torch.sum",
    "softmax2d": "torch.nn.Softmax",
}


def suggestion(owner: str, name: str) -> str | None:
    """The supported spelling to suggest for a refused `owner.name`, if there is one."""
    if name in DID_YOU_MEAN:
        return DID_YOU_MEAN[name]
    lowered = name.lower()
    found = [
        f"{path}.{other}"
        for path, table in NAMESPACES.items()
        for other, entry in table.items()
        if other.lower() == lowered and path != owner and entry.kind is not Kind.NAMESPACE
    ]
    if name in TENSOR and owner != "Tensor":
        found.append(f"Tensor.{name}")  # torch.sigmoid_ -> x.sigmoid_()
    return " or ".join(found[:2]) if found else None


def refusal_reason(name: str) -> str:
    """The reason a name is refused, for the one-sentence message."""
    if name in REFUSAL_REASONS:
        return REFUSAL_REASONS[name]
    if name.startswith("set_"):
        return "it changes global state shared with other runs"
    return "it is not in the playground's torch table"
