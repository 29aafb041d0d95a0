"""Whether a process still runs: what a run left `running` by a crash, and a background sandbox, are judged by."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (it may be someone else's). A zombie — ended, not yet
    reaped by its parent — does not count. On Windows there is no cheap, safe check (`os.kill(pid, 0)` would end
    the process), so nothing counts as running there."""
    if pid <= 0 or sys.platform == "win32":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    try:  # Linux, "pid (name) S ...": the state letter follows the name's closing parenthesis
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace").rpartition(")")[2].split()[0]
    except (OSError, IndexError):  # no /proc (macOS): existing is running
        return True
    return state != "Z"


__all__ = ["pid_alive"]
