"""Pydantic models of the grader's v1 contract: /api/v1/check and /api/v1/batch.

Like `app.schemas`, the results are produced by workers as plain JSON; the response models here
document them in `/openapi.json` and tests validate real results against them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas import REQUEST_CONFIG, ErrorInfo, RunRequest, RunResult, WarningInfo

ResultFormat = Literal["json", "gradescope", "prairielearn"]
# Points a check may be worth: a bound far above any course's use, so that no sum of the points
# of a request's checks can overflow a float (1e308 + 1e308 is infinity).
MAX_POINTS = 1_000_000.0
# "A check without `expected` needs a reference" in JSON Schema, for clients and API testers: the
# request has a reference program, or every check has `expected`.
EXPECTED_OR_REFERENCE: dict[str, Any] = {
    "anyOf": [
        {"required": ["reference"], "properties": {"reference": {"type": "string"}}},
        {"properties": {"checks": {"items": {"required": ["expected"]}}}},
    ]
}


class Check(BaseModel):
    """One thing to compare after the program ran."""

    model_config = REQUEST_CONFIG

    expr: str = Field(
        min_length=1,
        description="An expression in the playground language, evaluated in the sandbox against "
        "the program's final state, e.g. `x.grad`, `out.item()`, `y.grad_fn.name()`.",
    )
    expected: Any = Field(
        None,
        description="The expected JSON value (null means None). Leave it out to compare with the "
        "same expression in the reference program.",
    )
    rtol: float | None = Field(
        None, ge=0, description="Relative tolerance (default: the actual value's dtype's)."
    )
    atol: float | None = Field(
        None, ge=0, description="Absolute tolerance (default: the actual value's dtype's)."
    )
    name: str | None = Field(None, description="Shown instead of `expr` in reports.")
    points: float = Field(
        1.0, ge=0, le=MAX_POINTS, description="Points the check is worth (at most 10⁶)."
    )

    @property
    def has_expected(self) -> bool:
        """True when the grader gave `expected` (even as null)."""
        return "expected" in self.model_fields_set

    def to_job(self) -> dict[str, Any]:
        """Plain data for the worker; `expected` only when given, so null stays distinct."""
        data = self.model_dump(mode="json", exclude={"expected"})
        if self.has_expected:
            data["expected"] = self.expected
        return data


class CheckRequest(RunRequest):
    """A program, the checks to run on its final state, and optionally a reference program."""

    model_config = ConfigDict(**REQUEST_CONFIG, json_schema_extra=EXPECTED_OR_REFERENCE)

    checks: list[Check] = Field(min_length=1, description="What to compare after the run.")
    reference: str | None = Field(
        None,
        description="An instructor's program run with the same seed; a check without `expected` "
        "compares with the same expression in its final state.",
    )

    @model_validator(mode="after")
    def every_check_has_something_to_compare_with(self) -> CheckRequest:
        """A check without `expected` needs a reference program."""
        if self.reference is None:
            missing = [c.expr for c in self.checks if not c.has_expected]
            if missing:
                raise ValueError(
                    f"check(s) {missing} have no `expected` and the request has no `reference`"
                )
        return self

    def to_job(self) -> dict[str, Any]:
        """The request as the worker's `check` job receives it."""
        data = self.model_dump(mode="json", exclude={"checks"})
        data["checks"] = [check.to_job() for check in self.checks]
        return data

    @property
    def programs(self) -> int:
        """How many programs the job runs (its deadline scales with it)."""
        return 1 if self.reference is None else 2


class CheckOutcome(BaseModel):
    """One check's result."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(description="The check's name, or its expression.")
    expr: str
    passed: bool
    points: float = Field(description="Points earned (0 or the check's points).")
    max_points: float
    expected: Any = Field(description="JSON-safe expected value (the reference's, if used).")
    actual: Any = Field(description="JSON-safe actual value (null if it could not be evaluated).")
    max_abs_diff: float | str | None = Field(
        description='Largest |actual - expected| for numbers ("nan"/"inf" as strings).'
    )
    message: str = Field(description="One sentence a student can act on.")
    error: ErrorInfo | None = Field(
        None, description="Why the expression could not be evaluated, if so."
    )


class CheckRun(BaseModel):
    """How the student's program ran."""

    model_config = ConfigDict(extra="allow")

    ok: bool
    error: ErrorInfo | None
    stdout: str
    stdout_truncated: bool = False
    warnings: list[WarningInfo] = Field(default_factory=list)


class GraderError(BaseModel):
    """The grader's own failure (a broken reference program): not the student's fault."""

    model_config = ConfigDict(extra="allow")

    source: str = Field(description='"reference" (or "request").')
    type: str
    message: str


class CheckResult(BaseModel):
    """Scores and per-check results; `ok` is false when the program or the grader failed."""

    model_config = ConfigDict(extra="allow")

    api_version: Literal["1"]
    torch_version: str
    seed: int
    ok: bool = Field(
        description="The program ran to the end and the grader worked (not: every check passed)."
    )
    score: float = Field(ge=0, le=1, description="points / max_points.")
    points: float
    max_points: float
    passed: int
    total: int
    results: list[CheckOutcome]
    run: CheckRun
    grader_error: GraderError | None = None


class GradescopeTest(BaseModel):
    """One check as a Gradescope test."""

    model_config = ConfigDict(extra="allow")

    name: str
    score: float
    max_score: float
    status: Literal["passed", "failed"]
    output: str


class GradescopeResults(BaseModel):
    """`?format=gradescope`: an autograder's results.json (score in points)."""

    model_config = ConfigDict(extra="allow")

    score: float
    output: str
    tests: list[GradescopeTest]
    extra_data: dict[str, Any]


class PrairieLearnTest(BaseModel):
    """One check as a PrairieLearn test."""

    model_config = ConfigDict(extra="allow")

    name: str
    description: str
    points: float
    max_points: float
    message: str


class PrairieLearnResults(BaseModel):
    """`?format=prairielearn`: an external grader's results (`gradable: false` when the grader
    failed, so that the student is not charged an attempt)."""

    model_config = ConfigDict(extra="allow")

    gradable: bool
    score: float = Field(ge=0, le=1)
    message: str
    output: str
    tests: list[PrairieLearnTest]
    extra_data: dict[str, Any]


ItemId = Annotated[
    str | None,
    Field(
        None,
        max_length=200,
        description="The caller's name for the item (e.g. a student id), echoed in its result.",
    ),
]


class RunItem(RunRequest):
    """A batch item that runs a program, as POST /api/v1/run."""

    kind: Literal["run"]
    id: ItemId = None


class CheckItem(CheckRequest):
    """A batch item that grades a program, as POST /api/v1/check (JSON format)."""

    kind: Literal["check"]
    id: ItemId = None

    def to_job(self) -> dict[str, Any]:
        """The check job, without the batch's own fields."""
        job = super().to_job()
        job.pop("kind", None)
        job.pop("id", None)
        return job


BatchItem = Annotated[RunItem | CheckItem, Field(discriminator="kind")]


class BatchRequest(BaseModel):
    """Independent runs and checks, answered in request order."""

    model_config = REQUEST_CONFIG

    items: list[BatchItem] = Field(
        min_length=1, description="At most `batch_max_items` (default 50) items."
    )


class BatchResponse(BaseModel):
    """One RunResult or CheckResult per item, in the order of the request."""

    results: list[RunResult | CheckResult]
