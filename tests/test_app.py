"""`mailkit app` as the admin runs it: the command in a subprocess on a free port, opened in headless Chromium.

The home page and the steps render without code, the navigation moves between them, a page that is left or
closed stops its kernel (and one that vanishes without a word is culled), the server listens on 127.0.0.1 only
and lets no one in without the token, `--lang es` speaks Spanish, and Ctrl-C stops the app, its kernels and the
sandbox it started.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
import requests

from mailkit.app.steps import TITLES
from mailkit.i18n import text
from mailkit.sandbox import supervisor
from tests.browser_fixtures import browser, free_port, kernel_environment, screenshot  # noqa: F401 - fixture

pytestmark = pytest.mark.timeout(120)
browser_test = pytest.mark.browser

SETUP = "01_company_setup.ipynb"


@dataclass
class RunningApp:
    """A `mailkit app` process and the address it printed."""

    url: str
    token: str
    home: Path
    process: subprocess.Popen[str]
    log: Path

    @property
    def base(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)

    def kernel_status(self, kernel_id: str) -> int:
        """What the server says of a kernel: 200 while it runs, 404 once it is shut down."""
        return requests.get(f"{self.base}/api/kernels/{kernel_id}", headers={"Authorization": f"token {self.token}"},
                            timeout=10).status_code

    def kernel_processes(self) -> list[psutil.Process]:
        return [p for p in psutil.Process(self.process.pid).children(recursive=True)
                if "ipykernel_launcher" in " ".join(p.cmdline())]


def start_app(tmp: Path, *options: str, browser_command: str | None = None) -> RunningApp:
    """`mailkit --home H app --no-browser --port P ...` (or with `browser_command` as $BROWSER instead of --no-browser);
    returns once it printed its address."""
    home = tmp / "home"
    env = kernel_environment(home)
    if browser_command is not None:
        env["BROWSER"] = browser_command
    env.pop("MAILKIT_LANG")  # the app's own --lang (or its default) decides
    env.update({"JUPYTER_CONFIG_DIR": str(tmp / "jupyter"), "JUPYTER_RUNTIME_DIR": str(tmp / "run"),
                "JUPYTER_DATA_DIR": str(tmp / "data")})
    log = tmp / "app.log"
    command = [sys.executable, "-m", "mailkit", "--home", str(home), "app", "--port", str(free_port()), *options,
               *(["--no-browser"] if browser_command is None else [])]
    with log.open("wb") as err:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                                   start_new_session=True)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
    if not selector.select(timeout=60):
        process.kill()
        raise AssertionError(f"mailkit app printed no address: {log.read_text(errors='replace')[-2000:]}")
    url = process.stdout.readline().strip()  # type: ignore[union-attr]
    assert url.startswith("http://127.0.0.1:") and "token=" in url, url + log.read_text(errors="replace")
    return RunningApp(url, url.split("token=", 1)[1], home, process, log)


def interrupt(app: RunningApp) -> int:
    """Ctrl-C, as the terminal sends it; the exit code."""
    if app.process.poll() is None:
        app.process.send_signal(signal.SIGINT)
    try:
        return app.process.wait(30)
    except subprocess.TimeoutExpired:
        app.process.kill()
        raise


@pytest.fixture(scope="module")
def app_en(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    app = start_app(tmp_path_factory.mktemp("app-en"))
    yield app
    interrupt(app)
    supervisor.stop(supervisor.state_dir_of(app.home / "sandbox"))  # already stopped by the app, unless it failed


def open_page(browser, url: str):  # noqa: F811 - the fixture's value
    """A fresh page that reaches nothing but this machine (Voilà's page asks a CDN for a font)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname in
                  {"127.0.0.1", "localhost"} else route.abort())
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.goto(url)
    page.wait_for_selector("nav.mailkit-nav")
    page.wait_for_selector("#rendered_cells .jp-OutputArea-output", state="visible")  # every cell has run
    return page


def kernel_id(page) -> str:
    return page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {seconds} s: {what}")


def assert_no_code(page) -> None:
    """Voilà strips the code cells' sources: no editor, no highlighted source, not a line of the notebooks' code."""
    code = ".jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .cm-editor, .CodeMirror, .highlight"
    assert page.locator(code).count() == 0
    assert page.locator(".jp-CodeCell").count() > 0  # the code cells are there, as their outputs alone
    assert "from mailkit.ui import" not in page.content()


@browser_test
def test_home_page_navigates_to_a_step_and_leaving_or_closing_a_page_stops_its_kernel(
        app_en: RunningApp, browser) -> None:  # noqa: F811
    home = open_page(browser, app_en.url)
    nav = home.locator("nav.mailkit-nav a")
    assert nav.count() == len(TITLES) and nav.first.get_attribute("aria-current") == "page"
    assert home.locator("nav.mailkit-nav a[aria-current=page]").inner_text() == "Home"
    assert_no_code(home)
    screenshot(home, "app-home")
    home_kernel = kernel_id(home)
    assert app_en.kernel_status(home_kernel) == 200 and len(app_en.kernel_processes()) == 1

    # the navigation's link (the home page lists the steps too); the cookie from the token lets it in
    home.get_by_role("navigation").get_by_role("link", name="Companies and accounts").click()
    home.wait_for_url(f"**/voila/render/{SETUP}")
    home.wait_for_selector("#rendered_cells .jupyter-widgets", state="visible")  # the setup form's widgets
    assert home.locator("button.jupyter-button", has_text="Save company").count() == 1
    assert home.locator("nav.mailkit-nav a[aria-current=page]").inner_text() == "Companies and accounts"
    assert_no_code(home)
    screenshot(home, "app-setup-step")
    wait_until(lambda: app_en.kernel_status(home_kernel) == 404, 15, "the home page's kernel stops when it is left")

    setup_kernel = kernel_id(home)
    assert setup_kernel != home_kernel and app_en.kernel_status(setup_kernel) == 200
    home.close(run_before_unload=True)  # the tab closed
    wait_until(lambda: app_en.kernel_status(setup_kernel) == 404, 15, "the step's kernel stops with its page")
    wait_until(lambda: not app_en.kernel_processes(), 15, "no kernel process is left")


@browser_test
def test_the_app_listens_on_loopback_only_and_wants_its_token(app_en: RunningApp) -> None:
    listening = [c for c in psutil.Process(app_en.process.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN]
    assert [(c.laddr.ip, c.laddr.port) for c in listening] == [("127.0.0.1", app_en.port)]
    others = [a.address for addrs in psutil.net_if_addrs().values() for a in addrs
              if a.family == socket.AF_INET and not a.address.startswith("127.")]
    for address in others:
        with pytest.raises(OSError), socket.create_connection((address, app_en.port), timeout=3):
            pass
    page = f"{app_en.base}/voila/render/00_start_here.ipynb"
    refused = requests.get(page, allow_redirects=False, timeout=30)
    assert refused.status_code in {302, 403} and "mailkit-nav" not in refused.text
    assert requests.get(f"{app_en.base}/api/kernels", timeout=10).status_code in {302, 403, 404}


@browser_test
def test_in_spanish_a_page_that_vanishes_is_culled_and_ctrl_c_stops_everything(
        tmp_path: Path, browser) -> None:  # noqa: F811
    app = start_app(tmp_path, "--lang", "es", "--idle-timeout", "3")
    try:
        sandbox_state = supervisor.state_dir_of(app.home / "sandbox")
        assert supervisor.find(sandbox_state) is not None  # started for the kernels, before the first page
        page = open_page(browser, app.url.replace("00_start_here", SETUP.removesuffix(".ipynb")))
        page.wait_for_selector("#rendered_cells .jupyter-widgets", state="visible")
        assert str(app.home / "sandbox") in page.inner_text("#rendered_cells")  # the kernel got the workspace
        links = page.locator("nav.mailkit-nav a").all_inner_texts()
        assert links[:2] == ["Inicio", "Empresas y cuentas"], links
        save = text("es", "Save company")
        assert save != "Save company" and page.locator("button.jupyter-button", has_text=save).count() == 1
        assert_no_code(page)
        screenshot(page, "app-setup-es")
        vanished = kernel_id(page)
        page.context.close()  # no unload beacon: the connection just ends (a crashed tab, a lost network)
        wait_until(lambda: app.kernel_status(vanished) == 404, 20, "a kernel with no page connected is culled")

        page = open_page(browser, app.url)
        kernels = app.kernel_processes()
        assert len(kernels) == 1
        tree = [psutil.Process(app.process.pid), *psutil.Process(app.process.pid).children(recursive=True)]
        listening = {c.laddr for p in tree for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
        assert len(listening) > 5 and {a.ip for a in listening} == {"127.0.0.1"}  # the app, its kernel, the sandbox
        assert interrupt(app) == 0
        psutil.wait_procs(kernels, timeout=10)
        assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kernels)
        assert supervisor.find(sandbox_state) is None  # the app started it, the app stopped it
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", app.port), timeout=3):
            pass
        assert text("es", "mailkit app stopped.") in app.log.read_text(encoding="utf-8")
        page.context.close()
    finally:
        if app.process.poll() is None:
            app.process.kill()
        supervisor.stop(supervisor.state_dir_of(app.home / "sandbox"))


def test_a_busy_port_is_refused_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = kernel_environment(tmp_path / "home")
        done = subprocess.run([sys.executable, "-m", "mailkit", "--home", str(tmp_path / "home"), "app",
                               "--no-browser", "--port", str(port)], env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode == 2 and f"--port {port}" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_an_unknown_language_is_refused_with_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mailkit", "--home", str(tmp_path / "home"), "app", "--no-browser",
                           "--lang", "fr"], env=kernel_environment(tmp_path / "home"), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stderr.strip() == "error: --lang fr: choose en, es or pl"


def test_the_browser_is_opened_through_a_private_page_not_with_the_token_on_its_command_line(tmp_path: Path) -> None:
    """$BROWSER stands in for the admin's browser: it records what it was started with and the page it got."""
    seen = tmp_path / "seen"
    fake = tmp_path / "fake-browser"
    fake.write_text(f'#!/bin/sh\necho "$@" > {seen}.args\nf="${{1#file://}}"\nstat -c %a "$f" > {seen}.mode\n'
                    f'cat "$f" > {seen}.page\n', encoding="utf-8")
    fake.chmod(0o755)
    app = start_app(tmp_path, browser_command=str(fake))
    try:
        wait_until(lambda: Path(f"{seen}.page").exists() and Path(f"{seen}.page").stat().st_size > 0, 20,
                   "the browser is started")
        args = Path(f"{seen}.args").read_text(encoding="utf-8")
        assert args.startswith("file://") and app.token not in args
        assert Path(f"{seen}.mode").read_text(encoding="utf-8").strip() == "600"
        assert app.url in Path(f"{seen}.page").read_text(encoding="utf-8")
    finally:
        assert interrupt(app) == 0
        supervisor.stop(supervisor.state_dir_of(app.home / "sandbox"))


def test_no_sandbox_is_started_in_google_mode_or_when_the_admin_named_one(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from mailkit.app import server
    from mailkit.workspace import Workspace

    monkeypatch.delenv("MAILKIT_SANDBOX", raising=False)
    google = Workspace(tmp_path / "google").ensure()
    google.oauth_client_path.write_text("{}", encoding="utf-8")
    assert server.start_sandbox_if_needed(google.home) is None
    monkeypatch.setenv("MAILKIT_SANDBOX", str(tmp_path / "elsewhere" / "sandbox.json"))
    assert server.start_sandbox_if_needed(tmp_path / "named") is None
    assert not (tmp_path / "google" / "sandbox").exists() and not (tmp_path / "named" / "sandbox").exists()


def test_the_kernels_get_the_workspace_the_language_and_the_admins_sandbox(tmp_path: Path) -> None:
    from mailkit.app import server

    settings = server.AppSettings(home=tmp_path, lang="pl", port=1234)
    env = server.kernel_environment(settings, {"MAILKIT_SANDBOX": "/s/sandbox.json", "MAILKIT_LANG": "en",
                                               "JUPYTER_PATH": "/mine"}, tmp_path / "share")
    chosen = (env["MAILKIT_HOME"], env["MAILKIT_SANDBOX"])
    assert chosen == (str(tmp_path), "/s/sandbox.json")
    assert "MAILKIT_LANG" not in env  # it would outrank the language a panel's picker remembers
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(tmp_path / "share"), str(server.package_share()), "/mine"]
    assert settings.token not in repr(settings) and len(settings.token) >= 32


def test_the_apps_language_is_the_workspaces_remembered_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--lang is remembered for the notebooks' workspace (<home>/sandbox in sandbox mode); without it the app
    speaks the remembered language; the navigation follows a language picked later on any page."""
    from mailkit.app import server
    from mailkit.ui.language import remembered_lang
    from mailkit.workspace import Workspace

    monkeypatch.delenv("MAILKIT_LANG", raising=False)
    monkeypatch.delenv("MAILKIT_SANDBOX", raising=False)
    notebooks = server.notebooks_workspace(tmp_path)
    assert notebooks.home == tmp_path / "sandbox"
    assert server.app_language(tmp_path, "es") == "es" and remembered_lang(notebooks) == "es"
    assert server.app_language(tmp_path, None) == "es"  # the next start, no --lang: still Spanish
    navigation = server.Navigation(tmp_path / "share", server.notebooks_dir(), notebooks)
    assert navigation.refresh() == "es" and text("es", TITLES[SETUP]) in navigation.path.read_text()
    Workspace(notebooks.home).set_setting("ui.language", "pl")  # picked in a panel of some page
    navigation.before_page(type("Request", (), {"xsrf_token": b"x"})(), None, "")
    shown = navigation.path.read_text()
    assert text("pl", TITLES[SETUP]) in shown and text("es", TITLES[SETUP]) not in shown
    assert server.app_language(tmp_path, None) == "pl"


@browser_test
def test_a_language_picked_on_one_page_speaks_on_the_next_with_the_navigation(tmp_path: Path, browser) -> None:  # noqa: F811
    app = start_app(tmp_path, "--lang", "en")
    try:
        page = open_page(browser, app.url.replace("00_start_here.ipynb", SETUP))
        page.locator("h2", has_text="Companies and accounts").wait_for()  # the intro's heading
        page.locator("select", has=page.locator("option", has_text="Polski")).first.select_option(label="Polski")
        page.locator("h2", has_text=text("pl", TITLES[SETUP])).wait_for()  # the intro follows at once
        # the navigation of this page was written before the language changed
        page.get_by_role("navigation").get_by_role("link", name="Bulk test send").click()
        page.wait_for_url("**/voila/render/04_bulk_test_send.ipynb")
        page.wait_for_selector("#rendered_cells .jupyter-widgets", state="visible")
        bulk = text("pl", TITLES["04_bulk_test_send.ipynb"])
        assert page.locator("nav.mailkit-nav a[aria-current=page]").inner_text() == bulk
        assert page.locator("nav.mailkit-nav a", has_text="Companies and accounts").count() == 0
        assert page.locator("h2", has_text=bulk).count() == 1 and "Sandbox mode" not in page.content()
        screenshot(page, "app-language-remembered-pl")
    finally:
        interrupt(app)
        supervisor.stop(supervisor.state_dir_of(app.home / "sandbox"))
