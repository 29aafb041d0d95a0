"""One sandbox per workspace: started once as its own background process, found and reused by every
notebook kernel, the CLI and the app, stopped by `mailkit sandbox stop`.

Its state dir (`<workspace>/sandbox`) holds everything a restart keeps (OAuth client, grants and
tokens, the sandbox's fake secrets) and the `sandbox.json` it publishes once listening, which names
its pid and ports. A sandbox.json is trusted only after a health check: the pid is alive *and* the
HTTPS side, verified against the sandbox's own CA, answers with that pid and state dir (a file left
by a killed sandbox, or a pid reused by another program, is not a running sandbox). Starting takes
a lock file in the state dir, so two kernels starting at once get one sandbox.

The process is not a child of whoever started it in any lasting sense: its own session (Ctrl-C in
a terminal or closing the first notebook does not reach it), output in `sandbox.log`.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mailkit.errors import MailkitError
from mailkit.processes import pid_alive

INFO_FILE = "sandbox.json"
LOCK_FILE = "sandbox.lock"
LOG_FILE = "sandbox.log"
HEALTH_PATH = "/_sandbox/health"  # mailkit.sandbox.http.HEALTH_PATH (not imported: it pulls in the servers)


class SandboxStartError(MailkitError):
    """The background sandbox did not come up; the message quotes the end of its log."""


@dataclass(frozen=True)
class Running:
    """A sandbox found alive: its pid, the sandbox.json to point MAILKIT_SANDBOX at, and what it holds."""

    pid: int
    info_path: Path
    info: dict[str, Any]


def state_dir_of(home: str | os.PathLike[str]) -> Path:
    """Where a workspace's shared sandbox keeps its state: `<home>/sandbox`."""
    return Path(home).expanduser().resolve() / "sandbox"


def find(state_dir: str | os.PathLike[str], timeout: float = 3.0) -> Running | None:
    """The sandbox running on `state_dir`, verified alive; None when there is none (or only a stale file)."""
    path = Path(state_dir).expanduser().resolve() / INFO_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        pid = int(info.get("pid") or 0)
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    if pid <= 0 or not pid_alive(pid) or not healthy(info, pid, path.parent, timeout):
        return None
    return Running(pid, path, info)


def healthy(info: dict[str, Any], pid: int, state_dir: Path, timeout: float = 3.0) -> bool:
    """Ask the sandbox's HTTPS side (TLS verified with its CA, loopback only) who it is."""
    try:
        base = urlsplit(str(info["http"]))
        context = ssl.create_default_context(cafile=str(state_dir / str(info["ca_cert"])))
    except (KeyError, OSError, ValueError, ssl.SSLError):
        return False
    if base.scheme != "https" or base.hostname not in ("127.0.0.1", "localhost") or not base.port:
        return False
    connection = http.client.HTTPSConnection(base.hostname, base.port, timeout=timeout, context=context)
    try:
        connection.request("GET", HEALTH_PATH)
        answer = connection.getresponse()
        said = json.loads(answer.read(4096)) if answer.status == 200 else {}
    except (OSError, ValueError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return said.get("pid") == pid and Path(str(said.get("state_dir", ""))).resolve() == state_dir.resolve()


def ensure(state_dir: str | os.PathLike[str], accounts_file: str | os.PathLike[str] | None = None,
           timeout: float = 60.0) -> Running:
    """The workspace's sandbox: the running one, else one started now in the background."""
    directory = Path(state_dir).expanduser().resolve()
    found = find(directory)
    if found is not None:
        return found
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory):
        found = find(directory)  # someone else may have started it while we waited for the lock
        if found is None and _published_pid_alive(directory):
            found = find(directory, timeout=10.0)  # alive but slow to answer (a busy machine): wait longer
        if found is not None:
            return found
        process = _spawn(directory, accounts_file)
        return _wait_ready(directory, process, timeout)


def stop(state_dir: str | os.PathLike[str], timeout: float = 15.0) -> Running | None:
    """Stop the sandbox running on `state_dir` (SIGTERM, then SIGKILL after `timeout`); what was stopped."""
    directory = Path(state_dir).expanduser().resolve()
    if not directory.is_dir():
        return None
    with _locked(directory):
        found = find(directory)
        if found is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.kill(found.pid, signal.SIGTERM)
        if not _wait_gone(found.pid, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(found.pid, signal.SIGKILL)
            _wait_gone(found.pid, 5.0)
            found.info_path.unlink(missing_ok=True)
        return found


def _published_pid_alive(directory: Path) -> bool:
    try:
        return pid_alive(int(json.loads((directory / INFO_FILE).read_text(encoding="utf-8"))["pid"]))
    except (OSError, ValueError, TypeError, KeyError):
        return False


def _spawn(directory: Path, accounts_file: str | os.PathLike[str] | None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "mailkit.sandbox.serve", "--state-dir", str(directory)]
    if accounts_file is not None:
        command += ["--accounts", str(Path(accounts_file).expanduser().resolve())]
    env = {k: v for k, v in os.environ.items() if k != "MAILKIT_SANDBOX"}
    (directory / INFO_FILE).unlink(missing_ok=True)  # a stale file must not be mistaken for the new sandbox
    with open(directory / LOG_FILE, "ab") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   cwd=str(directory), start_new_session=True, close_fds=True)
    # Reap it whenever it ends while this process lives (no zombie that still looks alive to `pid_alive`).
    threading.Thread(target=process.wait, name="mailkit-sandbox-reaper", daemon=True).start()
    return process


def _wait_ready(directory: Path, process: subprocess.Popen[bytes], timeout: float) -> Running:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = find(directory, timeout=2.0)
        if found is not None and found.pid == process.pid:
            return found
        if process.poll() is not None:
            raise SandboxStartError(f"the sandbox stopped while starting (exit {process.returncode}): "
                                    f"{_log_tail(directory)}")
        time.sleep(0.05)
    process.kill()
    raise SandboxStartError(f"the sandbox did not start within {timeout:.0f} s: {_log_tail(directory)}")


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _log_tail(directory: Path, lines: int = 5) -> str:
    try:
        text = (directory / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "no log"
    return " | ".join(text.strip().splitlines()[-lines:]) or "the log is empty"


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on `<state dir>/sandbox.lock`, held by this process until the block ends."""
    with open(directory / LOCK_FILE, "a+b") as handle:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            handle.seek(0)
            while True:
                try:
                    msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    time.sleep(0.1)
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


__all__ = ["INFO_FILE", "LOG_FILE", "Running", "SandboxStartError", "ensure", "find", "healthy", "pid_alive",
           "state_dir_of", "stop"]
