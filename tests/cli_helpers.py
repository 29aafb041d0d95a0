"""Run the real `mailkit` command in a subprocess, as an admin's shell or cron would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.leak_scan import record


def run_mailkit(*args: str, home: Path, input: str | None = None, env: dict[str, str] | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m mailkit --home HOME ARGS...` with stdin not a TTY; returns the completed process."""
    full_env = {**os.environ, "MAILKIT_HOME": str(home), "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("MAILKIT_LANG", None) if "MAILKIT_LANG" not in (env or {}) else None
    done = subprocess.run([sys.executable, "-m", "mailkit", "--home", str(home), *args], input=input or "",
                          capture_output=True, text=True, env=full_env, timeout=timeout)
    record(f"`mailkit {' '.join(args[:2])}` output", done.stdout + done.stderr)
    return done
