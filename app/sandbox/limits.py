"""The named limits every run is held to; each one is configurable through Settings."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Limits:
    """Bounds checked before work is done; exceeding one raises LimitExceeded naming the field."""

    source_bytes: int = 64 * 1024
    ast_nodes: int = 20_000
    ast_depth: int = 60
    steps: int = 100_000
    tensor_elements: int = 1_000_000
    live_tensor_bytes: int = 512 * 1024 * 1024
    op_cost: int = 400_000_000
    run_cost: int = 4_000_000_000
    int_bits: int = 4_096
    pow_exponent: int = 10_000
    shift_bits: int = 4_096
    str_length: int = 100_000
    list_length: int = 100_000
    # Items and characters of every list, tuple, dict and string a run builds, copies, slices
    # or splits, in total: one `[0] * 10**5` is fine, 10**5 of them would hold gigabytes.
    items: int = 10_000_000
    call_depth: int = 50
    stdout_bytes: int = 64 * 1024
    graph_nodes: int = 5_000
    timeline_entries: int = 2_000
    jacobian_cells: int = 10_000
    value_elements: int = 1_000
    # Bytes of JSON the values of one result may take (variables, graph, timeline, trace),
    # charged as they are encoded: past it, values are sent cut (`result_truncated`).
    result_bytes: int = 4 * 1024 * 1024
    seconds: float = 5.0

    # The hash of the fields, set per instance by __post_init__ (a ClassVar to the dataclass, so
    # that it is no field: not compared, not reported).
    _hash: ClassVar[int]

    def __post_init__(self) -> None:
        # Each run hashes its Limits (the tree cache's key, the cached limits dict), and the
        # generated __hash__ hashes a tuple of all the fields every time: frozen fields, one hash.
        # Set like the fields are, so that reading them (on every op) stays as fast.
        fields = tuple(getattr(self, field.name) for field in dataclasses.fields(self))
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash

    def as_dict(self) -> dict[str, int | float]:
        """Return the limits as plain data, as reported in every RunResult."""
        return dataclasses.asdict(self)
