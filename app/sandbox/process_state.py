"""Put torch's process-wide state back to its defaults before every run.

Workers are reused across requests; anything one program changed (RNG, grad mode, default
dtype, print options, anomaly mode) must not leak into the next.
"""

from __future__ import annotations

import random

import torch


def reset_global_state(seed: int) -> None:
    """Seed the RNGs with `seed` and restore grad mode, default dtype, print options, anomaly."""
    # torch.manual_seed also queues a lazy CUDA seeding that formats a stack trace (~30 ms on
    # every call); the CPU generator is the only one a run can use.
    torch.random.default_generator.manual_seed(seed)
    random.seed(seed)
    torch.set_grad_enabled(True)
    torch.set_default_dtype(torch.float32)
    torch.set_printoptions(profile="default")
    # `profile="default"` leaves sci_mode alone; None is torch's automatic choice.
    torch.set_printoptions(sci_mode=None)
    torch.autograd.set_detect_anomaly(False)
