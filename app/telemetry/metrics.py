"""Prometheus metrics of one web process and its workers (prometheus_client, own registry).

Counters and histograms are fed by run events and by the request middleware; gauges (queue
depth, workers by state, memory) are read from the pool when Prometheus scrapes, so they are
never stale and cost nothing between scrapes. Workers are separate processes but report through
their answers, so one registry in the web process sees every number.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, ProcessCollector
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from app.telemetry.events import RunEvent

# Seconds: a seed program takes a few ms; the default run limit is 5 s; queue waits are bounded.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
RESULT_BYTES_BUCKETS = (1e3, 1e4, 5e4, 1e5, 5e5, 1e6, 5e6, 2e7)
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class PoolSnapshot:
    """What the pool looks like right now (read at scrape time)."""

    queue_depth: int = 0
    busy: int = 0
    idle: int = 0
    replacing: int = 0
    worker_pids: list[int] = field(default_factory=list)
    zygote_pid: int | None = None


def resident_bytes(pid: int) -> int | None:
    """Resident set size of a process from /proc (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


class _PoolCollector(Collector):
    def __init__(self, snapshot: Callable[[], PoolSnapshot]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state = self._snapshot()
        queue = GaugeMetricFamily("playground_queue_depth", "Runs waiting for a worker right now.")
        queue.add_metric([], state.queue_depth)
        yield queue
        workers = GaugeMetricFamily(
            "playground_workers", "Worker processes by state.", labels=["state"]
        )
        for state_name, count in (
            ("busy", state.busy),
            ("idle", state.idle),
            ("replacing", state.replacing),
        ):
            workers.add_metric([state_name], count)
        yield workers
        memory = GaugeMetricFamily(
            "playground_process_resident_bytes",
            "Resident memory of the web process, the zygote and the workers (sum and largest).",
            labels=["process"],
        )
        web = resident_bytes(os.getpid())
        if web is not None:
            memory.add_metric(["web"], web)
        if state.zygote_pid is not None:
            zygote = resident_bytes(state.zygote_pid)
            if zygote is not None:
                memory.add_metric(["zygote"], zygote)
        sizes = [size for size in map(resident_bytes, state.worker_pids) if size is not None]
        memory.add_metric(["workers_sum"], sum(sizes))
        memory.add_metric(["worker_max"], max(sizes, default=0))
        yield memory


class PlaygroundMetrics:
    """Every metric of the service, in a registry of its own (one per app)."""

    def __init__(self, version: str, snapshot: Callable[[], PoolSnapshot] | None = None) -> None:
        self.registry = CollectorRegistry()
        self.torch_version = ""
        self._version = version
        ProcessCollector(registry=self.registry)
        self.build_info = Info(
            "playground_build", "Version of the playground and of torch.", registry=self.registry
        )
        self.build_info.info({"version": version, "torch_version": ""})
        self.requests = Counter(
            "playground_http_requests",
            "HTTP requests by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "playground_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.runs = Counter(
            "playground_runs",
            "Finished jobs by kind, outcome (ok, Timeout, LimitExceeded, SandboxViolation, "
            "WorkerCrashed, ProgramError …) and the limit that stopped them.",
            ["kind", "outcome", "limit"],
            registry=self.registry,
        )
        self.run_seconds = Histogram(
            "playground_run_duration_seconds",
            "Time a job spent on its worker.",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.queue_wait_seconds = Histogram(
            "playground_queue_wait_seconds",
            "Time a job waited for a worker.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.result_bytes = Histogram(
            "playground_result_bytes",
            "Size of the answer a worker sent.",
            ["kind"],
            buckets=RESULT_BYTES_BUCKETS,
            registry=self.registry,
        )
        self.replacements = Counter(
            "playground_worker_replacements",
            "Workers replaced, by reason (timeout, crash, recycled, memory, exited, cancelled …).",
            ["reason"],
            registry=self.registry,
        )
        if snapshot is not None:
            self.registry.register(_PoolCollector(snapshot))

    def set_torch_version(self, torch_version: str) -> None:
        """Record torch's version once the workers report it."""
        if torch_version and torch_version != self.torch_version:
            self.torch_version = torch_version
            self.build_info.info({"version": self._version, "torch_version": torch_version})

    def observe_run(self, event: RunEvent) -> None:
        """Count one finished job."""
        self.runs.labels(event.kind, event.outcome, event.limit or "").inc()
        self.run_seconds.labels(event.kind).observe(event.run_s)
        self.queue_wait_seconds.observe(event.queue_wait_s)
        if event.result_bytes:
            self.result_bytes.labels(event.kind).observe(event.result_bytes)

    def observe_replacement(self, reason: str) -> None:
        """Count one worker replaced."""
        self.replacements.labels(reason).inc()

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one HTTP request."""
        self.requests.labels(route, method, str(status)).inc()
        self.request_seconds.labels(route).observe(seconds)

    def metric_names(self) -> Iterable[str]:
        """Names of every family this registry exposes (for tests and docs)."""
        return [family.name for family in self.registry.collect()]
