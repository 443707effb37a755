"""The core entry points: run a program and return its whole RunResult as plain data.

`run_program` is what the workers call for /run; `execute_program` also keeps the final state
so a grader can evaluate expressions against it. Neither ever raises: whatever goes wrong ends
up in the result's `error` (an unexpected failure of ours as type "InternalError").
"""

from __future__ import annotations

import functools
import gc
import time
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from app.result import included_parts, run_result, with_empty_parts
from app.sandbox.aside import Aside
from app.sandbox.classes import runs_program_repr
from app.sandbox.context import RunContext
from app.sandbox.errors import PlaygroundSignal, ProgramError
from app.sandbox.interpreter import Interpreter, Outcome
from app.sandbox.limits import Limits
from app.sandbox.observer import BACKWARD, BackwardPass, Observer, PassiveObserver
from app.sandbox.process_state import reset_global_state
from app.sandbox.program_errors import program_error
from app.sandbox.surface.autograd_calls import run_pass
from app.sandbox.surface.values import Namespace
from app.trace.encode import encode_value_counted
from app.trace.jacobian import JacobianRequestError, requested_jacobian
from app.trace.program_reprs import show_program_reprs
from app.trace.recorder import Recorder
from app.trace.result_budget import ResultBudget, empty_value

# The limits of a run given none: frozen, so one instance serves every such run (and its hash,
# which each run needs, is computed once).
_DEFAULT_LIMITS = Limits()


@dataclass
class Execution:
    """A finished run: its RunResult and the interpreter holding the final state."""

    result: dict[str, Any]
    interpreter: Interpreter | None

    def evaluate(self, expression: str) -> Any:
        """Evaluate `expression` in the final state; raises the interpreter's EvaluationError."""
        if self.interpreter is None:
            raise RuntimeError("the run failed before the program started")
        return self.interpreter.evaluate(expression)


def run_program(
    source: str,
    seed: int = 0,
    *,
    backward: Mapping[str, Any] | None = None,
    jacobian: Mapping[str, Any] | None = None,
    include: Sequence[str] | None = None,
    limits: Limits | None = None,
    capture: bool = True,
) -> dict[str, Any]:
    """Run `source` and return its RunResult (see docs/architecture.md)."""
    return _execute(
        source, seed, backward, jacobian, include, limits, capture, keep_records=False
    ).result


def execute_program(
    source: str,
    seed: int = 0,
    *,
    backward: Mapping[str, Any] | None = None,
    jacobian: Mapping[str, Any] | None = None,
    include: Sequence[str] | None = (),
    limits: Limits | None = None,
    capture: bool = True,
) -> Execution:
    """Run `source` and keep its final state; by default no heavy parts (graders need values)."""
    return _execute(source, seed, backward, jacobian, include, limits, capture, keep_records=True)


def _execute(
    source: str,
    seed: int,
    backward: Mapping[str, Any] | None,
    jacobian: Mapping[str, Any] | None,
    include: Sequence[str] | None,
    limits: Limits | None,
    capture: bool,
    *,
    keep_records: bool,
) -> Execution:
    started = time.perf_counter()
    limits = limits or _DEFAULT_LIMITS
    run = _Run(source, seed, limits, included_parts(include) if capture else ())
    # Capture keeps thousands of small records alive; with the collector on, each full
    # collection walks them all again (half the time of a 2,000-op run). A run is short and
    # bounded by its limits, so its cycles are simply collected after it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            # The program's `__repr__`s run aside at the end, never for a grader: they keep
            # the final state to evaluate, which a `__repr__` could change.
            result = run.execute(backward, jacobian, program_reprs=not keep_records)
        except BaseException as unexpected:  # the promise: nothing escapes
            if isinstance(unexpected, KeyboardInterrupt | SystemExit):
                raise
            result = _internal_error_result(run, unexpected)
        if not keep_records:
            # Only the result is wanted: free the records now, and drop the final state so
            # that the collection below frees it too (the interpreter holds it in reference
            # cycles), rather than leaving it to whichever run comes next.
            if run.recorder is not None:
                run.recorder.release()
            run.interpreter = run.ctx = None
    finally:
        if collecting:
            gc.enable()
    result["timing_ms"] = {"total": round((time.perf_counter() - started) * 1000, 3)}
    return Execution(result, run.interpreter)


class _Run:
    """The steps of one run, in order: program, request jacobian, request backward, results."""

    def __init__(self, source: str, seed: int, limits: Limits, parts: Sequence[str]) -> None:
        self.source = source
        self.seed = seed
        self.limits = limits
        self.parts = parts
        self.budget = ResultBudget(limits.result_bytes)
        self.recorder = Recorder(limits, parts, self.budget) if parts else None
        self.observer: Observer = self.recorder or PassiveObserver()
        self.interpreter: Interpreter | None = None
        self.ctx: RunContext | None = None

    def execute(
        self,
        backward: Mapping[str, Any] | None,
        jacobian: Mapping[str, Any] | None,
        *,
        program_reprs: bool = True,
    ) -> dict[str, Any]:
        reset_global_state(self.seed)
        self.ctx = RunContext(self.limits, self.observer)
        if self.recorder is not None:
            self.recorder.follow_grad_epoch(self.ctx)
        self.interpreter = Interpreter(self.ctx)
        watching = nullcontext() if self.recorder is None else self.recorder.module_calls.watching()
        with watching:
            outcome = self.interpreter.run(self.source)
        error = outcome.error
        final = outcome.globals
        warnings_seen = list(outcome.warnings)
        requested_jacobian_result = None
        # The Jacobian is read off the graph before a requested backward could free it.
        if error is None and jacobian is not None:
            try:
                requested_jacobian_result = requested_jacobian(
                    final,
                    str(jacobian.get("output")),
                    str(jacobian.get("input")),
                    self.limits,
                    [] if self.recorder is None else self.recorder.graph_tensors(),
                    self.ctx.deadline,
                )
            except JacobianRequestError as refused:
                error = refused.error
        if error is None and backward is not None:
            error = self._requested_backward(final, backward, warnings_seen)
            # What the program's own code printed during it (a Function's backward, a tensor
            # hook) follows the program's output, as after a last `.backward()` line.
            stdout = self.interpreter.runtime.stdout
            outcome.stdout = stdout.getvalue()
            outcome.stdout_truncated = stdout.truncated
        variables = _encode_variables(final, self.limits, self.recorder, self.budget)
        result = _base_result(self.seed, self.limits, outcome, error, warnings_seen)
        result["variables"] = variables
        cut = self.budget.cut
        if cut:
            result["result_truncated"] = True
            result["result_cut"] = cut
        result["jacobian"] = requested_jacobian_result
        if self.recorder is not None:
            result.update(self.recorder.render(final))
        if program_reprs:
            self._show_program_reprs(final, variables, result)
        return result

    def _show_program_reprs(
        self, final: Mapping[str, Any], variables: dict[str, Any], result: dict[str, Any]
    ) -> None:
        """The program's own `__repr__` of its objects in `variables`: last, when the rest of
        the result is built, run aside (trace/program_reprs.py)."""
        interpreter = self.interpreter
        # Only objects of the program's classes run its code: a run that made no class (most
        # of them) has nothing to ask, however many lists it holds.
        if interpreter is None or not interpreter.runtime.ctx.classes_made:
            return
        if not any(
            runs_program_repr(value) or type(value) in (list, tuple, dict)
            for value in final.values()
        ):
            return
        aside = Aside(interpreter.runtime)
        muted = nullcontext() if self.recorder is None else self.recorder.muted()
        with muted:
            show_program_reprs(final, variables, aside, self.budget, self.limits.value_elements)
        cut = self.budget.cut
        if cut:
            result["result_truncated"] = True
            result["result_cut"] = cut

    def _requested_backward(
        self,
        final: Mapping[str, Any],
        request: Mapping[str, Any],
        warnings_seen: list[dict[str, Any]],
    ) -> ProgramError | None:
        """`OUTPUT.backward(gradient=GRADIENT, retain_graph=R)` as if it were the last line."""
        name = str(request.get("output"))
        output = final.get(name)
        if name not in final:
            return _request_error(f"backward.output: there is no variable named '{name}'.")
        if not isinstance(output, torch.Tensor):
            return _request_error(
                f"backward.output: '{name}' is a {type(output).__name__}, not a tensor."
            )
        retain_graph = bool(request.get("retain_graph", False))
        ctx = self.ctx
        assert ctx is not None
        # No line until the program's own code runs (a Function's backward, a hook): it moves
        # the position, so an error there names its line; torch's own errors have none.
        ctx.line = ctx.col = 0
        assert self.interpreter is not None
        try:
            with self.interpreter.recording_warnings() as caught:
                gradient = request.get("gradient")
                grads = None
                if gradient is not None:
                    grads = [torch.tensor(gradient, dtype=output.dtype)]
                request_pass = BackwardPass(
                    BACKWARD, [output], grads, None, retain_graph, False, None, source="request"
                )
                run_pass(request_pass, self.observer)
        except (PlaygroundSignal, Exception) as failure:
            # torch's own errors, as torch words them, have no line (the request has none);
            # the program's, raised inside code it wrote, keep theirs.
            error = program_error(failure, from_operation=True)
            if not isinstance(failure, PlaygroundSignal) or not error.line:
                error.line = error.col = None
            return error
        else:
            warnings_seen.extend(caught)
            return None


def _request_error(message: str) -> ProgramError:
    return ProgramError("ValueError", message)


def _is_listed_variable(name: str, value: Any) -> bool:
    # Namespaces (`torch`, `nn`, `F`) are how the program reaches torch, not its data.
    return name[:1].isalpha() and type(value) is not Namespace


def _encode_variables(
    final: Mapping[str, Any], limits: Limits, recorder: Recorder | None, budget: ResultBudget
) -> dict[str, Any]:
    """The program's final top-level bindings as Values (tensors point at their graph node),
    each paid from the run's result budget: ten names bound to one big list are ten Values."""
    if recorder is not None:
        recorder.adopt_final(final)
    node_id = None if recorder is None else recorder.tensor_id
    return {
        name: _encode_variable(name, value, limits, node_id, budget)
        for name, value in final.items()
        if _is_listed_variable(name, value)
    }


def _encode_variable(
    name: str, value: Any, limits: Limits, node_id: Any, budget: ResultBudget
) -> dict[str, Any]:
    # Encode no more than the budget can still pay for: past it, each name costs one element.
    encoded, used = encode_value_counted(value, budget.affordable(limits.value_elements), node_id)
    if not budget.take(used, f"variables.{name}"):
        return empty_value(encoded)
    if isinstance(value, nn.Module):
        parameters = {}
        for parameter_name, parameter in value.named_parameters():
            parameter_value, used = encode_value_counted(
                parameter, budget.affordable(limits.value_elements), node_id
            )
            if not budget.take(used, f"variables.{name}.{parameter_name}"):
                parameter_value = empty_value(parameter_value)
            parameters[parameter_name] = parameter_value
        encoded["parameters"] = parameters
    return encoded


def _base_result(
    seed: int,
    limits: Limits,
    outcome: Outcome,
    error: ProgramError | None,
    warnings_seen: list[dict[str, Any]],
) -> dict[str, Any]:
    return run_result(
        torch_version=torch.__version__,
        seed=seed,
        error=error,
        limits=_limits_dict(limits),  # copied by run_result: the cached dict stays intact
        stdout=outcome.stdout,
        stdout_truncated=outcome.stdout_truncated,
        warnings=warnings_seen,
    )


@functools.lru_cache(maxsize=8)
def _limits_dict(limits: Limits) -> dict[str, int | float]:
    # dataclasses.asdict is slow for the tiny programs; Limits is frozen, so cache per value.
    return limits.as_dict()


def _internal_error_result(run: _Run, unexpected: BaseException) -> dict[str, Any]:
    """A RunResult for a failure of ours: never a traceback, never a server path."""
    # MemoryError: the worker's address-space limit, reached outside any one statement.
    error = program_error(unexpected)
    outcome = Outcome(ok=False, error=error, stdout="", stdout_truncated=False)
    # Shaped like any run that recorded nothing: the parts asked for are there, empty.
    return with_empty_parts(_base_result(run.seed, run.limits, outcome, error, []), run.parts)
