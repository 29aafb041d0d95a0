"""One audit per workspace at a time: the lock in the library, across processes, after a kill, and in the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from mailkit.audit import Audit, AuditOptions, Selection
from mailkit.audit_lock import LOCKED_EXIT, AuditLocked, audit_lock, lock_path, read_holder
from mailkit.workspace import Workspace
from tests.bulk_fleet import bulk_workspace, running_bulk_sandbox
from tests.cli_helpers import run_mailkit

HOLD = "import sys, time; from mailkit.audit_lock import audit_lock; from mailkit.workspace import Workspace\n" \
       "with audit_lock(Workspace(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)\n"


@pytest.fixture(scope="module")
def lock_sandbox(tmp_path_factory: pytest.TempPathFactory):
    yield from running_bulk_sandbox(tmp_path_factory.mktemp("lock"), 6, busy=0)


def _holder_pid(workspace: Workspace, deadline: float = 20.0) -> int | None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        pid = read_holder(lock_path(workspace)).pid
        if pid is not None:
            return pid
        time.sleep(0.05)
    return None


def test_a_second_lock_in_the_same_process_is_refused_then_free_again(workspace):
    with audit_lock(workspace) as me:
        assert me.pid == os.getpid()
        with pytest.raises(AuditLocked) as refused, audit_lock(workspace):
            pass
        assert refused.value.exit_code == LOCKED_EXIT and f"process {os.getpid()}" in str(refused.value)
        assert refused.value.holder.since == me.since
    with audit_lock(workspace):  # released on leaving the block; the note is gone
        pass
    assert read_holder(lock_path(workspace)).pid is None


def test_a_killed_holder_frees_the_lock(workspace):
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(workspace.home)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(AuditLocked) as refused, audit_lock(workspace):
            pass
        assert refused.value.holder.pid == child.pid
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    with audit_lock(workspace) as me:  # the note of the dead process is still in the file: the OS lock decides
        assert me.pid == os.getpid()


def test_an_audit_run_in_the_library_is_refused_while_another_holds_the_lock(lock_sandbox, workspace, monkeypatch):
    monkeypatch.setenv("MAILKIT_SANDBOX", str(lock_sandbox.info_path))
    keyring.set_keyring(fail.Keyring())
    bulk_workspace(workspace, 2)
    with audit_lock(workspace), pytest.raises(AuditLocked):
        asyncio.run(Audit(workspace, Selection(), AuditOptions()).run())
    summary = asyncio.run(Audit(workspace, Selection(), AuditOptions()).run())
    assert summary.state == "finished" and summary.checked == 3


def test_two_cli_audits_of_one_workspace(lock_sandbox, workspace, monkeypatch):
    monkeypatch.setenv("MAILKIT_SANDBOX", str(lock_sandbox.info_path))
    keyring.set_keyring(fail.Keyring())
    bulk_workspace(workspace, 6)
    lock_sandbox.reset()
    lock_sandbox.faults.latency_ms = 150
    env = {"MAILKIT_SANDBOX": str(lock_sandbox.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    first = subprocess.Popen([sys.executable, "-m", "mailkit", "--home", str(workspace.home), "audit", "--json",
                              "--no-progress", "--concurrency", "1"], env={**os.environ, **env},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _holder_pid(workspace) == first.pid
        second = run_mailkit("audit", "--no-progress", home=workspace.home, env=env)
        out, err = first.communicate(timeout=120)
    finally:
        lock_sandbox.faults.clear()
        if first.poll() is None:
            first.kill()
    assert second.returncode == LOCKED_EXIT, second.stderr
    refusal = [line for line in second.stderr.splitlines() if line.startswith("error:")]
    assert len(refusal) == 1 and f"process {first.pid}, since 20" in refusal[0], second.stderr
    assert "Traceback" not in second.stderr and second.stdout == ""
    assert first.returncode == 0, err
    assert json.loads(out)["checked"] == 7
    again = run_mailkit("audit", "--no-progress", home=workspace.home, env=env)  # the first one let go
    assert again.returncode == 0, again.stderr


def test_a_killed_cli_audit_leaves_no_lock_behind(lock_sandbox, workspace, monkeypatch):
    monkeypatch.setenv("MAILKIT_SANDBOX", str(lock_sandbox.info_path))
    keyring.set_keyring(fail.Keyring())
    bulk_workspace(workspace, 6)
    lock_sandbox.faults.latency_ms = 200
    env = {"MAILKIT_SANDBOX": str(lock_sandbox.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    child = subprocess.Popen([sys.executable, "-m", "mailkit", "--home", str(workspace.home), "audit",
                              "--no-progress", "--concurrency", "1"], env={**os.environ, **env},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _holder_pid(workspace) == child.pid
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        lock_sandbox.faults.clear()
        if child.poll() is None:
            child.kill()
    assert Path(lock_path(workspace)).exists()
    after = run_mailkit("audit", "--no-progress", home=workspace.home, env=env)
    assert after.returncode == 0, after.stderr
