"""Serve the app under valgrind, whose 3.19 (Debian 12) does not know `pidfd_open` (syscall 434).

Used by `bench/web_cost.py --instructions` only: it replaces `os.pidfd_open` with a pipe that
becomes readable once the process has exited (a thread looks at /proc/<pid>/stat every 0.5 s)
and `signal.pidfd_send_signal` with `os.kill`, then runs the module named first (`-m` style)
with the arguments after it. The
watching threads' instructions are counted too; at two reads a second they are far below the
requests'. Never imported by the app.

    valgrind --tool=callgrind ... python bench/pidfd_shim.py app.cli serve --port N
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
import time
from typing import Any

_PIDS: dict[int, int] = {}


def _exited(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def pidfd_open(pid: int, flags: int = 0) -> int:
    readable, writable = os.pipe()
    _PIDS[readable] = pid

    def watch() -> None:
        while not _exited(pid):
            time.sleep(0.5)
        os.write(writable, b"x")
        os.close(writable)

    threading.Thread(target=watch, daemon=True).start()
    return readable


def pidfd_send_signal(fd: int, sig: int, siginfo: Any = None, flags: int = 0) -> None:
    pid = _PIDS.get(fd)
    if pid is None:
        raise OSError(9, "not a shimmed pidfd")
    if not _exited(pid):
        os.kill(pid, sig)


def main() -> None:
    os.pidfd_open = pidfd_open
    signal.pidfd_send_signal = pidfd_send_signal
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
