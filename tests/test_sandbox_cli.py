"""`mailkit sandbox` as a person runs it: a separate process, one JSON line when ready, a clean exit on a signal."""

from __future__ import annotations

import json
import os
import select
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from mailkit.endpoints import SandboxInfo
from tests.sandbox_fixtures import SandboxIMAP, SandboxSMTP

LUPITA, LUPITA_APP = "facturas.lupita@gmail.com", "qwhk pznr tvbe lmsa"


def start(*args: str, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "MAILKIT_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    env.pop("MAILKIT_SANDBOX", None)
    return subprocess.Popen([sys.executable, "-m", "mailkit", "sandbox", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def first_line(process: subprocess.Popen[str], timeout: float = 20) -> str:
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        raise TimeoutError(f"`mailkit sandbox` printed nothing within {timeout} s")
    return process.stdout.readline()  # type: ignore[union-attr]


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict, Path]]:
    state = tmp_path / "state"
    process = start("--state-dir", str(state), "--latency-ms", "60", home=tmp_path / "home")
    try:
        line = first_line(process)
        yield process, json.loads(line), state
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def as_client(info: dict) -> SimpleNamespace:
    """What the client helpers need: the published info and a context trusting only ca.pem."""
    return SimpleNamespace(info=info, client_context=lambda: ssl.create_default_context(cafile=info["ca_cert"]))


def test_serves_until_sigterm(running: tuple[subprocess.Popen[str], dict, Path]) -> None:
    process, info, state = running
    assert json.loads((state / "sandbox.json").read_text()) == info
    loaded = SandboxInfo.load(state / "sandbox.json")
    assert loaded.smtp[0] == loaded.smtps[0] == loaded.imaps[0] == "127.0.0.1"
    assert loaded.workspace_domains == {"ferreteria-delnorte.example", "biuro-kowalski.example", "mayorista-ti.example"}
    assert info["pid"] == process.pid and info["http"].startswith("https://127.0.0.1:")
    installed = json.loads(Path(info["client_config"]).read_text())["installed"]
    assert installed["client_id"].endswith(".apps.googleusercontent.com")
    assert installed["client_secret"].startswith("GOCSPX-")
    assert installed["token_uri"] == info["http"] + "/token"
    assert installed["auth_uri"] == info["http"] + "/o/oauth2/auth"

    client = SandboxSMTP(as_client(info)).secure(as_client(info))
    started = time.monotonic()
    client.login(LUPITA, LUPITA_APP)
    assert time.monotonic() - started >= 0.06  # --latency-ms
    client.sendmail(LUPITA, [LUPITA], f"From: {LUPITA}\r\nSubject: cli\r\n\r\nhola\r\n".encode())
    client.quit()
    [stored] = (state / "mail" / LUPITA / "new").iterdir()  # another process can read what was sent
    assert b"Subject: cli" in stored.read_bytes()
    imap = SandboxIMAP(as_client(info))
    imap.login(LUPITA, LUPITA_APP)
    assert imap.select("INBOX") == ("OK", [b"1"])
    imap.logout()

    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == 0
    assert "export MAILKIT_SANDBOX=" in process.stderr.read()  # type: ignore[union-attr]
    assert not (state / "sandbox.json").exists()


def test_sigint_stops_it_too_and_default_state_dir_is_in_the_workspace(tmp_path: Path) -> None:
    process = start("--fault", "latency=10", home=tmp_path / "home")
    try:
        info = json.loads(first_line(process))
        assert Path(info["state_dir"]) == (tmp_path / "home" / "sandbox").resolve()
        process.send_signal(signal.SIGINT)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


@pytest.mark.parametrize("args", [["--fault", "explode"], ["--accounts", "no-such-file.toml"],
                                  ["--latency-ms", "-5"]])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    process = start(*args, "--state-dir", str(tmp_path / "s"), home=tmp_path / "home")
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2, err
    assert out == ""
    assert err.strip()
