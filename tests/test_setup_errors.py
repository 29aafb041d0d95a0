"""Broken workspaces and environments end in one line on stderr and exit 2, never a traceback; files are private."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_helpers import run_mailkit


def one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if not line.startswith("sandbox mode:")]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "ws"
    assert run_mailkit("init", home=home).returncode == 0
    return home


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A workspace folder that cannot be written, even by root (immutable), with a database in it."""
    folder = tmp_path / "ro"
    assert run_mailkit("init", home=folder).returncode == 0
    folder.chmod(0o555)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o700)


def test_mailkit_home_that_is_a_file(tmp_path: Path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    one_line_error(run_mailkit("company", "list", home=afile), "is a file, not a folder")


def test_read_only_workspace(read_only: Path):
    one_line_error(run_mailkit("company", "add", "z", "--name", "Z", home=read_only), "read-only")


def test_corrupt_database(tmp_path: Path):
    home = tmp_path / "corrupt"
    home.mkdir()
    (home / "mailkit.sqlite3").write_bytes(os.urandom(4096))
    one_line_error(run_mailkit("company", "list", home=home), "not a readable mailkit database", "backup")


def test_negative_schema_version(tmp_path: Path):
    home = tmp_path / "neg"
    home.mkdir()
    conn = sqlite3.connect(home / "mailkit.sqlite3")
    conn.execute("PRAGMA user_version = -3")
    conn.commit()
    conn.close()
    one_line_error(run_mailkit("company", "list", home=home), "schema version -3")


def test_dropped_table(home: Path):
    conn = sqlite3.connect(home / "mailkit.sqlite3")
    conn.execute("DROP TABLE results")
    conn.commit()
    conn.close()
    one_line_error(run_mailkit("report", home=home), "lacks the table(s) results")


def sandbox_json(path: Path, host: str = "127.0.0.1", ca: Path | None = None) -> Path:
    ca = ca if ca is not None else path.parent / "ca.pem"
    info = {name: {"host": host, "port": port} for name, port in (("smtp", 1), ("smtps", 2), ("imaps", 3))}
    info.update(http=f"https://{host}:4", ca_cert=str(ca), client_config=str(path.parent / "client.json"))
    path.write_text(json.dumps(info))
    return path


def test_sandbox_that_is_a_directory_or_lacks_its_ca(home: Path, tmp_path: Path):
    one_line_error(run_mailkit("company", "list", home=home, env={"MAILKIT_SANDBOX": str(tmp_path)}), "folder")
    stale = sandbox_json(tmp_path / "sandbox.json", ca=tmp_path / "gone.pem")
    one_line_error(run_mailkit("company", "list", home=home, env={"MAILKIT_SANDBOX": str(stale)}),
                   "CA file", "gone.pem")


def test_sandbox_pointing_at_another_machine_is_refused(home: Path, tmp_path: Path):
    (tmp_path / "ca.pem").write_text("not used")
    far = sandbox_json(tmp_path / "far.json", host="203.0.113.9")
    one_line_error(run_mailkit("company", "list", home=home, env={"MAILKIT_SANDBOX": str(far)}),
                   "203.0.113.9", "not this machine")
    helped = run_mailkit("company", "list", "--help", home=home, env={"MAILKIT_SANDBOX": str(far)})
    assert helped.returncode == 0 and "Usage" in helped.stdout  # the help is always there


def test_sandbox_mode_is_announced_on_stderr_not_in_json(home: Path, tmp_path: Path):
    (tmp_path / "ca.pem").write_text("not used")
    local = sandbox_json(tmp_path / "sandbox.json")
    done = run_mailkit("company", "list", "--json", home=home, env={"MAILKIT_SANDBOX": str(local)})
    assert done.returncode == 0 and json.loads(done.stdout) == []
    assert done.stderr.startswith("sandbox mode: Google traffic goes to the local sandbox at 127.0.0.1")
    assert f"MAILKIT_SANDBOX={local}" in done.stderr
    assert "sandbox mode" not in run_mailkit("company", "list", home=home).stderr


def test_sandbox_accounts_file_with_account_a_string(tmp_path: Path):
    accounts = tmp_path / "accounts.toml"
    accounts.write_text('account = "x"\n')
    done = run_mailkit("sandbox", "--accounts", str(accounts), "--state-dir", str(tmp_path / "sb"),
                       home=tmp_path / "ws", timeout=30)
    one_line_error(done, "[[account]] tables")


def test_report_to_a_path_that_cannot_be_written(home: Path, read_only: Path, tmp_path: Path):
    one_line_error(run_mailkit("report", "-o", str(read_only / "r.csv"), home=home), "cannot write")
    one_line_error(run_mailkit("report", "-o", str(tmp_path / "no" / "such" / "r.csv"), home=home),
                   "does not exist")
    assert not (tmp_path / "no").exists()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private_whatever_the_umask(tmp_path: Path):
    home = tmp_path / "deep" / "ws"
    script = (f"import os, subprocess, sys; os.umask(0); sys.exit(subprocess.call([sys.executable, '-m', 'mailkit', "
              f"'--home', {str(home)!r}, 'report', '-o', {str(tmp_path / 'r.xlsx')!r}]))")
    done = subprocess.run([os.sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert mode(home) == 0o700
    files = [home / "mailkit.sqlite3", tmp_path / "r.xlsx",
             *[p for p in home.iterdir() if p.name.startswith("mailkit.sqlite3-")]]
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    exported = run_mailkit("account", "export", str(tmp_path / "accounts.csv"), home=home)
    assert exported.returncode == 0 and mode(tmp_path / "accounts.csv") == 0o600, exported.stderr
    (home / "mailkit.sqlite3").chmod(0o644)  # a database written by an older mailkit is made private again
    assert run_mailkit("company", "list", home=home).returncode == 0
    assert mode(home / "mailkit.sqlite3") == 0o600
