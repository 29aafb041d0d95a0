"""The sandbox's Microsoft 365 personality on the wire: Outlook SMTP (smtp.office365.com:587) and IMAP
(outlook.office365.com:993) with Exchange Online's greeting, EHLO and replies, the account flags, and
mailkit's own checks of the flagged mailboxes' password sign-ins."""

from __future__ import annotations

import asyncio
import base64
import imaplib
import json
import smtplib
import socket

import keyring
import pytest
from keyring.backends import fail

from mailkit.checks.account import check_account
from mailkit.oauth.scopes import MS_IMAP_SCOPE, MS_SMTP_SEND_SCOPE
from mailkit.sandbox.outlook_replies import OUTLOOK_REPLIES
from mailkit.sandbox.runner import SandboxThread
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.workspace import Workspace
from tests import m365_fixtures
from tests.cli_helpers import run_mailkit
from tests.m365_fixtures import (
    DEFAULTS,
    FACTURAS,
    LEGACY,
    M365_ACCOUNTS,
    PASSWORD_MAILBOXES,
    PASSWORDS,
    RETIRED,
    SMTPOFF,
    VENTAS,
    account,
)

m365, mws = m365_fixtures.m365, m365_fixtures.mws  # the fixtures, for this module

#: Microsoft's words, exactly as Exchange Online sends them (FIELD_FACTS.md).
SMTP_AUTH_DISABLED = ("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
                      "Visit https://aka.ms/smtp_auth_disabled for more information.")
SECURITY_DEFAULTS = ("535 5.7.139 Authentication unsuccessful, user is locked by your organization's security "
                     "defaults policy. Contact your administrator.")
BASIC_AUTH_RETIRED = "550 5.7.30 Basic authentication is not supported for Client Submission."
BAD_TOKEN = "535 5.7.3 Authentication unsuccessful"
NOT_AUTHENTICATED = "530 5.7.57 Client not authenticated to send mail."


class OutlookSMTP(smtplib.SMTP):
    """smtplib on the sandbox's Outlook listener; STARTTLS verifies the certificate as smtp.office365.com."""

    def __init__(self, sandbox: SandboxThread):
        ms = sandbox.info["microsoft"]["smtp"]
        self._address = (ms["host"], ms["port"])
        super().__init__(timeout=5)
        self._host = "smtp.office365.com"
        self.greeting = self.connect("smtp.office365.com", 587)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection(self._address, timeout)

    def secure(self, sandbox: SandboxThread) -> OutlookSMTP:
        self.ehlo("erp.example")
        self.starttls(context=sandbox.client_context())
        self.ehlo("erp.example")
        return self


class OutlookIMAP(imaplib.IMAP4_SSL):
    def __init__(self, sandbox: SandboxThread):
        ms = sandbox.info["microsoft"]["imaps"]
        self._address = (ms["host"], ms["port"])
        super().__init__("outlook.office365.com", 993, ssl_context=sandbox.client_context(), timeout=5)

    def _create_socket(self, timeout: float | None) -> socket.socket:
        return self.ssl_context.wrap_socket(socket.create_connection(self._address, timeout), server_hostname=self.host)


def token(sandbox: SandboxThread, email: str, scopes: tuple[str, ...]) -> str:
    """An access token as the sandbox's Microsoft side issues it after consent."""
    client_id = sandbox.info["microsoft"]["client_id"]
    code = sandbox.grants.issue_code(email, client_id, scopes, "http://localhost:8080/")
    grant = sandbox.grants.redeem_code(code, client_id, "http://localhost:8080/", "")
    assert not isinstance(grant, str)
    return sandbox.grants.issue_access_token(grant).token


def xoauth2(email: str, access: str) -> str:
    return base64.b64encode(f"user={email}\x01auth=Bearer {access}\x01\x01".encode()).decode()


def auth_login(client: OutlookSMTP, email: str, password: str) -> tuple[int, str]:
    code, _ = client.docmd("AUTH", "LOGIN " + base64.b64encode(email.encode()).decode())
    assert code == 334
    code, text = client.docmd(base64.b64encode(password.encode()).decode())
    return code, text.decode()


# --- SMTP -------------------------------------------------------------------------------------------

def test_greeting_and_ehlo_are_exchange_onlines(m365: SandboxThread) -> None:
    with OutlookSMTP(m365) as client:
        code, greeting = client.greeting
        assert code == 220 and b"Microsoft ESMTP MAIL Service ready at" in greeting
        code, ehlo = client.ehlo("erp.example")
        assert b"STARTTLS" in ehlo and b"AUTH" not in ehlo and b"SIZE 157286400" in ehlo
        code, text = client.docmd("MAIL", "FROM:<facturas@contoso-mx.example>")
        assert f"{code} {text.decode()}".startswith(NOT_AUTHENTICATED)
        assert client.docmd("AUTH", "LOGIN")[0] == 504  # no AUTH offered before STARTTLS
        client.starttls(context=m365.client_context())  # verifies the certificate as smtp.office365.com
        code, ehlo = client.ehlo("erp.example")
        assert b"AUTH LOGIN XOAUTH2" in ehlo and b"STARTTLS" not in ehlo
        assert client.docmd("AUTH", "PLAIN AGZvbwBiYXI=")[1].decode().startswith("5.7.4 Unrecognized authentication")
        code, text = client.docmd("MAIL", "FROM:<facturas@contoso-mx.example>")
        assert (code, text.decode().split(" [")[0]) == (530, "5.7.57 Client not authenticated to send mail.")


@pytest.mark.parametrize(("email", "password", "expected"), [
    (LEGACY, PASSWORDS[LEGACY], "235 2.7.0 Authentication successful"),
    (LEGACY, "not the password", "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect."),
    (SMTPOFF, PASSWORDS[SMTPOFF], SMTP_AUTH_DISABLED),
    (DEFAULTS, PASSWORDS[DEFAULTS], SECURITY_DEFAULTS),
    (RETIRED, PASSWORDS[RETIRED], BASIC_AUTH_RETIRED),
])
def test_password_sign_ins_get_microsofts_exact_replies(m365: SandboxThread, email: str, password: str,
                                                        expected: str) -> None:
    with OutlookSMTP(m365).secure(m365) as client:
        code, text = auth_login(client, email, password)
    assert f"{code} {text}".startswith(expected), text


def test_xoauth2_needs_smtp_send_and_smtp_auth_enabled(m365: SandboxThread) -> None:
    good = token(m365, FACTURAS, (MS_SMTP_SEND_SCOPE, MS_IMAP_SCOPE, "offline_access"))
    imap_only = token(m365, FACTURAS, (MS_IMAP_SCOPE,))
    disabled = token(m365, SMTPOFF, (MS_SMTP_SEND_SCOPE,))
    for email, access, expected in ((FACTURAS, imap_only, BAD_TOKEN), (VENTAS, good, BAD_TOKEN),
                                    (SMTPOFF, disabled, SMTP_AUTH_DISABLED),
                                    (FACTURAS, good, "235 2.7.0 Authentication successful")):
        with OutlookSMTP(m365).secure(m365) as client:
            code, text = client.docmd("AUTH", "XOAUTH2 " + xoauth2(email, access))
            assert f"{code} {text.decode()}".startswith(expected), (email, text)


def test_send_as_is_checked_at_the_end_of_data(m365: SandboxThread) -> None:
    m365.reset()
    message = "From: {sender}\r\nTo: cliente@example.com\r\nSubject: Factura\r\n\r\nHola\r\n"
    with OutlookSMTP(m365).secure(m365) as client:
        assert auth_login(client, VENTAS, PASSWORDS[VENTAS])[0] == 235
        assert client.mail("avisos@contoso-mx.example")[0] == 250  # a mailbox it may send as
        client.rcpt("cliente@example.com")
        code, text = client.data(message.format(sender="avisos@contoso-mx.example"))
        assert code == 250 and text.startswith(b"2.0.0 OK <")
        assert client.mail("jefe@contoso-mx.example") == (250, b"2.1.0 Sender OK")
        client.rcpt("cliente@example.com")
        code, text = client.data(message.format(sender="jefe@contoso-mx.example"))
    assert code == 554 and text.decode().startswith(
        "5.2.252 SendAsDenied; ventas@contoso-mx.example not allowed to send as jefe@contoso-mx.example")
    assert [m.mail_from for m in m365.messages] == ["avisos@contoso-mx.example"]


def test_every_outlook_reply_is_one_well_formed_line() -> None:
    for name, text in OUTLOOK_REPLIES.items():
        code = text[:3]
        assert code.isdigit() and text[3] == " " and "\r\n" not in text, name
    for words in (SMTP_AUTH_DISABLED, SECURITY_DEFAULTS, BASIC_AUTH_RETIRED, BAD_TOKEN, NOT_AUTHENTICATED):
        assert any(text.startswith(words) for text in OUTLOOK_REPLIES.values()), words


# --- IMAP -------------------------------------------------------------------------------------------

def test_imap_speaks_exchange(m365: SandboxThread) -> None:
    client = OutlookIMAP(m365)
    try:
        assert client.welcome.startswith(b"* OK The Microsoft Exchange IMAP4 service is ready.")
        with pytest.raises(imaplib.IMAP4.error, match="LOGIN failed."):  # no basic auth for IMAP since 2022
            client.login(LEGACY, PASSWORDS[LEGACY])
    finally:
        client.shutdown()
    smtp_only = token(m365, FACTURAS, (MS_SMTP_SEND_SCOPE,))
    good = token(m365, FACTURAS, (MS_SMTP_SEND_SCOPE, MS_IMAP_SCOPE))
    for access, works in ((smtp_only, False), (good, True)):
        client = OutlookIMAP(m365)
        try:
            raw = f"user={FACTURAS}\x01auth=Bearer {access}\x01\x01".encode()
            if works:
                assert client.authenticate("XOAUTH2", lambda _, raw=raw: raw)[0] == "OK"
            else:
                with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATE failed."):
                    client.authenticate("XOAUTH2", lambda _, raw=raw: raw)
        finally:
            client.shutdown()


# --- the sandbox as a whole -------------------------------------------------------------------------

def test_sandbox_json_publishes_the_microsoft_side_and_a_restart_keeps_the_app(tmp_path) -> None:
    first = SandboxThread(M365_ACCOUNTS, tmp_path / "state")
    with first:
        published = json.loads(first.info_path.read_text())["microsoft"]
        assert {"smtp", "imaps", "client_id", "tenant"} <= published.keys()
        assert published["smtp"]["host"] == "127.0.0.1"
    with SandboxThread(M365_ACCOUNTS, tmp_path / "state") as again:
        assert again.info["microsoft"]["client_id"] == published["client_id"]
        assert again.info["microsoft"]["tenant"] == published["tenant"]


def test_unknown_flag_in_the_accounts_file_is_an_error(tmp_path) -> None:
    from mailkit.errors import UsageError
    from mailkit.sandbox.accounts import load_accounts

    bad = tmp_path / "accounts.toml"
    bad.write_text('[[account]]\nemail = "a@b.example"\nmicrosoft = true\nsmtp_auth_disabled = "yes"\n')
    with pytest.raises(UsageError, match="smtp_auth_disabled` must be true or false"):
        load_accounts(bad)


# --- mailkit's checks of the flagged mailboxes ------------------------------------------------------

def test_mailkit_checks_of_password_mailboxes(mws: Workspace) -> None:
    results = {email: asyncio.run(check_account(account(mws, email), workspace=mws)) for email in PASSWORD_MAILBOXES}
    assert results[LEGACY].ok, results[LEGACY].to_dict("en")
    expected = {SMTPOFF: SMTP_AUTH_DISABLED, DEFAULTS: SECURITY_DEFAULTS, RETIRED: BASIC_AUTH_RETIRED}
    for email, words in expected.items():
        result = results[email]
        assert not result.ok and result.status.value != "ok"
        assert any(words in line for line in result.transcript), result.transcript
        assert PASSWORDS[email] not in json.dumps(result.to_dict("en")) + "\n".join(result.transcript)


def test_cli_check_of_a_flagged_mailbox_is_not_ok(mws: Workspace, m365: SandboxThread) -> None:
    keyring.set_keyring(fail.Keyring())  # as in the subprocess: the sandbox's file store holds the fake secrets
    env = {"MAILKIT_SANDBOX": str(m365.info_path), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    for email in (SMTPOFF, LEGACY):
        secret_store(mws).set(email, SecretKind.PASSWORD, PASSWORDS[email])
    bad = run_mailkit("check", SMTPOFF, "--json", home=mws.home, env=env)
    assert bad.returncode == 1 and json.loads(bad.stdout)["status"] != "ok", bad.stdout + bad.stderr
    good = run_mailkit("check", LEGACY, "--json", home=mws.home, env=env)
    assert good.returncode == 0 and json.loads(good.stdout)["status"] == "ok", good.stdout + good.stderr


def test_gmails_servers_and_pages_do_not_know_microsoft_mailboxes(m365: SandboxThread) -> None:
    from tests.sandbox_fixtures import SandboxSMTP

    with SandboxSMTP(m365).secure(m365) as client, pytest.raises(smtplib.SMTPAuthenticationError):
        client.login(LEGACY, PASSWORDS[LEGACY])


def test_device_login_page_takes_a_code_and_refuses_an_unknown_one(m365: SandboxThread) -> None:
    import requests

    with requests.Session() as session:
        session.trust_env, session.verify = False, str(m365.state_dir / "ca.pem")
        page = session.get(m365.info["http"] + "/devicelogin", timeout=5)
        assert page.status_code == 200 and 'name="otc"' in page.text
        wrong = session.get(m365.info["http"] + "/devicelogin", params={"otc": "NOTACODE1"}, timeout=5)
        assert wrong.status_code == 400 and "Check the code and try again" in wrong.text
        index = session.get(m365.info["http"] + "/", timeout=5)
        assert "/devicelogin" in index.text and "oauth2/v2.0/token" in index.text
        assert "<td>legacy@contoso-mx.example</td><td>Microsoft 365</td>" in index.text
