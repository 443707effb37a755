"""The zygote: imports torch and the core once, then forks warm workers on request.

Started by the pool as `python -m app.workers.zygote CONTROL_FD JOBS_MODULE` with the service
Settings as JSON on stdin. On its control socket it receives one socket per request (SCM_RIGHTS),
forks a worker that serves jobs on it, and answers with the worker's pid. Forking a process that
has torch loaded takes milliseconds, where a fresh Python with torch takes seconds; it is only
safe while the zygote has a single thread, which is checked before the first fork.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import socket
import sys

from app.config import Settings
from app.workers import process_setup, worker
from app.workers.framing import TAG_RESULT, encode_frame, encode_json


def main(argv: list[str]) -> int:
    """Warm up, report ready, then fork one worker per request on the control socket."""
    control_fd, jobs_module = int(argv[0]), argv[1]
    process_setup.die_with_parent()
    process_setup.ignore_terminal_interrupts()
    process_setup.force_single_thread_env()
    settings = Settings.model_validate_json(sys.stdin.buffer.read())
    control = socket.socket(fileno=control_fd)

    jobs = importlib.import_module(jobs_module)
    info = jobs.prepare(settings.limits)
    threads = process_setup.thread_count()
    if threads != 1:
        print(f"zygote: {threads} threads after warm-up; forking is unsafe", file=sys.stderr)
        return 1
    # Workers are reaped by the kernel; the web process watches them through pidfds.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # Objects that exist now are never collected in workers: their pages stay shared.
    gc.collect()
    gc.freeze()
    control.sendall(encode_frame(TAG_RESULT, encode_json(info)))

    while True:
        try:
            _message, fds, _flags, _address = socket.recv_fds(control, 16, 1)
        except OSError:
            return 0
        if not fds:
            return 0  # the web process closed the control socket: shut down
        pid = os.fork()
        if pid == 0:
            control.close()
            status = 0
            try:
                worker.serve(socket.socket(fileno=fds[0]), jobs, settings)
            except BaseException as error:
                print(f"worker {os.getpid()}: stopped: {error!r}", file=sys.stderr)
                status = 1
            finally:
                # Never unwind into the zygote's loop or run its atexit handlers.
                os._exit(status)
        os.close(fds[0])
        control.sendall(encode_frame(TAG_RESULT, encode_json({"pid": pid})))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
