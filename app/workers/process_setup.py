"""Process-level settings shared by the zygote and its workers (Linux only)."""

from __future__ import annotations

import ctypes
import os
import resource
import signal

_PR_SET_PDEATHSIG = 1

# Thread pools read these when torch is imported: one request must never take every core.
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


def force_single_thread_env() -> None:
    """Pin native thread pools to one thread (call before torch is imported)."""
    os.environ.update(SINGLE_THREAD_ENV)


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent goes away."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def ignore_terminal_interrupts() -> None:
    """Leave Ctrl-C to the web process, which shuts the pool down in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def limit_address_space(megabytes: int) -> None:
    """Cap the process's virtual memory so a run that allocates too much fails, not the host."""
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def thread_count() -> int:
    """Threads of this process (forking is only safe with exactly one)."""
    return len(os.listdir("/proc/self/task"))
