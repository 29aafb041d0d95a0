"""Helpers for the widget, notebook and browser tests: the sandbox consent without a browser, a
JupyterLab server of the tests' own, and Playwright with Debian's Chromium."""

from __future__ import annotations

import html
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LAB_SETTINGS = ('{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false},'
                ' "@jupyterlab/docmanager-extension:plugin": {"autosave": false},'
                ' "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": true}}')


# --- the sandbox consent, driven with requests -------------------------------------------------
def consent_link(panel_html: str) -> str:
    """The consent URL the OAuth panel shows."""
    found = re.search(r"href='([^']+)'", panel_html)
    if found is None:
        raise AssertionError(f"no consent link in {panel_html!r}")
    return html.unescape(found.group(1))


def approve_consent(url: str, ca: str | Path, *, as_email: str | None = None, untick: tuple[str, ...] = (),
                    action: str = "allow") -> str:
    """Press Continue (or Cancel) on the sandbox's consent page; the redirect address it answers with.

    `as_email` authorizes another account than the one hinted (the wrong-account case).
    """
    if as_email:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        query["login_hint"] = as_email
        url = urlunsplit(parts._replace(query=urlencode(query)))
    page = requests.get(url, verify=str(ca), timeout=10)
    page.raise_for_status()
    hidden = {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                                                          page.text)}
    scopes = [html.unescape(v) for v in re.findall(r'<input type="checkbox" name="scope" value="([^"]+)"', page.text)]
    form = {**hidden, "scope": [s for s in scopes if s not in untick], "action": action}
    base = url.split("/o/oauth2/")[0]
    reply = requests.post(base + "/o/oauth2/approve", data=form, verify=str(ca), allow_redirects=False, timeout=10)
    if reply.status_code != 302:
        raise AssertionError(f"consent answered {reply.status_code}: {reply.text[:300]}")
    return reply.headers["Location"]


def deliver(location: str) -> None:
    """The browser's last hop: GET the loopback redirect."""
    requests.get(location, timeout=10).raise_for_status()


# --- JupyterLab ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    home: Path
    process: subprocess.Popen

    def page_url(self, notebook: str) -> str:
        """The notebook alone in a new JupyterLab workspace (no tabs restored from an earlier page)."""
        return f"{self.url}/lab/workspaces/w{secrets.token_hex(4)}/tree/{notebook}?reset&token={self.token}"


def kernel_environment(home: Path) -> dict[str, str]:
    """What the notebooks' kernels see: their own workspace, no real keyring, no browser, English."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAILKIT_SANDBOX", "MAILKIT_LANG"}}
    env.update({"MAILKIT_HOME": str(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                "MAILKIT_NO_BROWSER": "1", "MAILKIT_LANG": "en"})
    return env


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on a free loopback port with a token, on a copy of the notebooks (nothing is written back)."""
    base = tmp_path_factory.mktemp("lab")
    root, home, config = base / "notebooks", base / "home", base / "jupyter"
    shutil.copytree(REPO / "notebooks", root)
    settings = config / "lab-settings"
    settings.mkdir(parents=True)
    (settings / "overrides.json").write_text(LAB_SETTINGS, encoding="utf-8")
    env = kernel_environment(home)
    env.update({"JUPYTER_CONFIG_DIR": str(config), "JUPYTERLAB_SETTINGS_DIR": str(config / "user-settings"),
                "JUPYTERLAB_WORKSPACES_DIR": str(config / "workspaces"), "JUPYTER_RUNTIME_DIR": str(base / "run")})
    token, port = secrets.token_hex(16), free_port()
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--ServerApp.token={token}",
               "--ServerApp.ip=127.0.0.1", f"--port={port}", f"--ServerApp.root_dir={root}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               f"--LabApp.app_settings_dir={settings}", "--ServerApp.port_retries=0"]
    log = (base / "lab.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, token, process, base / "lab.log")
        yield Lab(url, token, root, home, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        from mailkit.sandbox import supervisor

        supervisor.stop(supervisor.state_dir_of(home / "sandbox"))  # the kernels' shared sandbox outlives them


def _wait_ready(url: str, token: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(f"{url}/api/status", params={"token": token}, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not start: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def screenshot_path(name: str) -> Path:
    """Where a screenshot goes: test-artifacts/ at the repository root (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def screenshot(page: object, name: str) -> Path:
    """Save a screenshot of the whole page under test-artifacts/."""
    path = screenshot_path(name)
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
