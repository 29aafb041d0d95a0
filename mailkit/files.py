"""Files only their owner may read (secrets, keys, the sandbox's client config), written atomically.

The text goes to a temporary file that `mkstemp` creates 0600 in the same folder, then
`os.replace` puts it in place: a reader never sees half a file, and the content is never
readable by others, not even for a moment before a chmod.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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


__all__ = ["write_private"]
