"""The first cell of every notebook: decide sandbox or Google mode and get a workspace ready.

- MAILKIT_SANDBOX set: sandbox mode with the sandbox already running (the CLI's workspace).
- An OAuth client registered in the workspace: Google mode, nothing is started.
- Neither: the sandbox workspace (`<home>/sandbox`, never the admin's real inventory) and its one
  sandbox, shared by every notebook, the CLI and the app: found running, or started in the
  background (`mailkit.sandbox.supervisor`); MAILKIT_SANDBOX is set for this kernel, the workspace
  gets the sample inventory if it is empty, and the sandbox's fake app passwords.

The sandbox's state (OAuth client, grants and tokens, and — without a desktop keyring — the file of
fake secrets) lives in `<home>/sandbox/sandbox`, so an account connected in one notebook is
connected in all of them, and after a restart. Closing a notebook leaves the sandbox running for
the others; `mailkit --home <home>/sandbox sandbox stop` stops it. Running the cell again returns
the same session (and starts the sandbox again if it was stopped meanwhile).
"""

from __future__ import annotations

import contextlib
import html
import os
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w

from mailkit import assets
from mailkit.errors import MailkitError, SecretStoreError
from mailkit.i18n import normalize_lang
from mailkit.inventory import Inventory
from mailkit.ui.i18n_ui import t
from mailkit.ui.language import language_of
from mailkit.workspace import Workspace, default_home

SAMPLE_INVENTORY = assets.asset_path(assets.SAMPLE_INVENTORY)


@dataclass
class SharedSandbox:
    """The workspace's background sandbox this kernel uses (mailkit.sandbox.supervisor)."""

    state_dir: Path
    pid: int = 0
    info_path: Path | None = None

    def ensure(self) -> SharedSandbox:
        """Find it running (health-checked), else start it; point this kernel's MAILKIT_SANDBOX at it."""
        from mailkit.sandbox import supervisor
        from mailkit.sandbox.runner import default_accounts_file

        running = supervisor.ensure(self.state_dir, default_accounts_file())
        self.pid, self.info_path = running.pid, running.info_path
        os.environ["MAILKIT_SANDBOX"] = str(running.info_path)
        return self

    def stop(self) -> None:
        """Stop the sandbox for every notebook, the CLI and the app (its grants and tokens stay)."""
        from mailkit.sandbox import supervisor

        supervisor.stop(self.state_dir)


@dataclass
class Session:
    """Which mode the notebook runs in, its workspace, and the shared sandbox it uses (if it found or
    started one itself rather than being given MAILKIT_SANDBOX).

    Its language is the one given to `start`, else the workspace's remembered one (`mailkit.ui.language`),
    which the panels' pickers change: the banner, shown as a widget, follows it.
    """

    mode: str
    workspace: Workspace
    sandbox: SharedSandbox | None = None
    loaded: int = 0
    chosen_lang: str | None = None

    @property
    def sandboxed(self) -> bool:
        return self.mode == "sandbox"

    @property
    def lang(self) -> str:
        """The language given to `start`, else the workspace's (MAILKIT_LANG, the remembered choice, the locale)."""
        return self.chosen_lang or language_of(self.workspace).lang

    def banner(self, lang: str | None = None) -> str:
        """One line saying which mode this is."""
        lang = lang or self.lang
        if not self.sandboxed:
            return t("mode_google", lang, home=self.workspace.home)
        from mailkit.endpoints import sandbox_info

        info = sandbox_info()
        accounts = _count_sandbox_accounts(info.path) if info else 0
        return t("mode_sandbox", lang, accounts=accounts, home=self.workspace.home)

    def banner_html(self, lang: str | None = None) -> str:
        color = "#146c2e" if self.sandboxed else "#0b57d0"
        return (f"<div class='mailkit-banner' style='color:{color};font-weight:600'>"
                f"{html.escape(self.banner(lang))}</div>")

    def __repr__(self) -> str:
        return self.banner()

    def _repr_html_(self) -> str:
        return self.banner_html()

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, object]:
        """Shown as a widget that follows the workspace's language; the banner's text for plain front ends."""
        bundle = dict(Banner(self)._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle.update({"text/plain": self.banner(), "text/html": self.banner_html()})
        return bundle

    def stop(self) -> None:
        """This kernel stops using the shared sandbox; the sandbox itself keeps running for the other
        notebooks (`SharedSandbox.stop` or `mailkit sandbox stop` end it)."""
        global _SESSION
        if self.sandbox is not None:
            self.sandbox = None
            os.environ.pop("MAILKIT_SANDBOX", None)
        if _SESSION is self:
            _SESSION = None


class Banner(w.HTML):
    """The session's one line, relabelled when the workspace's language changes (unless `start` was given one)."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.shared_language = language_of(session.workspace)
        self.shared_language.observe(self._changed, "lang")
        self.add_class("mailkit-banner")
        self.value = session.banner_html()

    def _changed(self, change: dict[str, object]) -> None:
        self.value = self.session.banner_html(self.session.chosen_lang or str(change["new"]))

    def close(self) -> None:
        self.shared_language.unobserve(self._changed, "lang")
        super().close()


_SESSION: Session | None = None


def current_workspace() -> Workspace:
    """The running session's workspace, else the default one (MAILKIT_HOME or ~/.mailkit)."""
    return _SESSION.workspace if _SESSION is not None else Workspace()


def current() -> Session | None:
    return _SESSION


def start(lang: str | None = None, *, sample: bool = True) -> Session:
    """Get the notebook ready (see the module docstring); safe to call again."""
    global _SESSION
    lang = normalize_lang(lang) if lang else None
    if _SESSION is not None:
        _SESSION.chosen_lang = lang or _SESSION.chosen_lang
        if _SESSION.sandbox is not None:  # stopped or dead since the last run of the cell: start it again
            _SESSION.sandbox.ensure()
        return _SESSION
    if os.environ.get("MAILKIT_SANDBOX"):
        session = Session("sandbox", Workspace().ensure(), chosen_lang=lang)
    elif Workspace().oauth_client_path.exists():
        session = Session("google", Workspace().ensure(), chosen_lang=lang)
    else:
        session = _start_sandbox(lang)
    if session.sandboxed and sample:
        session.loaded = load_sample(session.workspace, own_sandbox=session.sandbox is not None)
    _SESSION = session
    return session


def _start_sandbox(lang: str | None) -> Session:
    from mailkit.sandbox.supervisor import state_dir_of

    workspace = Workspace(default_home() / "sandbox").ensure()
    sandbox = SharedSandbox(state_dir_of(workspace.home)).ensure()
    return Session("sandbox", workspace, sandbox, chosen_lang=lang)


def load_sample(workspace: Workspace, path: Path = SAMPLE_INVENTORY, *, own_sandbox: bool = False) -> int:
    """Import the sample inventory into an empty workspace; give the sandbox's accounts their fake secrets
    and let the 2SV check read its Directory. The number of accounts added."""
    from mailkit.tabular import import_accounts

    with Inventory.open(workspace) as inventory:
        added = 0 if inventory.accounts() else import_accounts(inventory, path, detect_timeout=1.0).added
        with contextlib.suppress(SecretStoreError):  # no usable keyring: the forms will say so when used
            seed_sandbox_secrets(inventory, workspace)
    configure_sandbox_directory(workspace, replace=own_sandbox)
    return added


def configure_sandbox_directory(workspace: Workspace, *, replace: bool = False) -> None:
    """Let the 2SV check read the sandbox's Directory: its service account and admin accounts."""
    from mailkit.endpoints import sandbox_info
    from mailkit.sandbox.accounts import load_accounts
    from mailkit.twostep import configure_directory

    info = sandbox_info()
    key = info.state_dir / "service_account.json" if info else None
    if key is None or not key.exists() or (workspace.setting("directory.service_account") and not replace):
        return
    configure_directory(workspace, service_account=key)
    for account in load_accounts(_accounts_file(info.path)).values():
        if account.admin:
            configure_directory(workspace, admin=account.email)


def seed_sandbox_secrets(inventory: Inventory, workspace: Workspace) -> int:
    """Store each sandbox account's fake app password (or password) for the matching inventory accounts."""
    from mailkit.endpoints import sandbox_info
    from mailkit.sandbox.accounts import load_accounts
    from mailkit.secrets import SecretKind, normalize_app_password, secret_kind_for, secret_store

    info = sandbox_info()
    if info is None:
        return 0
    known = load_accounts(_accounts_file(info.path))
    store = secret_store(workspace)
    stored = 0
    for account in inventory.accounts():
        fake = known.get(account.email.lower())
        if fake is None or account.auth == "oauth2":
            continue
        kind = secret_kind_for(account.auth)
        secret = (fake.app_passwords[0] if fake.app_passwords else "") if kind is SecretKind.APP_PASSWORD \
            else fake.password
        if kind is SecretKind.APP_PASSWORD and secret:
            secret = normalize_app_password(secret)
        if secret and store.get(account.email, kind) is None:
            store.set(account.email, kind, secret)
            inventory.record_secret_set(account.email, kind.value)
            stored += 1
    return stored


def _accounts_file(info_path: Path) -> Path:
    import json

    from mailkit.sandbox.runner import default_accounts_file

    data = json.loads(Path(info_path).read_text(encoding="utf-8"))
    return Path(data.get("accounts_file") or default_accounts_file())


def _count_sandbox_accounts(info_path: Path) -> int:
    from mailkit.sandbox.accounts import load_accounts

    try:
        return len(load_accounts(_accounts_file(info_path)))
    except (MailkitError, OSError, ValueError):  # the count is only informative
        return 0


__all__ = ["SAMPLE_INVENTORY", "Session", "SharedSandbox", "current", "current_workspace", "load_sample",
           "seed_sandbox_secrets", "start"]
