"""Defence in depth: the system calls a worker never needs kill it (seccomp, through libseccomp).

The sandbox is the wall: programs reach only the allow-listed language. This is what stands
behind it if a program ever gets native code execution in a worker (a heap write through a torch
bug, say): the worker can no longer start programs, open network connections, create processes,
trace or signal other processes, write or delete files, or change its limits, privileges or
namespaces. Any such call kills the worker on the spot (SIGSYS); the pool answers its job
`WorkerCrashed` and forks a replacement, so "one step from code execution" becomes "one dead
worker". The policy and why each entry is in it: SECURITY.md, "Seccomp policy".

Everything else stays allowed (a deny-list, not an allow-list of the few calls a run makes):
measured with strace, a warm worker running every example and the hostile corpus makes only
brk/mmap/munmap, read-only openat/newfstatat/getdents64 (linecache, lazy imports), read, write,
lseek, close, ioctl(TCGETS), futex and rt_sigaction; an allow-list that small would kill honest
workers on the first code path nobody measured. The filter is installed after warm-up, in each
worker after it is forked, with `PR_SET_NO_NEW_PRIVS` (so nothing it could exec would gain
privileges either, and the filter can never be removed).
"""

from __future__ import annotations

import ctypes
import errno
import os
import sys

import pyseccomp

# Start programs.
_EXEC = ("execve", "execveat")
# New processes: fork/vfork always; clone only when it makes a thread (below).
_PROCESSES = ("fork", "vfork")
# Network and local sockets: the worker talks to the web process over a socket it inherited,
# with plain send/recv; it never makes, names, connects or passes another one.
_NETWORK = (
    "socket",
    "socketpair",
    "connect",
    "bind",
    "listen",
    "accept",
    "accept4",
    "sendmsg",
    "sendmmsg",
)
# Other processes: trace, read or write their memory, get their descriptors, signal them.
_OTHER_PROCESSES = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "kcmp",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
    "tkill",
    "move_pages",
    "migrate_pages",
)
# Change files (opening for writing is below: it depends on the flags).
_FILES = (
    "creat",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "mkdir",
    "mkdirat",
    "rmdir",
    "link",
    "linkat",
    "symlink",
    "symlinkat",
    "mknod",
    "mknodat",
    "chmod",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "chown",
    "fchown",
    "lchown",
    "fchownat",
    "truncate",
    "ftruncate",
    "fallocate",
    "utime",
    "utimes",
    "utimensat",
    "futimesat",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "name_to_handle_at",
    "open_by_handle_at",
    "memfd_create",
    "memfd_secret",
)
# Limits, identity and privileges: the worker's RLIMIT_AS is set before the filter.
_PRIVILEGES = (
    "setrlimit",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setfsuid",
    "setfsgid",
    "setgroups",
    "capset",
    "personality",
)
# The system itself: mounts, namespaces, modules, clocks, kernel interfaces a worker never uses
# (io_uring would do file and network I/O without the system calls filtered here).
_SYSTEM = (
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "unshare",
    "setns",
    "swapon",
    "swapoff",
    "reboot",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "iopl",
    "ioperm",
    "quotactl",
    "quotactl_fd",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "lookup_dcookie",
    "vhangup",
    "syslog",
    "fanotify_init",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
)

KILLED: tuple[str, ...] = (
    *_EXEC,
    *_PROCESSES,
    *_NETWORK,
    *_OTHER_PROCESSES,
    *_FILES,
    *_PRIVILEGES,
    *_SYSTEM,
)

# Flags of open/openat that write, create or truncate (each is checked on its own: a rule
# compares under one mask).
_WRITE_FLAGS = (os.O_WRONLY, os.O_RDWR, os.O_CREAT, os.O_TRUNC, os.O_APPEND)
_CLONE_THREAD = 0x00010000
_TIOCSTI = 0x5412  # push characters into a terminal's input: a shell's, on a developer machine
_PR_SET_NO_NEW_PRIVS = 38


def _add(rules: pyseccomp.SyscallFilter, action: int, name: str, *args: pyseccomp.Arg) -> bool:
    """Add one rule; False when this kernel's architecture or libseccomp has no such call."""
    try:
        number = pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name)
    except OSError:
        return False
    if number < 0:
        return False  # not a system call of this architecture (e.g. `open` on arm64)
    rules.add_rule(action, number, *args)
    return True


def build(own_pid: int) -> pyseccomp.SyscallFilter:
    """The worker's filter: allow by default, kill the process on every call listed here."""
    kill = pyseccomp.KILL_PROCESS
    rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    # A call of another ABI (i386 `int 0x80`, x32) kills too: this is libseccomp's default for
    # architectures the filter does not list; stated here so it never silently changes.
    rules.set_attr(pyseccomp.Attr.ACT_BADARCH, kill)
    rules.set_attr(pyseccomp.Attr.CTL_NNP, 1)
    for name in KILLED:
        _add(rules, kill, name)
    # Opening for writing, creating or truncating kills; reading stays (lazy imports, linecache).
    for flag in _WRITE_FLAGS:
        _add(rules, kill, "open", pyseccomp.Arg(1, pyseccomp.MASKED_EQ, flag, flag))
        _add(rules, kill, "openat", pyseccomp.Arg(2, pyseccomp.MASKED_EQ, flag, flag))
    # openat2 takes its flags in a struct a filter cannot read: "not implemented", so a caller
    # falls back to openat, which is checked above.
    _add(rules, pyseccomp.ERRNO(errno.ENOSYS), "openat2")
    # Threads only: clone without CLONE_THREAD makes a process. clone3 takes its flags in a
    # struct: "not implemented", and glibc falls back to clone for threads.
    _add(rules, kill, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, _CLONE_THREAD, 0))
    _add(rules, pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    # Send only on connected sockets (the one to the web process): never to an address.
    _add(rules, kill, "sendto", pyseccomp.Arg(4, pyseccomp.NE, 0))
    # Signals only to itself (abort() raises SIGABRT on its own thread).
    _add(rules, kill, "kill", pyseccomp.Arg(0, pyseccomp.NE, own_pid))
    _add(rules, kill, "tgkill", pyseccomp.Arg(0, pyseccomp.NE, own_pid))
    # Read limits (glibc's getrlimit is prlimit64 with no new limit), never set them.
    _add(rules, kill, "prlimit64", pyseccomp.Arg(2, pyseccomp.NE, 0))
    _add(rules, kill, "ioctl", pyseccomp.Arg(1, pyseccomp.EQ, _TIOCSTI))
    return rules


def install() -> None:
    """Set PR_SET_NO_NEW_PRIVS and load the filter into this process (irreversible)."""
    # Nothing may try to write bytecode for a module imported lazily from now on: that would be
    # an open for writing, and kill the worker.
    sys.dont_write_bytecode = True
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(code)}")
    build(os.getpid()).load()
