"""Admission by expected wait: the estimate, the budget, and an honest Retry-After."""

from __future__ import annotations

import math

import pytest

from app.workers.admission import Admission


def test_no_wait_while_a_worker_is_free() -> None:
    admission = Admission(workers=2, budget_seconds=1.0, initial_run_seconds=0.5)
    assert admission.admit().expected_wait == 0.0
    assert admission.admit().expected_wait == 0.0
    # The third waits for one of two workers: half a run on average per place in the queue.
    assert admission.expected_wait() == pytest.approx(0.25)


def test_admits_while_the_expected_wait_is_under_the_budget_then_refuses() -> None:
    admission = Admission(workers=2, budget_seconds=1.0, initial_run_seconds=0.5)
    decisions = [admission.admit() for _ in range(10)]
    # 2 run at once, then 4 more each wait <= 4 x 0.5 / 2 = 1.0 s; the 7th would wait 1.25 s.
    assert [d.admitted for d in decisions] == [True] * 6 + [False] * 4
    assert admission.in_flight == 6
    assert admission.refused == 4
    assert decisions[6].retry_after == 1  # 0.25 s over the budget, rounded up to whole seconds


def test_retry_after_tracks_the_queue() -> None:
    admission = Admission(workers=2, budget_seconds=10.0, initial_run_seconds=1.0)
    admission.in_flight = 21  # 20 wait: 10 s; a newcomer would wait 10 s, the budget
    assert admission.admit().admitted
    refusals = []
    for extra in (0, 10, 40):
        admission.in_flight = 22 + extra
        decision = admission.admit()
        assert not decision.admitted
        assert decision.expected_wait == pytest.approx((22 + extra + 1 - 2) / 2)
        refusals.append(decision.retry_after)
    assert refusals == [math.ceil(0.5), math.ceil(5.5), math.ceil(20.5)]


def test_the_run_time_follows_recent_jobs() -> None:
    admission = Admission(workers=1, budget_seconds=1.0, initial_run_seconds=0.1, smoothing=0.5)
    admission.record_run(0.3)
    assert admission.run_seconds == pytest.approx(0.2)
    for _ in range(30):
        admission.record_run(2.0)
    assert admission.run_seconds == pytest.approx(2.0)
    admission.in_flight = 1
    assert admission.expected_wait() == pytest.approx(2.0)


def test_leaving_frees_the_place() -> None:
    admission = Admission(workers=1, budget_seconds=0.5, initial_run_seconds=1.0)
    assert admission.admit(weight=1).admitted
    assert not admission.admit().admitted
    admission.leave()
    assert admission.admit().admitted
    admission.leave()
    admission.leave()  # never below zero
    assert admission.in_flight == 0


def test_under_a_backlog_the_pace_of_completions_is_the_run_time() -> None:
    """Answers read late by a busy event loop look slow one by one; the pace says the truth."""
    now = [0.0]
    admission = Admission(
        workers=2, budget_seconds=10.0, initial_run_seconds=0.01, clock=lambda: now[0]
    )
    admission.in_flight = 500
    for _ in range(200):
        now[0] += 0.005  # a completion every 5 ms on 2 workers: 10 ms per job
        admission.record_run(1.5, backlogged=True)  # own time inflated by the loop's lag
    assert admission.run_seconds == pytest.approx(0.01)
    assert admission.admit().admitted  # 499 ahead x 10 ms / 2 workers: 2.5 s, under budget
    # Nobody waits in the pool's queue (however many are in flight, e.g. being parsed): the
    # gaps between completions are idle time, not run time; the job's own time counts.
    now[0] += 5.0
    admission.record_run(0.5, backlogged=False)
    assert admission.run_seconds == pytest.approx(0.01 + 0.1 * (0.5 - 0.01))
    now[0] += 5.0
    admission.record_run(0.01, backlogged=True)  # the first of a new backlog: no gap read
    assert admission.run_seconds < 0.06
