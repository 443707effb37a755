"""Put torch's process-wide state back to its defaults before every run.

Workers are reused across requests; anything one program changed (RNG, grad mode, default
dtype, print options, anomaly mode, torch's once-per-process warnings) must not leak into the
next.
"""

from __future__ import annotations

import random

import torch

from app.sandbox.surface import warn_once


def reset_global_state(seed: int) -> None:
    """Seed the RNGs with `seed` and restore grad mode, default dtype, print options, anomaly."""
    # torch.manual_seed also queues a lazy CUDA seeding that formats a stack trace (~30 ms on
    # every call); the CPU generator is the only one a run can use.
    torch.random.default_generator.manual_seed(seed)
    random.seed(seed)
    # These setters cost microseconds each and nearly always find the default in place (only
    # `torch.set_grad_enabled(False)` left in force changes one): the getters are cheap.
    if not torch.is_grad_enabled():
        torch.set_grad_enabled(True)
    if torch.get_default_dtype() is not torch.float32:
        torch.set_default_dtype(torch.float32)
    # A profile does not cover sci_mode; None is torch's automatic choice.
    torch.set_printoptions(profile="default", sci_mode=None)
    if torch.is_anomaly_enabled() or not torch.is_anomaly_check_nan_enabled():
        torch.autograd.set_detect_anomaly(False)
    # No run can use up a once-per-process warning of torch (see surface/warn_once.py).
    warn_once.reset()
