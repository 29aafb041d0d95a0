"""Sandbox fixtures: one shared sandbox per test session, and a fresh one for tests that change its state."""

from __future__ import annotations

import imaplib
import smtplib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailkit import assets
from mailkit.oauth.scopes import MAIL_SCOPE
from mailkit.sandbox.runner import SandboxThread

__all__ = ["fresh_sandbox", "sandbox", "sandbox_env"]  # what conftest re-exports; the clients are imported

REPO = Path(__file__).resolve().parent.parent
ACCOUNTS = assets.asset_path(assets.SANDBOX_ACCOUNTS)  # mailkit/assets/sandbox/accounts.toml, the only copy
SAMPLE_INVENTORY = assets.asset_path(assets.SAMPLE_INVENTORY)
GMAIL_SMTP = "smtp.gmail.com"
GMAIL_IMAP = "imap.gmail.com"

#: mailkit/assets/sandbox/accounts.toml comments: sign-in only, and with a test send (with the invoice attached).
EXPECTED_SIGN_IN = {
    "facturas.lupita@gmail.com": "ok",
    "recuperacion.lupita@gmail.com": "app_password_required",
    "facturacion@ferreteria-delnorte.example": "ok",
    "ventas@ferreteria-delnorte.example": "not_configured",
    "faktury@biuro-kowalski.example": "bad_credentials",
    "crm@biuro-kowalski.example": "web_login_required",
    "avisos.tallerruiz@gmail.com": "oauth_reauth_required",
    "citas.tallerruiz@gmail.com": "ok",
    "limite.tallerruiz@gmail.com": "ok",
    "sklep.nowak@gmail.com": "rate_limited",
    "zamowienia.nowak@gmail.com": "ok",
    "wysylka.nowak@gmail.com": "ok",
    "kontakt.nowak@gmail.com": "ok",
}
EXPECTED_SEND = {**EXPECTED_SIGN_IN, "limite.tallerruiz@gmail.com": "quota_exceeded",
                 "zamowienia.nowak@gmail.com": "sender_rejected", "wysylka.nowak@gmail.com": "message_rejected"}


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxThread]:
    """The local Gmail on the shipped accounts, shared by the whole test session."""
    with SandboxThread(ACCOUNTS, tmp_path_factory.mktemp("sandbox")) as running:
        yield running


@pytest.fixture
def sandbox_env(sandbox: SandboxThread, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    """The shared sandbox with MAILKIT_SANDBOX pointing at it; messages, counters and faults cleared after."""
    monkeypatch.setenv("MAILKIT_SANDBOX", str(sandbox.info_path))
    sandbox.reset()
    yield sandbox
    sandbox.reset()


@pytest.fixture
def fresh_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    """A sandbox of its own (own CA, ports, grants, counters), with MAILKIT_SANDBOX pointing at it."""
    with SandboxThread(ACCOUNTS, tmp_path / "sandbox") as running:
        monkeypatch.setenv("MAILKIT_SANDBOX", str(running.info_path))
        yield running


def shared_secrets(sandbox: SandboxThread, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Sandbox mode with keyring's fail backend here and in subprocesses, as CI runs them: secrets kept by this
    process and by `mailkit` subprocesses (given the returned environment) meet in the sandbox's file store. The
    sandbox is reset; keyring is restored by the suite's own fixture."""
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("MAILKIT_SANDBOX", str(sandbox.info_path))
    sandbox.reset()
    return {"MAILKIT_SANDBOX": str(sandbox.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


# --- clients that believe they talk to Google, connected to the sandbox -------------------------

class SandboxSMTP(smtplib.SMTP):
    """smtplib on the STARTTLS listener; STARTTLS verifies the certificate as smtp.gmail.com."""

    def __init__(self, sandbox: SandboxThread, timeout: float = 5.0):
        self._address = (sandbox.info["smtp"]["host"], sandbox.info["smtp"]["port"])
        super().__init__(timeout=timeout)
        self._host = GMAIL_SMTP  # what starttls() verifies the certificate against
        self.greeting = self.connect(GMAIL_SMTP, 587)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection(self._address, timeout)

    def secure(self, sandbox: SandboxThread) -> SandboxSMTP:
        """EHLO, STARTTLS against the sandbox CA, EHLO again (smtplib needs the second one)."""
        self.ehlo("client.example")
        self.starttls(context=sandbox.client_context())
        self.ehlo("client.example")
        return self


class SandboxSMTPS(smtplib.SMTP_SSL):
    """smtplib on the implicit-TLS listener, verifying the certificate as smtp.gmail.com."""

    def __init__(self, sandbox: SandboxThread, timeout: float = 5.0):
        self._address = (sandbox.info["smtps"]["host"], sandbox.info["smtps"]["port"])
        super().__init__(timeout=timeout, context=sandbox.client_context())
        self.greeting = self.connect(GMAIL_SMTP, 465)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        raw = socket.create_connection(self._address, timeout)
        return self.context.wrap_socket(raw, server_hostname=host)


class SandboxIMAP(imaplib.IMAP4_SSL):
    """imaplib on the IMAP listener, verifying the certificate as imap.gmail.com."""

    def __init__(self, sandbox: SandboxThread, timeout: float = 5.0):
        self._address = (sandbox.info["imaps"]["host"], sandbox.info["imaps"]["port"])
        super().__init__(GMAIL_IMAP, 993, ssl_context=sandbox.client_context(), timeout=timeout)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        raw = socket.create_connection(self._address, timeout)
        return self.ssl_context.wrap_socket(raw, server_hostname=self.host)


def smtp_login_code(sandbox: SandboxThread, email: str, secret: str) -> int:
    """The SMTP AUTH reply code the sandbox's Gmail submission server gives this user and secret (235 or 535...)."""
    with SandboxSMTP(sandbox).secure(sandbox) as smtp:
        try:
            return smtp.login(email, secret)[0]
        except smtplib.SMTPAuthenticationError as exc:
            return exc.smtp_code


def access_token(sandbox: SandboxThread, email: str, scopes: tuple[str, ...] = (MAIL_SCOPE,)) -> str:
    """An access token as the sandbox's OAuth side would issue it after consent."""
    client_id = sandbox.client_id
    code = sandbox.grants.issue_code(email, client_id, scopes, "http://127.0.0.1:8080/")
    grant = sandbox.grants.redeem_code(code, client_id, "http://127.0.0.1:8080/", "")
    if isinstance(grant, str):
        raise RuntimeError(grant)
    return sandbox.grants.issue_access_token(grant).token


def xoauth2(email: str, token: str) -> str:
    return f"user={email}\x01auth=Bearer {token}\x01\x01"
