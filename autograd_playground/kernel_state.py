"""What "respect the kernel" means, in one place: the state a run or a watch must leave as found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class KernelState:
    rng: bytes
    grad_enabled: bool
    default_dtype: torch.dtype
    print_options: tuple[Any, ...]
    threads: int

    @classmethod
    def now(cls) -> KernelState:
        options = torch._tensor_str.PRINT_OPTS
        return cls(
            rng=bytes(torch.get_rng_state().tolist()),
            grad_enabled=torch.is_grad_enabled(),
            default_dtype=torch.get_default_dtype(),
            print_options=(
                options.precision,
                options.threshold,
                options.edgeitems,
                options.linewidth,
                options.sci_mode,
            ),
            threads=torch.get_num_threads(),
        )
