"""The README's main job, as a newcomer runs it: `mailkit demo` in a fresh workspace, no keyring."""

from __future__ import annotations

import os
import sys
import tomllib
import zipfile

from openpyxl import load_workbook

from mailkit import assets
from mailkit.sandbox import supervisor
from tests import demo_hints
from tests.cli_helpers import run_mailkit
from tests.sandbox_fixtures import EXPECTED_SEND


def test_demo_tells_the_whole_story_and_leaks_no_secret(tmp_path):
    home = tmp_path / "ws"
    # a background sandbox left running on the demo's state (`mailkit sandbox start`) gives way to the story's
    background = supervisor.ensure(supervisor.state_dir_of(home / "demo"))
    result = run_mailkit("demo", "--no-progress", home=home, timeout=120,
                         env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 0, result.stderr
    assert f"stopped the workspace's background sandbox (pid {background.pid})" in result.stdout
    assert not supervisor.pid_alive(background.pid)
    lines = result.stdout.splitlines()
    for email, status in EXPECTED_SEND.items():
        row = next(line for line in lines if f" {email} " in f" {line} " and not line.startswith("3."))
        assert row.split()[2] == status, row
    assert "9 accounts need attention" in result.stdout
    report = home / "demo" / "mailkit-report.xlsx"
    sheet = load_workbook(report).worksheets[0]
    assert sheet.max_row == len(EXPECTED_SEND) + 1

    secrets = [s.replace(" ", "") for s in tomllib.loads(assets.read_text(assets.DEMO_PLAN))["secrets"].values()]
    with zipfile.ZipFile(report) as xlsx:
        xlsx_text = "".join(xlsx.read(name).decode("utf-8", "replace") for name in xlsx.namelist())
    database = (home / "demo" / "mailkit.sqlite3").read_bytes()
    for secret in secrets:
        for haystack in (result.stdout, result.stderr, xlsx_text):
            assert secret not in haystack.replace(" ", "")
        assert secret.encode() not in database

    # Its last lines: the commands that open its workspace afterwards, pasted as they are, from elsewhere.
    steps = demo_hints.next_steps(result.stdout)
    assert result.stdout.rstrip().endswith(" ".join(steps[-1].args[-3:]))
    looks = [s for s in steps if not s.env and not s.background]
    assert [s.args[2:] for s in looks] == [["account", "list"], ["report"]]
    env = {k: v for k, v in os.environ.items() if k not in ("MAILKIT_HOME", "MAILKIT_SANDBOX")}
    outputs = [demo_hints.run(step, [sys.executable, "-m", "mailkit"], env, cwd=tmp_path) for step in looks]
    for done in outputs:
        assert done.returncode in (0, 1), done.stderr
        assert all(email in done.stdout for email in EXPECTED_SEND), done.stdout
    assert outputs[0].returncode == 0 and outputs[1].returncode == 1  # the report: 9 accounts not ok
    for email, status in EXPECTED_SEND.items():
        row = next(line for line in outputs[1].stdout.splitlines() if f" {email} " in f" {line} ")
        assert row.split()[2] == status, row


def test_sandbox_mode_is_put_back_even_when_the_story_fails(monkeypatch, tmp_path):
    import os

    import pytest

    from mailkit.demo import _sandbox_mode

    monkeypatch.setenv("MAILKIT_SANDBOX", "/elsewhere/sandbox.json")
    with pytest.raises(RuntimeError), _sandbox_mode(tmp_path / "sandbox.json"):
        assert os.environ["MAILKIT_SANDBOX"] == str(tmp_path / "sandbox.json")
        raise RuntimeError("the audit failed")
    assert os.environ["MAILKIT_SANDBOX"] == "/elsewhere/sandbox.json"
    monkeypatch.delenv("MAILKIT_SANDBOX")
    with _sandbox_mode(tmp_path / "sandbox.json"):
        pass
    assert "MAILKIT_SANDBOX" not in os.environ
