"""A file the kernel wrote, offered to the browser as a download.

The kernel's files live in the workspace, often outside the folder Jupyter serves, and a widget has
no "save as". The file is embedded in a link (`data:` URI with the `download` attribute): clicking
it makes the browser save it under its own name, wherever Jupyter or Voilà runs.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from mailkit.ui.base import escape

TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".html": "text/html",
}


def data_uri(path: Path) -> str:
    """The file's bytes as a `data:` URI of its type."""
    kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def download_link(path: Path, label: str) -> str:
    """An `<a download>` link that saves `path` in the browser under its own name."""
    return (f"<a class='mailkit-download' download='{escape(path.name)}' href='{data_uri(path)}' "
            f"style='font-weight:600'>⬇ {escape(label)}</a>")


__all__ = ["TYPES", "data_uri", "download_link"]
