"""Autograd Playground in a notebook: `%%autograd`, `run()`, `watch()` and `show()`.

`%load_ext autograd_playground` registers the `%%autograd` cell magic. Programs run through the
server's sandbox and limits in one warm worker process per kernel (`_pool.py`, the server's own
`WorkerPool`); `watch()` records the notebook's own trusted torch code in the kernel itself.
"""

from __future__ import annotations

from typing import Any

from autograd_playground.result import RunResult
from autograd_playground.runs import run
from autograd_playground.watching import Watch, show, watch

__all__ = ["RunResult", "Watch", "load_ipython_extension", "run", "show", "watch"]


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext autograd_playground`: register the `%%autograd` cell magic."""
    from autograd_playground.magic import register

    register(ipython)
