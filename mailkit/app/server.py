"""Serve the notebooks with Voilà as mailkit's app: loopback only, a token, the steps' navigation, kernels that
stop with their page, and the workspace's one sandbox.

Choices, and why:
- **127.0.0.1 and a token.** Voilà's own server accepts any Host header (no DNS-rebinding guard), and its
  kernels run as the admin with the admin's keyring: without a token any web page the admin visits, or any
  other user of the machine, could drive the panels (store secrets, start sends, read the inventory). The
  token is new on every start, given to Voilà in memory (never on a command line that `ps` shows), and the
  browser is opened through a private file rather than a URL on the browser's command line.
- **Kernels stop with their page.** Voilà's page sends a shutdown beacon when it is closed or left, with the
  `_xsrf` cookie the server checks; Voilà's page handler never sets that cookie, so every beacon was refused
  (403) and kernels piled up: `give_xsrf_cookie` sets it before each page is rendered. A tab
  that crashes or loses its network sends none, so kernels without a connected page are also culled after
  `idle_timeout` seconds of quiet (never while a page is connected or a cell still runs).
- **One language, remembered.** `--lang` (or the global `--lang`, or MAILKIT_LANG) is remembered for the
  notebooks' workspace, as a panel's picker remembers it; without one the app opens in the remembered language.
  The kernels get no MAILKIT_LANG (it would outrank what a picker chooses), and the navigation is written again
  before a page is rendered whenever the remembered language changed, so a choice made on one page relabels the
  steps on the next.
- **One sandbox.** When the notebooks will run in sandbox mode (no MAILKIT_SANDBOX given, no OAuth client
  registered) the workspace's shared sandbox is started before the first page asks for it, and stopped
  again with the app if the app started it; kernels find it as the notebooks always do.
"""

from __future__ import annotations

import contextlib
import html
import os
import secrets
import shutil
import socket
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from mailkit.app.steps import HOME, nav_html, notebooks_dir
from mailkit.errors import MailkitError, UsageError
from mailkit.i18n import normalize_lang
from mailkit.ui.language import SETTING, remembered_lang
from mailkit.workspace import Workspace

LOOPBACK = "127.0.0.1"
TEMPLATE = "mailkit"
DEFAULT_IDLE_TIMEOUT = 600


@dataclass
class AppSettings:
    """What one run of the app serves, where, and for whom."""

    home: Path
    lang: str
    port: int
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT

    def url(self, notebook: str = HOME) -> str:
        """The page to open first: the home step, with the token that lets this browser in."""
        return f"http://{LOOPBACK}:{self.port}/voila/render/{notebook}?token={self.token}"


def package_share() -> Path:
    """The Voilà template shipped in the package, as a JUPYTER_PATH entry (share/voila/templates/mailkit)."""
    ref = files("mailkit.app").joinpath("share")
    if not isinstance(ref, Path) or not ref.is_dir():
        raise FileNotFoundError("mailkit/app/share is missing: reinstall mailkit")
    return ref


def pick_port(port: int | None) -> int:
    """The port asked for when it is free on 127.0.0.1, else (none asked for) a free one."""
    with socket.socket() as sock:
        try:
            sock.bind((LOOPBACK, port or 0))
        except OSError as exc:
            raise UsageError(f"--port {port}: {LOOPBACK}:{port} cannot be used ({exc.strerror}); choose another "
                             "port, or leave --port out for a free one") from exc
        return int(sock.getsockname()[1])


def notebooks_workspace(home: Path) -> Workspace:
    """The workspace the notebooks' panels use, and remember the language in: `<home>/sandbox` in sandbox mode
    (as `mailkit.ui.session.start` decides), `<home>` in Google mode or with a sandbox the admin named."""
    if os.environ.get("MAILKIT_SANDBOX") or Workspace(home).oauth_client_path.exists():
        return Workspace(home)
    return Workspace(home / "sandbox")


def app_language(home: Path, asked: str | None) -> str:
    """The app's language: the one asked for (then remembered for the notebooks' workspace, as a panel's picker
    would), else the one remembered, else the locale's."""
    workspace = notebooks_workspace(home)
    lang = normalize_lang(asked)
    if lang is None:
        return remembered_lang(workspace)
    with contextlib.suppress(MailkitError, OSError):  # the app still speaks it; only the memory is lost
        workspace.ensure().set_setting(SETTING, lang)
    return lang


def start_sandbox_if_needed(home: Path) -> object | None:
    """Start the workspace's shared sandbox when the notebooks will want it and it is not running yet.

    What was started (a `supervisor.Running`, for the app to stop when it stops), or None: Google mode,
    a MAILKIT_SANDBOX the admin chose, or a sandbox already running for others.
    """
    if os.environ.get("MAILKIT_SANDBOX") or Workspace(home).oauth_client_path.exists():
        return None
    from mailkit.sandbox import supervisor
    from mailkit.sandbox.runner import default_accounts_file

    state = supervisor.state_dir_of(home / "sandbox")  # the notebooks' sandbox workspace is <home>/sandbox
    if supervisor.find(state) is not None:
        return None
    return supervisor.ensure(state, default_accounts_file())


def stop_sandbox(started: object | None) -> None:
    """Stop the sandbox the app started (its grants and tokens stay for the next start)."""
    if started is None:
        return
    from mailkit.sandbox import supervisor

    supervisor.stop(Path(started.info_path).parent)  # type: ignore[attr-defined]


def kernel_environment(settings: AppSettings, base: dict[str, str], share: Path) -> dict[str, str]:
    """The environment Voilà and so every kernel runs with: the workspace and the template path; no MAILKIT_LANG,
    so the workspace's remembered language (which `app_language` set) speaks and a panel's picker can change it.

    MAILKIT_SANDBOX passes through when the admin set it; otherwise the kernels find the workspace's sandbox.
    """
    env = {k: v for k, v in base.items() if k != "MAILKIT_LANG"}
    env.update({"MAILKIT_HOME": str(settings.home),
                "JUPYTER_PATH": os.pathsep.join(p for p in (str(share), str(package_share()), base.get("JUPYTER_PATH"))
                                                if p)})
    return env


def voila_argv(settings: AppSettings, root: Path) -> list[str]:
    """Voilà's options: the notebooks' folder, loopback, no port hopping, the template, no code, the culler."""
    interval = max(1, min(60, settings.idle_timeout // 2))
    return [str(root), f"--Voila.ip={LOOPBACK}", f"--Voila.port={settings.port}", "--Voila.port_retries=0",
            "--Voila.open_browser=False", f"--VoilaConfiguration.template={TEMPLATE}",
            "--VoilaConfiguration.strip_sources=True", "--VoilaConfiguration.show_tracebacks=False",
            f"--MappingKernelManager.cull_idle_timeout={settings.idle_timeout}",
            f"--MappingKernelManager.cull_interval={interval}", "--MappingKernelManager.cull_connected=False",
            "--MappingKernelManager.cull_busy=False", "--Voila.log_level=ERROR"]


def give_xsrf_cookie(request: Any, notebook: Any, cwd: str) -> None:
    """Voilà's pre-launch hook: the page's own request sets the `_xsrf` cookie its shutdown beacon sends back
    (tornado sets the cookie when the token is first asked for). The notebook is left as it is."""
    _ = request.xsrf_token


@dataclass
class Navigation:
    """The steps' navigation file the template includes, in the workspace's remembered language: written at the
    start and again before a page is rendered whenever that language changed (Jinja reloads a changed file)."""

    share: Path
    root: Path
    workspace: Workspace
    lang: str = ""

    @property
    def path(self) -> Path:
        return self.share / "voila" / "templates" / TEMPLATE / "mailkit_nav.html"

    def refresh(self) -> str:
        """Write the navigation if the remembered language is not the one it speaks; that language."""
        lang = remembered_lang(self.workspace)
        if lang != self.lang or not self.path.exists():
            write_navigation(self.share, lang, self.root)
            self.lang = lang
        return lang

    def before_page(self, request: Any, notebook: Any, cwd: str) -> None:
        """Voilà's pre-launch hook: the `_xsrf` cookie, then the navigation in the language of this moment."""
        give_xsrf_cookie(request, notebook, cwd)
        self.refresh()


def voila_config(navigation: Navigation | None = None) -> Any:
    """What cannot be said on Voilà's command line: the pre-launch hook."""
    from traitlets.config import Config

    config = Config()
    config.VoilaConfiguration.prelaunch_hook = navigation.before_page if navigation else give_xsrf_cookie
    return config


def write_navigation(share: Path, lang: str, root: Path) -> Path:
    """The navigation in the admin's language, where the template includes it from."""
    folder = share / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mailkit_nav.html"
    written = path.with_suffix(".tmp")
    written.write_text(nav_html(lang, root), encoding="utf-8")
    written.replace(path)  # a page rendered meanwhile reads the old file or the new one, never half of one
    return path


def serve(settings: AppSettings, *, announce: Callable[[str], None], open_browser: bool) -> None:
    """Run Voilà in this process until Ctrl-C or SIGTERM; Voilà then shuts every kernel down.

    `announce` gets the URL once the server accepts connections.
    """
    from voila.app import Voila

    root = notebooks_dir()
    run_dir = Path(tempfile.mkdtemp(prefix="mailkit-app-"))
    try:
        share = run_dir / "share"
        environment = kernel_environment(settings, dict(os.environ), share)
        os.environ.pop("MAILKIT_LANG", None)  # the remembered language speaks, here and in every kernel
        os.environ.update(environment)
        navigation = Navigation(share, root, notebooks_workspace(settings.home))
        navigation.refresh()
        threading.Thread(target=_when_listening, args=(settings, run_dir, announce, open_browser),
                         daemon=True).start()
        Voila.launch_instance(argv=voila_argv(settings, root), token=settings.token,
                              config=voila_config(navigation))
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _when_listening(settings: AppSettings, run_dir: Path, announce: Callable[[str], None],
                    open_browser: bool) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection((LOOPBACK, settings.port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        return
    announce(settings.url())
    if open_browser:
        webbrowser.open(_redirect_file(run_dir, settings.url()).as_uri())


def _redirect_file(run_dir: Path, url: str) -> Path:
    """A page only this user can read that sends the browser on to `url` (the token stays off command lines)."""
    path = run_dir / "open.html"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        link = html.escape(url)
        out.write(f'<!doctype html><meta http-equiv="refresh" content="0;url={link}"><a href="{link}">mailkit</a>\n')
    return path


__all__ = ["AppSettings", "Navigation", "app_language", "kernel_environment", "notebooks_workspace", "pick_port",
           "serve", "start_sandbox_if_needed", "stop_sandbox", "voila_argv"]
