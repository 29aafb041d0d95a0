"""One sandbox per workspace, the way people meet it: several processes (kernels, the CLI) starting it at
once get one; a consent given in one kernel works in another; `mailkit sandbox stop` and the next start
keep the grants; a stale or killed sandbox is replaced; a browser opens the consent page without any
certificate warning."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailkit.checks.account import check_account
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.flow import ConsentFlow
from mailkit.sandbox import supervisor
from mailkit.sandbox.consent_robot import approve
from mailkit.status import Status
from mailkit.workspace import Workspace
from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, kernel_environment, screenshot
from tests.cli_helpers import run_mailkit

CITAS = "citas.tallerruiz@gmail.com"  # an OAuth account of the sample inventory
FACTURACION = "facturacion@ferreteria-delnorte.example"


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    """The state dir of a workspace's shared sandbox (`<home>/sandbox`); whatever runs there is stopped after."""
    directory = supervisor.state_dir_of(tmp_path / "ws")
    yield directory
    supervisor.stop(directory)


def ports(info: dict) -> tuple:
    return info["pid"], info["smtp"]["port"], info["imaps"]["port"], info["http"], info["pages"]


def test_processes_starting_at_once_get_one_sandbox_and_the_cli_sees_it(state: Path) -> None:
    script = ("import json, sys; from mailkit.sandbox import supervisor; "
              "print(json.dumps(supervisor.ensure(sys.argv[1]).info))")
    env = {k: v for k, v in os.environ.items() if k != "MAILKIT_SANDBOX"}
    started = time.monotonic()
    racers = [subprocess.Popen([sys.executable, "-c", script, str(state)], stdout=subprocess.PIPE, text=True, env=env)
              for _ in range(3)]
    seen = [json.loads(r.communicate(timeout=60)[0]) for r in racers]
    elapsed = time.monotonic() - started
    assert len({ports(info) for info in seen}) == 1, seen
    assert seen[0]["pid"] not in [r.pid for r in racers]  # its own process, not one of the starters
    assert elapsed < 30

    status = run_mailkit("sandbox", "status", home=state.parent)
    assert status.returncode == 0, status.stderr
    assert ports(json.loads(status.stdout)) == ports(seen[0])
    again = run_mailkit("sandbox", "start", home=state.parent)
    assert ports(json.loads(again.stdout)) == ports(seen[0]) and "already running" in again.stderr
    second = run_mailkit("sandbox", "--state-dir", str(state), home=state.parent)  # foreground on the same state
    assert second.returncode == 2 and f"pid {seen[0]['pid']}" in second.stderr and "sandbox stop" in second.stderr

    stop = run_mailkit("sandbox", "stop", home=state.parent)
    assert stop.returncode == 0 and f"pid {seen[0]['pid']}" in stop.stderr
    assert not supervisor.pid_alive(seen[0]["pid"]) and not (state / "sandbox.json").exists()
    assert run_mailkit("sandbox", "status", home=state.parent).returncode == 1


def test_a_stale_file_or_a_killed_sandbox_is_replaced(state: Path) -> None:
    state.mkdir(parents=True)
    # a sandbox.json whose pid is alive (this very process) but which is no sandbox: not running
    fake = {"pid": os.getpid(), "http": "https://127.0.0.1:9", "ca_cert": "ca.pem"}
    (state / "sandbox.json").write_text(json.dumps(fake), encoding="utf-8")
    assert supervisor.find(state) is None
    first = supervisor.ensure(state)
    assert first.pid != os.getpid() and supervisor.find(state) == first
    os.kill(first.pid, signal.SIGKILL)  # dies without cleaning up: its sandbox.json stays behind
    deadline = time.monotonic() + 10
    while supervisor.pid_alive(first.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (state / "sandbox.json").exists() and supervisor.find(state) is None
    second = supervisor.ensure(state)
    assert second.pid != first.pid and supervisor.find(state) == second


def _consent_and_check(workspace: Workspace) -> Status:
    with Inventory.open(workspace) as inventory:
        account = inventory.account(FACTURACION)
    with ConsentFlow(account, workspace) as flow:
        result = flow.complete_from_url(approve(flow.authorization_url))
    assert result.status is Status.OK, result.message
    return asyncio.run(check_account(account, workspace=workspace)).status


def test_stop_then_start_keeps_the_grants(state: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("ferreteria-delnorte", "Ferretería del Norte"))
        inventory.upsert_account(build_account(FACTURACION, "ferreteria-delnorte", provider_key="workspace",
                                               auth="oauth2"))
    started = time.monotonic()
    first = supervisor.ensure(state)
    start_seconds = time.monotonic() - started
    monkeypatch.setenv("MAILKIT_SANDBOX", str(first.info_path))
    assert _consent_and_check(workspace) is Status.OK
    client = json.loads((state / "client_config.json").read_text(encoding="utf-8"))["installed"]["client_id"]

    assert supervisor.stop(state) == first and supervisor.find(state) is None
    second = supervisor.ensure(state)
    assert second.pid != first.pid and second.info_path == first.info_path  # MAILKIT_SANDBOX stays right
    assert json.loads((state / "client_config.json").read_text(encoding="utf-8"))["installed"]["client_id"] == client
    with Inventory.open(workspace) as inventory:
        checked = asyncio.run(check_account(inventory.account(FACTURACION), workspace=workspace))
    assert checked.status is Status.OK, checked.message  # the token issued before the restart still works
    reused = time.monotonic()
    assert supervisor.ensure(state) == second
    assert start_seconds < 20 and time.monotonic() - reused < 2


# --- two real Jupyter kernels on one workspace ---------------------------------------------------

START = "from mailkit.ui import session\ns = session.start()\nprint('SANDBOX', s.sandbox.pid, s.sandbox.info_path)"
CONSENT = f"""
from mailkit.inventory import Inventory
from mailkit.oauth.flow import ConsentFlow
from mailkit.sandbox.consent_robot import approve
with Inventory.open(s.workspace) as inventory:
    account = inventory.account({CITAS!r})
with ConsentFlow(account, s.workspace) as flow:
    result = flow.complete_from_url(approve(flow.authorization_url))
print('CONSENT', result.status.value, flow.authorization_url.split('/o/oauth2/')[0])
"""
CHECK = f"""
from mailkit.checks.account import check_account
from mailkit.inventory import Inventory
with Inventory.open(s.workspace) as inventory:
    account = inventory.account({CITAS!r})
checked = await check_account(account, workspace=s.workspace)
print('CHECK', checked.status.value)
"""


class Kernel:
    """A real ipykernel with the environment the notebooks' kernels get."""

    def __init__(self, home: Path):
        from jupyter_client.manager import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=kernel_environment(home), cwd=str(home.parent))
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def run(self, code: str, timeout: float = 90) -> str:
        out: list[str] = []

        def hook(msg: dict) -> None:
            content = msg["content"]
            if msg["msg_type"] == "stream":
                out.append(content["text"])
            elif msg["msg_type"] == "error":
                out.append("\n".join(content["traceback"]))

        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=hook)
        text = "".join(out)
        assert reply["content"]["status"] == "ok", text
        return text

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def said(text: str, word: str) -> list[str]:
    return next(line.split()[1:] for line in text.splitlines() if line.startswith(word + " "))


@pytest.mark.notebook
def test_two_kernels_share_one_sandbox_its_grants_and_the_cli_sees_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    state = supervisor.state_dir_of(home / "sandbox")  # the notebooks' workspace is <home>/sandbox
    kernels: list[Kernel] = []
    try:
        kernels = [Kernel(home), Kernel(home)]
        outputs: list[str] = ["", ""]

        def first_cell(i: int) -> None:
            outputs[i] = kernels[i].run(START)

        racing = [threading.Thread(target=first_cell, args=(i,)) for i in range(2)]
        for thread in racing:
            thread.start()
        for thread in racing:
            thread.join(120)
        one, two = said(outputs[0], "SANDBOX"), said(outputs[1], "SANDBOX")
        assert one == two and one[1] == str(state / "sandbox.json"), outputs  # one sandbox, same pid

        consent = said(kernels[0].run(CONSENT), "CONSENT")
        info = json.loads((state / "sandbox.json").read_text(encoding="utf-8"))
        assert consent == ["ok", info["pages"]]  # the page a person opens is the plain-HTTP one
        assert said(kernels[1].run(CHECK), "CHECK") == ["ok"]
        assert (state / "sandbox-secrets.json").exists()  # no desktop keyring: the shared file of fake secrets

        cli_env = {"MAILKIT_SANDBOX": str(state / "sandbox.json"), "PYTHON_KEYRING_BACKEND":
                   "keyring.backends.fail.Keyring"}
        status = run_mailkit("sandbox", "status", home=home / "sandbox")
        assert status.returncode == 0 and json.loads(status.stdout)["pid"] == int(one[0])
        checked = run_mailkit("check", CITAS, home=home / "sandbox", env=cli_env)
        assert checked.returncode == 0, checked.stdout + checked.stderr

        kernels.pop(0).close()  # closing the first notebook leaves the sandbox to the others
        assert supervisor.find(state) is not None and supervisor.find(state).pid == int(one[0])
        assert run_mailkit("sandbox", "stop", home=home / "sandbox").returncode == 0
        again = said(kernels[0].run(START), "SANDBOX")  # running the first cell again brings it back
        assert again[0] != one[0] and again[1] == one[1]
        assert said(kernels[0].run(CHECK), "CHECK") == ["ok"]  # with the grant given before the stop
    finally:
        for kernel in kernels:
            kernel.close()
        supervisor.stop(state)


# --- a browser on the consent page -----------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)")
def test_chromium_opens_the_consent_page_without_a_certificate_warning(state: Path, workspace: Workspace,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    running = supervisor.ensure(state)
    monkeypatch.setenv("MAILKIT_SANDBOX", str(running.info_path))
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("ferreteria-delnorte", "Ferretería del Norte"))
        inventory.upsert_account(build_account(FACTURACION, "ferreteria-delnorte", provider_key="workspace",
                                               auth="oauth2"))
        account = inventory.account(FACTURACION)
    flow = ConsentFlow(account, workspace)
    assert flow.authorization_url.startswith(running.info["pages"] + "/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)  # no CA, no pin
        try:
            page = browser.new_page()
            page.goto(flow.authorization_url, timeout=15_000)
            assert "not private" not in page.content().lower()
            assert page.locator("#consent-account").inner_text() == FACTURACION
            assert page.locator("#consent-continue").is_visible()
            screenshot(page, "shared-sandbox-consent-http")
            page.click("#consent-continue")
            page.wait_for_url(flow.redirect_uri + "**", timeout=15_000)
            device = browser.new_page()  # Microsoft's device-code page, where a person types the code
            device.goto(running.info["pages"] + "/devicelogin", timeout=15_000)
            assert device.locator("input[name=otc]").is_visible()
            # the same page on the HTTPS side is what a browser refuses without the sandbox's CA
            page_tls = browser.new_page()
            with pytest.raises(Exception, match="ERR_CERT"):
                page_tls.goto(running.info["http"] + "/", timeout=15_000)
        finally:
            browser.close()
    result = flow.run(timeout=10)
    assert result.status is Status.OK, result.message


def test_a_slow_foreground_sandbox_is_found_not_doubled(state: Path) -> None:
    env = {**{k: v for k, v in os.environ.items() if k != "MAILKIT_SANDBOX"}, "PYTHONIOENCODING": "utf-8"}
    foreground = subprocess.Popen([sys.executable, "-m", "mailkit", "sandbox", "--state-dir", str(state),
                                   "--latency-ms", "4000"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, env=env)
    try:
        info = json.loads(foreground.stdout.readline())  # type: ignore[union-attr]
        started = time.monotonic()
        found = supervisor.ensure(state)  # every reply waits 4 s, but not the health check
        assert found.pid == foreground.pid == info["pid"] and time.monotonic() - started < 3
        assert supervisor.stop(state) is not None
        assert foreground.wait(15) == 0  # SIGTERM: a clean exit
    finally:
        if foreground.poll() is None:
            foreground.kill()
            foreground.wait(10)
