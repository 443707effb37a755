"""Pydantic models of the v1 run contract (`shared/api-v1.md`); they document `/openapi.json`.

Results are produced by the workers as plain JSON and passed through unchanged; these response
models describe them (and the tests validate real results against them).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from typing_extensions import TypeAliasType

IncludePart = Literal["graph", "timeline", "backward_trace"]
# A gradient may nest as deep as a tensor may have dimensions, and no deeper.
MAX_GRADIENT_DEPTH = 64
# A number, or a list of gradients: the schema says what the validator below enforces. Integers
# stay integers (torch converts them with the output's dtype, as it would in a program).
Gradient = TypeAliasType("Gradient", "int | float | list[Gradient]")
# Requests are validated strictly: `false` is not 0 and `0` is not false, as the schema says.
# Non-finite numbers never get this far (the body is strict JSON); allow_inf_nan=False is the
# second line for bodies decoded elsewhere (the offline `check` command).
REQUEST_CONFIG = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def _integral_number(value: Any) -> Any:
    # JSON Schema's "integer" is any number with no fractional part: `5.0` is one, `true` and
    # "5" are not. A strict int alone would refuse `5.0`, which the schema allows.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JSONInteger = Annotated[int, BeforeValidator(_integral_number)]


def _check_number_tree(value: Any, depth: int = 0) -> None:
    if depth > MAX_GRADIENT_DEPTH:
        raise ValueError(f"gradient nests deeper than {MAX_GRADIENT_DEPTH} levels")
    if isinstance(value, list):
        for item in value:
            _check_number_tree(item, depth + 1)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("gradient must be a number or a nested list of numbers")


class BackwardRequest(BaseModel):
    """Run `OUTPUT.backward(gradient=GRADIENT, retain_graph=R)` after the program."""

    model_config = REQUEST_CONFIG

    output: str = Field(description="Name of the variable to call backward on.", min_length=1)
    gradient: Gradient | None = Field(
        None, description="Number or nested list, converted with the output's dtype."
    )
    retain_graph: bool = Field(False, description="Keep the graph for another backward.")

    @field_validator("gradient", mode="before")
    @classmethod
    def gradient_is_numbers(cls, value: Any) -> Any:
        """Accept only numbers and nested lists of numbers."""
        if value is not None:
            _check_number_tree(value)
        return value


class JacobianRequest(BaseModel):
    """Compute the full Jacobian d`output`/d`input` of the final values."""

    model_config = REQUEST_CONFIG

    output: str = Field(description="Variable name of the output.", min_length=1)
    input: str = Field(description="Variable name of the input.", min_length=1)


class RunRequest(BaseModel):
    """A program to run, and what to compute and return after it."""

    model_config = REQUEST_CONFIG

    source: str = Field(description="The program; `import torch` lines are accepted.")
    seed: JSONInteger = Field(
        0,
        ge=-(2**63),
        # lt 2**64 rather than le 2**64 - 1: the same integers, and a bound a JSON Schema
        # validator comparing doubles reads exactly (2**64 - 1 rounds up to 2**64).
        lt=2**64,
        description="`torch.manual_seed(seed)` is in force when the program starts.",
    )
    backward: BackwardRequest | None = Field(
        None, description="Run a backward pass after the program."
    )
    jacobian: JacobianRequest | None = Field(None, description="Jacobian of final values.")
    include: list[IncludePart] | None = Field(
        None,
        description="Heavy parts to return (default all); `[]` for values only, faster.",
    )


class ErrorInfo(BaseModel):
    """Why a program did not run to the end."""

    type: str = Field(
        description="SyntaxError, SandboxViolation, LimitExceeded, Timeout, WorkerCrashed, or "
        "the Python/PyTorch exception class name."
    )
    message: str
    line: int | None = None
    col: int | None = None
    limit: str | None = Field(None, description="Which limit, for LimitExceeded and Timeout.")
    hint: str | None = None
    hint_ko: str | None = Field(None, description="The hint in Korean.")


class WarningInfo(BaseModel):
    """A warning the program raised, e.g. reading `.grad` of a non-leaf tensor."""

    model_config = ConfigDict(extra="allow")

    category: str
    message: str
    line: int | None = None


class Value(BaseModel):
    """A final top-level binding: a tensor, Python value, list/tuple, or repr of anything else."""

    model_config = ConfigDict(extra="allow")

    kind: str = Field(description='"tensor", "int", "float", "bool", "str", "none", "list", …')
    node: str | None = None
    shape: list[int] | None = None
    dtype: str | None = None
    requires_grad: bool | None = None
    is_leaf: bool | None = None
    grad_fn: str | None = None
    value: Any = None
    grad: Any = None
    items: list[Value] | None = None
    repr: str | None = None
    truncated: bool | None = None


class GraphNode(BaseModel):
    """A tensor node or a function (grad_fn) node of the autograd graph."""

    model_config = ConfigDict(extra="allow")

    id: str
    kind: Literal["tensor", "function"]
    names: list[str] | None = None
    line: int | None = None
    shape: list[int] | None = None
    dtype: str | None = None
    requires_grad: bool | None = None
    is_leaf: bool | None = None
    grad_fn: str | None = None
    value: Any = None
    grad: Any = None
    name: str | None = Field(None, description="The grad_fn name, for function nodes.")


class GraphEdge(BaseModel):
    """An edge in the direction of the forward computation."""

    model_config = ConfigDict(extra="allow")

    source: str
    target: str
    id: str | None = None
    kind: str | None = None


class ModuleCall(BaseModel):
    """One nn.Module call and the graph nodes it created (outputs and functions, not leaves)."""

    id: str
    name: str | None = Field(None, description="Its path among the program's variables: model.0")
    type: str
    label: str = Field(description="What the page draws: `model.0: Linear(2→4)`.")
    parent: str | None = Field(None, description="The id of the call it ran in.")
    nodes: list[str]


class Graph(BaseModel):
    """The autograd graph."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    modules: list[ModuleCall] = Field(
        default_factory=list, description="Each nn.Module call's nodes (innermost call owns)."
    )
    modules_truncated: bool = Field(
        default=False,
        description="The run made more than limits.graph_nodes module calls: later ones are "
        "not in `modules` (their nodes are drawn unfolded).",
    )


class Jacobian(BaseModel):
    """A full Jacobian matrix."""

    model_config = ConfigDict(extra="allow")

    output: str
    input: str
    shape: list[int]
    matrix: Any


class RunResult(BaseModel):
    """Everything one run produced; a failing program is a result with `ok: false`."""

    model_config = ConfigDict(extra="allow")

    api_version: Literal["1"]
    torch_version: str
    seed: int | None = None
    ok: bool
    error: ErrorInfo | None
    stdout: str
    stdout_truncated: bool = False
    warnings: list[WarningInfo]
    variables: dict[str, Value]
    graph: Graph | None = None
    graph_truncated: bool = Field(
        default=False, description="The run hit limits.graph_nodes: later nodes are not recorded."
    )
    timeline: list[dict[str, Any]] | None = None
    timeline_truncated: bool | None = None
    backward_trace: list[dict[str, Any]] | None = None
    backward_trace_truncated: bool = Field(
        default=False, description="limits.graph_nodes backward steps were recorded; no more."
    )
    jacobian: Jacobian | None = None
    result_truncated: bool = Field(
        default=False,
        description="Values were cut to keep the answer within limits.result_bytes.",
    )
    result_cut: list[str] = Field(
        default_factory=list,
        description='What was cut, in order: "variables.NAME", "timeline", "graph.values", …',
    )
    limits: dict[str, int | float]
    timing_ms: dict[str, float]


class Example(BaseModel):
    """A built-in teaching example (English and Korean)."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    source: str
    explanation: str
    title_ko: str
    explanation_ko: str
    expected_error: str | None = None


class Capabilities(BaseModel):
    """The language the sandbox accepts, and the limits of every run."""

    model_config = ConfigDict(extra="allow")

    limits: dict[str, int | float]


class Health(BaseModel):
    """Liveness or readiness."""

    status: str
    workers: int | None = None


class ValidationError(BaseModel):
    """One reason a request was refused, in FastAPI's validation format."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(description='Where: `["body", "checks", 0, "points"]`.')
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class HTTPValidationError(BaseModel):
    """A 422 in FastAPI's validation format (the same structure FastAPI documents)."""

    detail: list[ValidationError]


class Problem(BaseModel):
    """An HTTP error (413, 429, 503) in `application/problem+json` form."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
