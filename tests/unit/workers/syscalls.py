"""System calls for the seccomp tests, each harmless when no filter stops it.

Raw calls with arguments the kernel refuses (a bad descriptor, a NULL path, a missing
directory), so that without the filter they fail with an errno and the test sees a process that
lived: the filter is what must turn each into a SIGSYS. Only tests use these (the trusted hook of
`fake_jobs.py`); nothing here is reachable from a program.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import socket
import threading
from collections.abc import Callable

import pyseccomp

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _raw(name: str, *args: int) -> int:
    number = pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)
    assert number >= 0, name
    return int(_libc.syscall(ctypes.c_long(number), *(ctypes.c_long(a) for a in args)))


def _fork_and_exit() -> None:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def _open_for_writing() -> None:
    with contextlib.suppress(FileNotFoundError):
        os.open("/nonexistent-directory-of-the-seccomp-test/x", os.O_WRONLY | os.O_CREAT)


def _socket() -> None:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


def _signal_parent() -> None:
    os.kill(os.getppid(), 0)  # signal 0: only checks that the process exists


FORBIDDEN: dict[str, Callable[[], object]] = {
    "execve": lambda: _raw("execve", 0, 0, 0),  # NULL path: EFAULT without the filter
    "execveat": lambda: _raw("execveat", -1, 0, 0, 0, 0),
    "fork": _fork_and_exit,
    "clone of a process": lambda: _raw("clone", 0x800, 0, 0, 0, 0),  # CLONE_SIGHAND alone: EINVAL
    "socket": _socket,
    "connect": lambda: _raw("connect", -1, 0, 0),
    "sendto an address": lambda: _raw("sendto", -1, 0, 0, 0, 1, 16),
    "ptrace": lambda: _raw("ptrace", 16, -1, 0, 0),  # PTRACE_ATTACH to no process
    "process_vm_readv": lambda: _raw("process_vm_readv", -1, 0, 0, 0, 0, 0),
    "open for writing": _open_for_writing,
    "unlink": lambda: _raw("unlink", 0),
    "mount": lambda: _raw("mount", 0, 0, 0, 0, 0),
    "kill another process": _signal_parent,
    "setrlimit": lambda: _raw("prlimit64", 0, 9, 1, 0),  # RLIMIT_AS, bad pointer
    "setuid": lambda: _raw("setuid", os.getuid()),
    "unshare": lambda: _raw("unshare", 0),
    "io_uring_setup": lambda: _raw("io_uring_setup", 0, 0),
    "bpf": lambda: _raw("bpf", -1, 0, 0),
}


def _thread() -> None:
    thread = threading.Thread(target=lambda: None)
    thread.start()
    thread.join()


def _read_file() -> None:
    with open("/proc/self/status", encoding="ascii") as status:
        assert "NoNewPrivs:\t1" in status.read()


def _clone3_is_not_implemented() -> None:
    assert _raw("clone3", 0, 0) == -1
    assert ctypes.get_errno() == 38  # ENOSYS: glibc falls back to clone for threads


def _signal_itself() -> None:
    os.kill(os.getpid(), 0)
    signal.pthread_kill(threading.get_ident(), 0)


ALLOWED: dict[str, Callable[[], object]] = {
    "thread": _thread,
    "read a file": _read_file,
    "clone3 says ENOSYS": _clone3_is_not_implemented,
    "signal itself": _signal_itself,
    "get limits": lambda: resource.getrlimit(resource.RLIMIT_AS),
}
