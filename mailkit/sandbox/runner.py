"""Start and stop a whole sandbox: SMTP (STARTTLS and implicit TLS), IMAP, and the OAuth/Directory HTTP side,
plus the Microsoft 365 personality (Outlook SMTP/IMAP, Microsoft's identity endpoints on the same HTTPS side).

`Sandbox` is the async core (used by `mailkit sandbox` and by the workspace's background sandbox,
`mailkit.sandbox.supervisor`, that notebooks and the app share); `SandboxThread` runs one on its own
event loop in a daemon thread, for tests and the demo. `start()` writes `sandbox.json` (what
`mailkit.endpoints.SandboxInfo.load` reads; point MAILKIT_SANDBOX at it: ports, `pages` for the
browser, pid) and an OAuth client file in Google's "installed" format.

A sandbox started again on the same state dir is the same Google to its clients: it keeps the
OAuth client of `client_config.json` and the grants and tokens of `oauth_grants.json`, so
workspaces that consented before go on working (ports and the TLS certificate are new).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import ssl
import string
import tempfile
import threading
from pathlib import Path
from typing import Any

from mailkit import assets
from mailkit.files import write_private
from mailkit.sandbox.accounts import SandboxAccount, load_accounts
from mailkit.sandbox.clients import load_clients
from mailkit.sandbox.delegation import load_delegations
from mailkit.sandbox.faults import Faults
from mailkit.sandbox.grants import GRANTS_FILE, GrantRegistry
from mailkit.sandbox.http import HttpSide
from mailkit.sandbox.imap_server import ImapServer
from mailkit.sandbox.mailstore import MailBackend, MailStore, ReceivedMessage
from mailkit.sandbox.ms_identity import MicrosoftIdentity
from mailkit.sandbox.outlook_imap import OutlookImapSession
from mailkit.sandbox.outlook_smtp import OutlookSmtpServer
from mailkit.sandbox.smtp_server import SmtpServer
from mailkit.sandbox.tls import CA_FILE, create_tls

HOST = "127.0.0.1"
INFO_FILE = "sandbox.json"
CLIENT_CONFIG_FILE = "client_config.json"
MS_APP_FILE = "microsoft_app.json"
PROJECT_ID = "mailkit-sandbox"


def default_accounts_file() -> Path:
    """The shipped sample accounts, mailkit/assets/sandbox/accounts.toml (the only copy)."""
    return assets.asset_path(assets.SANDBOX_ACCOUNTS)


def saved_client_credentials(path: Path) -> tuple[str, str] | None:
    """The client id and secret of the client config an earlier run wrote in the state dir, if any."""
    try:
        installed = json.loads(path.read_text(encoding="utf-8"))["installed"]
        client_id, client_secret = installed["client_id"], installed["client_secret"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (isinstance(client_id, str) and isinstance(client_secret, str) and client_id and client_secret):
        return None
    return client_id, client_secret


def microsoft_app(path: Path) -> tuple[str, str]:
    """The Entra app id and tenant id of the sandbox's Microsoft side: an earlier run's, else new GUIDs."""
    import uuid

    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        return str(uuid.UUID(saved["client_id"])), str(uuid.UUID(saved["tenant_id"]))
    except (OSError, ValueError, KeyError, TypeError):
        return str(uuid.uuid4()), str(uuid.uuid4())


def new_client_credentials() -> tuple[str, str]:
    """A client id and secret shaped like Google's Desktop-app ones."""
    alphabet = string.ascii_lowercase + string.digits
    number = "".join(secrets.choice(string.digits) for _ in range(12))
    client_id = f"{number}-{''.join(secrets.choice(alphabet) for _ in range(32))}.apps.googleusercontent.com"
    return client_id, "GOCSPX-" + secrets.token_urlsafe(21)[:28]


class Sandbox:
    """A local Gmail on 127.0.0.1 with free ports."""

    def __init__(self, accounts_file: Path | None = None, state_dir: Path | None = None, latency_ms: int = 0,
                 faults: Faults | None = None):
        self.accounts_file = Path(accounts_file or default_accounts_file()).resolve()
        self.accounts: dict[str, SandboxAccount] = load_accounts(self.accounts_file)
        self.clients = load_clients(self.accounts_file)
        self.delegations = load_delegations(self.accounts_file, self.accounts)
        self._tempdir = None if state_dir is not None else tempfile.TemporaryDirectory(prefix="mailkit-sandbox-")
        self.state_dir = Path(state_dir if state_dir is not None else self._tempdir.name).resolve()  # type: ignore[union-attr]
        self.grants = GrantRegistry(path=self.state_dir / GRANTS_FILE, accounts=self.accounts)
        self.faults = faults or Faults()
        if latency_ms:
            self.faults.latency_ms = latency_ms
        self.store = MailStore(self.state_dir / "mail")
        self.client_id, self.client_secret = (saved_client_credentials(self.state_dir / CLIENT_CONFIG_FILE)
                                              or new_client_credentials())
        ms_client_id, ms_tenant_id = microsoft_app(self.state_dir / MS_APP_FILE)
        self.microsoft = MicrosoftIdentity(ms_client_id, ms_tenant_id, frozenset(
            a.domain.lower() for a in self.accounts.values() if a.microsoft))
        self.info: dict[str, Any] = {}
        self._parts: list[Any] = []

    @property
    def messages(self) -> list[ReceivedMessage]:
        return self.store.messages

    @property
    def info_path(self) -> Path:
        return self.state_dir / INFO_FILE

    def clear_messages(self) -> None:
        self.store.clear()

    def reset(self) -> None:
        """Between tests: no messages, counters at zero, no faults."""
        self.store.clear()
        self.store.reset_counters()
        self.faults.clear()

    def client_context(self) -> ssl.SSLContext:
        """A verifying client TLS context that trusts this sandbox's CA."""
        return ssl.create_default_context(cafile=str(self.state_dir / CA_FILE))

    async def start(self) -> dict[str, Any]:
        """Listen on every port, write sandbox.json and client_config.json; the info published."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        try:
            return await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> dict[str, Any]:
        tls = create_tls(self.state_dir)
        backend = MailBackend(self.accounts, self.grants, self.store, self.faults)
        smtp = SmtpServer(backend, tls.server_context())
        self._parts.append(smtp)
        (smtp_host, smtp_port), (smtps_host, smtps_port) = await smtp.start(HOST)
        imap = ImapServer(backend, tls.server_context())
        self._parts.append(imap)
        imaps_host, imaps_port = await imap.start(HOST)
        outlook_smtp = OutlookSmtpServer(backend, tls.server_context())
        self._parts.append(outlook_smtp)
        ms_smtp_host, ms_smtp_port = await outlook_smtp.start(HOST)
        outlook_imap = ImapServer(backend, tls.server_context(), session_class=OutlookImapSession)
        self._parts.append(outlook_imap)
        ms_imaps_host, ms_imaps_port = await outlook_imap.start(HOST)
        write_private(self.state_dir / MS_APP_FILE, json.dumps(
            {"client_id": self.microsoft.client_id, "tenant_id": self.microsoft.tenant_id}) + "\n")
        side = await self._start_http(tls.server_context())
        http = side.base_url
        info = {
            "smtp": {"host": smtp_host, "port": smtp_port},
            "smtps": {"host": smtps_host, "port": smtps_port},
            "imaps": {"host": imaps_host, "port": imaps_port},
            "http": http,
            "pages": side.pages_url,
            "ca_cert": str(tls.ca_path),
            "client_config": str(self._write_client_config(http)),
            "state_dir": str(self.state_dir),
            "mail_dir": str(self.store.root),
            "workspace_domains": sorted({a.domain for a in self.accounts.values() if a.workspace}),
            "microsoft": {"smtp": {"host": ms_smtp_host, "port": ms_smtp_port},
                          "imaps": {"host": ms_imaps_host, "port": ms_imaps_port},
                          "client_id": self.microsoft.client_id, "tenant": self.microsoft.tenant_id},
            "accounts_file": str(self.accounts_file),
            "pid": os.getpid(),
        }
        write_private(self.info_path, json.dumps(info, indent=2) + "\n")
        self.info = info
        return info

    async def _start_http(self, context: ssl.SSLContext) -> HttpSide:
        side = HttpSide(self.accounts, self.grants, client_id=self.client_id, client_secret=self.client_secret,
                        ssl_context=context, state_dir=self.state_dir, faults=self.faults,
                        microsoft=self.microsoft, clients=self.clients, delegations=self.delegations)
        self._parts.append(side)
        await side.start(HOST, 0)
        return side

    def _write_client_config(self, http: str) -> Path:
        path = self.state_dir / CLIENT_CONFIG_FILE
        config = {"installed": {
            "client_id": self.client_id,
            "project_id": PROJECT_ID,
            "auth_uri": f"{http}/o/oauth2/auth",
            "token_uri": f"{http}/token",
            "auth_provider_x509_cert_url": f"{http}/oauth2/v1/certs",
            "client_secret": self.client_secret,
            "redirect_uris": ["http://localhost"],
        }}
        write_private(path, json.dumps(config, indent=2) + "\n")
        return path

    async def stop(self) -> None:
        """Cut every connection, stop listening, take sandbox.json away (clients then say it is not running)."""
        parts, self._parts = self._parts, []
        for part in reversed(parts):
            with contextlib.suppress(Exception):
                await part.stop()
        if self.info:
            self.info_path.unlink(missing_ok=True)
        if self._tempdir is not None:
            self._tempdir.cleanup()


class SandboxThread:
    """A Sandbox on its own event loop in a daemon thread; also a context manager."""

    def __init__(self, accounts_file: Path | None = None, state_dir: Path | None = None, latency_ms: int = 0,
                 faults: Faults | None = None):
        self.sandbox = Sandbox(accounts_file, state_dir, latency_ms, faults)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    info = property(lambda self: self.sandbox.info)
    messages = property(lambda self: self.sandbox.messages)
    grants = property(lambda self: self.sandbox.grants)
    accounts = property(lambda self: self.sandbox.accounts)
    faults = property(lambda self: self.sandbox.faults)
    state_dir = property(lambda self: self.sandbox.state_dir)
    info_path = property(lambda self: self.sandbox.info_path)
    store = property(lambda self: self.sandbox.store)
    client_id = property(lambda self: self.sandbox.client_id)
    delegations = property(lambda self: self.sandbox.delegations)

    def clear_messages(self) -> None:
        self.sandbox.clear_messages()

    def reset(self) -> None:
        self.sandbox.reset()

    def client_context(self) -> ssl.SSLContext:
        return self.sandbox.client_context()

    def start(self, timeout: float = 30.0) -> dict[str, Any]:
        """Start and wait until every listener is up; the sandbox's info."""
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), name="mailkit-sandbox", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"the sandbox did not start within {timeout} s")
        if self._error is not None:
            raise self._error
        return self.info

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            await self.sandbox.start()
        except BaseException as exc:  # handed to the thread that called start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            await self.sandbox.stop()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the sandbox and its thread."""
        if self._loop is not None and self._stopping is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop may have ended already
                self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> SandboxThread:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


__all__ = ["Sandbox", "SandboxThread", "default_accounts_file", "new_client_credentials", "saved_client_credentials"]
