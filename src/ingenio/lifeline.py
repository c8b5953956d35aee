"""Worker processes die with the process that started them (issue 15, item 7).

A worker pool outlives a parent killed with ``kill -9`` (or a CI time-out): with
``forkserver`` the workers are children of the fork server, not of the command,
and nothing tells them the command is gone, so they keep a core busy. Each
worker (and the progress manager) calls :func:`die_with_parent` as its
initializer: on Linux ``PR_SET_PDEATHSIG`` sends it ``SIGKILL`` when its own
parent (the fork server, which exits when the command's pipe closes) dies, and
on every platform a daemon thread ends the worker within a second of the
command's process disappearing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5


def _set_parent_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else (the pid was reused)
        return False
    try:  # Linux: a killed process not yet reaped by its parent is a zombie ('Z')
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


def die_with_parent(owner_pid: int, parent_pid: int | None = None) -> None:
    """Make this process end when ``owner_pid`` (the command) or its own parent ends.

    Parameters
    ----------
    owner_pid
        The process that started the pool (``os.getpid()`` there).
    parent_pid
        This process's parent when it was started, if known; by default the
        current parent.
    """
    parent = os.getppid() if parent_pid is None else parent_pid
    _set_parent_death_signal()
    if os.getppid() != parent or not _alive(owner_pid):  # died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(POLL_SECONDS)
            if not _alive(owner_pid) or os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="ingenio-lifeline", daemon=True).start()


def terminate_pool_workers(pool: object) -> None:
    """Kill the worker processes of a ``ProcessPoolExecutor`` or the server process of a
    ``multiprocessing`` manager (on an interrupted run)."""
    processes = getattr(pool, "_processes", None) or {}
    single = getattr(pool, "_process", None)
    for process in [*list(processes.values()), *([single] if single is not None else [])]:
        with contextlib.suppress(Exception):
            process.kill()
