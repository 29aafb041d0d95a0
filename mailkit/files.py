"""Files only their owner may read (secrets, keys, the sandbox's client config), written atomically.

The text goes to a temporary file that `mkstemp` creates 0600 in the same folder, then
`os.replace` puts it in place: a reader never sees half a file, and the content is never
readable by others, not even for a moment before a chmod.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mailkit.errors import UsageError


def write_private(path: str | os.PathLike[str], text: str) -> Path:
    """Replace `path` with `text`, readable and writable by its owner only; the path written."""
    target = Path(path)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


@contextmanager
def private_output(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A 0600 temporary path beside `path` for a writer that wants a file name (openpyxl, pandas); on success it
    replaces `path`, on failure it is removed. A missing folder or one that cannot be written is a UsageError
    naming the path: reports are never written to a folder created behind the admin's back."""
    target = Path(path)
    if not target.parent.is_dir():
        raise UsageError(f"cannot write {target}: the folder {target.parent} does not exist (create it first)")
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    os.close(fd)
    try:
        yield Path(temp)
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise UsageError(f"cannot write {target}: {exc.strerror or exc} (is it open in another program?)") from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def create_private(path: str | os.PathLike[str]) -> None:
    """Make sure `path` exists and only its owner can read it (0600 whatever the umask) before a library such as
    SQLite opens it; SQLite gives its -wal and -shm files the mode of the database file."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def make_private_dir(path: str | os.PathLike[str]) -> Path:
    """Create the folder (and its parents) if missing; a folder created here is 0700 whatever the umask."""
    folder = Path(path)
    if folder.is_dir():
        return folder
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder


__all__ = ["create_private", "make_private_dir", "private_output", "write_private"]
