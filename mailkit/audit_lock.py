"""One audit at a time per workspace: an OS file lock on `<workspace>/audit.lock`.

The lock is the operating system's (flock on POSIX, msvcrt on Windows), not the file's existence: a process
that is killed or crashes loses it with its open files, so no stale lock ever has to be cleaned up by hand.
The holder writes its pid, host and start time into the file so a second audit can say who is in the way.
No lock library is a dependency of mailkit; the stdlib has both calls.

    with audit_lock(workspace):        # AuditLocked (exit code 75) when another audit holds it
        ...
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from mailkit.errors import MailkitError
from mailkit.workspace import Workspace

LOCK_FILE = "audit.lock"
#: EX_TEMPFAIL (sysexits.h): "try again later", what cron and systemd users expect from a busy job.
LOCKED_EXIT = 75
_WINDOWS_OFFSET = 1 << 20  # msvcrt locks are mandatory: lock a byte past the holder's note so it stays readable

T = TypeVar("T")


@dataclass(frozen=True)
class LockHolder:
    """Who holds the lock, as it wrote itself into the lock file (fields empty when it could not be read)."""

    pid: int | None = None
    host: str = ""
    since: str = ""

    def describe(self) -> str:
        if self.pid is None:
            return "another process"
        where = f" on {self.host}" if self.host and self.host != socket.gethostname() else ""
        since = f", since {self.since}" if self.since else ""
        return f"process {self.pid}{where}{since}"


class AuditLocked(MailkitError):
    """Another audit of the same workspace is running."""

    exit_code = LOCKED_EXIT

    def __init__(self, home: Path, holder: LockHolder):
        self.home, self.holder = home, holder
        super().__init__(f"another audit of the workspace {home} is running ({holder.describe()}); "
                         "try again when it has finished")


def lock_path(workspace: Workspace) -> Path:
    return workspace.home / LOCK_FILE


def read_holder(path: Path) -> LockHolder:
    """The note the holder left; an empty or half-written file gives an anonymous holder."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
        pid = data.get("pid")
        return LockHolder(pid if isinstance(pid, int) else None, str(data.get("host", "")),
                          str(data.get("since", "")))
    except (OSError, ValueError, AttributeError):
        return LockHolder()


def _try_lock(handle: IO[str]) -> bool:
    if os.name == "nt":
        import msvcrt

        handle.seek(_WINDOWS_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:  # flock, not lockf: it belongs to this open file, so a second audit in the same process is refused too
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if os.name == "nt":
        import msvcrt

        handle.seek(_WINDOWS_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def audit_lock(workspace: Workspace) -> Iterator[LockHolder]:
    """Hold the workspace's audit lock for the block; `AuditLocked` naming the holder when it is taken."""
    path = lock_path(workspace.ensure())
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open for as long as the lock is held
    try:
        if not _try_lock(handle):
            raise AuditLocked(workspace.home, read_holder(path))
        me = LockHolder(os.getpid(), socket.gethostname(),
                        datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"))
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": me.pid, "host": me.host, "since": me.since}) + "\n")
        handle.flush()
        try:
            yield me
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            _unlock(handle)
    finally:
        handle.close()


def holds_audit_lock(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Decorate an audit's `async def run(self)`: the run holds its workspace's (`self.workspace`) lock."""

    @functools.wraps(method)
    async def locked(self: Any, *args: Any, **kwargs: Any) -> T:
        with audit_lock(self.workspace):
            return await method(self, *args, **kwargs)

    return locked


__all__ = ["LOCKED_EXIT", "LOCK_FILE", "AuditLocked", "LockHolder", "audit_lock", "holds_audit_lock", "lock_path",
           "read_holder"]
