"""mailkit's SMTP engine in real conversations with the sandbox, one test per status, and the
same replies as a plain smtplib client gets."""

from __future__ import annotations

import asyncio
import base64
import json
import smtplib
import socket

import pytest

from mailkit.checks.account import SendOptions, check_account
from mailkit.checks.messages import CHECK_ID_HEADER
from mailkit.checks.results import Credentials, Timeouts
from mailkit.checks.smtp import check_smtp
from mailkit.models import build_account
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from tests.sandbox_fixtures import SandboxSMTP, access_token

APP_PASSWORDS = {
    "facturas.lupita@gmail.com": "qwhk pznr tvbe lmsa",
    "crm@biuro-kowalski.example": "lkjh gfds poiu ytre",
    "limite.tallerruiz@gmail.com": "hgfd sapo iuyt rewq",
    "sklep.nowak@gmail.com": "mnbv cxzl kjhg fdsa",
    "zamowienia.nowak@gmail.com": "poiu lkjh mnbv qwer",
    "wysylka.nowak@gmail.com": "asdf qwer zxcv tyui",
    "kontakt.nowak@gmail.com": "rtyu fghj vbnm wert",
    "faktury@biuro-kowalski.example": "zxcv bnml asdf ghjk",  # revoked when the password changed
}


def account(email: str, **fields):
    provider = "gmail" if email.endswith("@gmail.com") else "workspace"
    fields.setdefault("auth", "app_password")
    return build_account(email, "test", provider_key=provider, **fields)


def creds(email: str, secret: str | None = None) -> Credentials:
    return Credentials("PASSWORD", email, (secret or APP_PASSWORDS[email]).replace(" ", ""))


def run(coro):
    return asyncio.run(coro)


@pytest.mark.parametrize("email,secret,expected", [
    ("facturas.lupita@gmail.com", None, Status.OK),
    ("faktury@biuro-kowalski.example", None, Status.BAD_CREDENTIALS),
    ("recuperacion.lupita@gmail.com", "Recupera-2020!", Status.APP_PASSWORD_REQUIRED),
    ("crm@biuro-kowalski.example", None, Status.WEB_LOGIN_REQUIRED),
    ("sklep.nowak@gmail.com", None, Status.RATE_LIMITED),
])
def test_sign_in_statuses_match_what_smtplib_gets(sandbox_env, email, secret, expected):
    result = run(check_smtp(account(email), creds(email, secret)))
    assert result.status is expected
    assert [s.name for s in result.steps][:4] == ["dns", "tcp", "ehlo", "tls"]
    with SandboxSMTP(sandbox_env).secure(sandbox_env) as client:
        try:
            client.login(email, (secret or APP_PASSWORDS[email]).replace(" ", ""))
            code = 235
        except smtplib.SMTPAuthenticationError as exc:
            code, text = exc.smtp_code, exc.smtp_error.decode()
            assert result.diagnosis.code == code
            assert text.splitlines()[0].split()[0] in result.diagnosis.raw
    assert (code == 235) == (expected is Status.OK)


def test_ok_with_test_send_and_invoice_attachments_read_back(sandbox_env):
    acct = account("facturas.lupita@gmail.com", display_name="Abarrotes Lupita")
    send = SendOptions(attachments=True, html=True, lang="es", company_name="Ferretería del Norte")
    secret_store().set(acct.email, SecretKind.APP_PASSWORD, APP_PASSWORDS[acct.email])
    result = run(check_account(acct, send=send))
    assert result.ok, result.to_dict()
    assert [s.name for s in result.steps] == ["dns", "tcp", "ehlo", "tls", "ehlo", "auth", "send"]
    received = [m for m in sandbox_env.messages if m.message[CHECK_ID_HEADER] == result.check_id]
    assert len(received) == 1
    message = received[0].message
    assert result.check_id in message["Subject"] and "Ferretería" in message["Subject"]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["Factura A-1024 Ferretería del Norte.pdf", "Factura A-1024 Ferretería del Norte.xml"]
    pdf = next(message.iter_attachments()).get_content()
    assert pdf.startswith(b"%PDF-1.4")


def test_implicit_tls_on_465(sandbox_env):
    result = run(check_smtp(account("facturas.lupita@gmail.com", security="ssl"), creds("facturas.lupita@gmail.com")))
    assert result.ok and [s.name for s in result.steps][:3] == ["dns", "tcp", "tls"]


def test_xoauth2_good_and_bad_token(sandbox_env):
    email = "facturacion@ferreteria-delnorte.example"
    token = access_token(sandbox_env, email)
    good = run(check_smtp(account(email, auth="oauth2"), Credentials("XOAUTH2", email, token)))
    assert good.ok and "XOAUTH2" in good.steps[-1].detail
    bad = run(check_smtp(account(email, auth="oauth2"), Credentials("XOAUTH2", email, "ya29.sbx-not-a-token")))
    assert bad.status is Status.OAUTH_TOKEN_INVALID
    assert any("S: 334 " in line for line in bad.transcript)


def test_rejected_token_is_refreshed_once_then_ok(sandbox_env):
    email = "citas.tallerruiz@gmail.com"
    calls = []

    async def refresh():
        calls.append(1)
        return access_token(sandbox_env, email)

    result = run(check_smtp(account(email, auth="oauth2"), Credentials("XOAUTH2", email, "ya29.expired", refresh)))
    assert result.ok and calls == [1]


def test_quota_sender_size_and_busy_statuses_on_send(sandbox_env):
    def send(email, **options):
        acct = account(email)
        secret_store().set(email, SecretKind.APP_PASSWORD, APP_PASSWORDS[email])
        return run(check_account(acct, send=SendOptions(**options)))

    assert send("limite.tallerruiz@gmail.com").status is Status.QUOTA_EXCEEDED
    rejected = send("zamowienia.nowak@gmail.com", from_address="biuro@sklep-nowak.example")
    assert rejected.status is Status.SENDER_REJECTED and rejected.failed_step == "send"
    assert send("wysylka.nowak@gmail.com", attachments=True).status is Status.MESSAGE_REJECTED
    busy = send("kontakt.nowak@gmail.com")
    assert busy.status is Status.RATE_LIMITED and busy.diagnosis.code == 421
    assert send("kontakt.nowak@gmail.com").ok


def test_auth_before_starttls_is_starttls_required_and_sends_no_secret(sandbox_env):
    acct = account("facturas.lupita@gmail.com", security="none", smtp_port=25, allow_insecure=True)
    result = run(check_smtp(acct, creds(acct.email)))
    assert result.status is Status.STARTTLS_REQUIRED
    assert not any("qwhk" in line for line in result.transcript)
    assert any("530" in line and "5.7.0" in line for line in result.transcript)


def test_wrong_tls_mode_for_the_port(sandbox_env):
    implicit_on_587 = account("facturas.lupita@gmail.com", security="ssl", smtp_port=587)
    result = run(check_smtp(implicit_on_587, creds(implicit_on_587.email)))
    assert result.status is Status.TLS_ERROR and result.diagnosis.variant == "wrong_mode"
    starttls_on_465 = account("facturas.lupita@gmail.com", security="starttls", smtp_port=465)
    result = run(check_smtp(starttls_on_465, creds(starttls_on_465.email), timeouts=Timeouts(reply=1.0)))
    assert result.status is Status.TLS_ERROR and result.diagnosis.variant == "wrong_mode"


def test_untrusted_certificate_is_a_tls_error(sandbox):
    # Not in sandbox mode: the sandbox is just some server on localhost with a certificate nobody trusts.
    acct = build_account("a@example.com", "t", provider_key="custom", smtp_host="localhost",
                         smtp_port=sandbox.info["smtp"]["port"], auth="password")
    result = run(check_smtp(acct, Credentials("PASSWORD", "a@example.com", "x")))
    assert result.status is Status.TLS_ERROR and result.diagnosis.variant == "certificate"


def test_refused_dns_and_timeout(sandbox_env):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    refused = build_account("a@example.com", "t", provider_key="custom", smtp_host="127.0.0.1",
                            smtp_port=closed_port, auth="password")
    assert run(check_smtp(refused, Credentials("PASSWORD", "a@example.com", "x"))).status is Status.CONNECTION_REFUSED
    unknown = build_account("a@example.com", "t", provider_key="custom", smtp_host="smtp.no-such-host.invalid",
                            auth="password")
    assert run(check_smtp(unknown, Credentials("PASSWORD", "a@example.com", "x"))).status is Status.DNS_ERROR
    sandbox_env.faults.stall("auth", 3)
    stalled = run(check_smtp(account("facturas.lupita@gmail.com"), creds("facturas.lupita@gmail.com"),
                             timeouts=Timeouts(reply=0.5)))
    assert stalled.status is Status.TIMEOUT and stalled.failed_step == "auth"


def test_connection_dropped_mid_data(sandbox_env):
    sandbox_env.faults.drop_in_data = True
    secret_store().set("facturas.lupita@gmail.com", SecretKind.APP_PASSWORD, APP_PASSWORDS["facturas.lupita@gmail.com"])
    result = run(check_account(account("facturas.lupita@gmail.com"), send=SendOptions(attachments=True)))
    assert result.status is Status.CONNECTION_LOST and result.failed_step == "send"


def test_no_secret_stored_is_not_configured_after_reaching_the_server(sandbox_env):
    result = run(check_account(account("ventas@ferreteria-delnorte.example")))
    assert result.status is Status.NOT_CONFIGURED
    assert [s.name for s in result.steps if s.ok] == ["dns", "tcp", "ehlo", "tls", "ehlo"]


def test_transcripts_and_json_never_hold_the_secret_or_its_base64(sandbox_env):
    email = "facturacion@ferreteria-delnorte.example"
    token = access_token(sandbox_env, email)
    results = [run(check_smtp(account(email, auth="oauth2"), Credentials("XOAUTH2", email, token)))]
    for e in ("facturas.lupita@gmail.com", "faktury@biuro-kowalski.example"):
        results.append(run(check_smtp(account(e), creds(e))))
        results.append(run(check_smtp(account(e, security="none", smtp_port=25, allow_insecure=True), creds(e))))
    text = "\n".join(json.dumps(r.to_dict("es")) + "\n".join(r.transcript) for r in results)
    for secret in [token, *(p.replace(" ", "") for p in APP_PASSWORDS.values())]:
        assert secret not in text
        assert base64.b64encode(secret.encode()).decode()[:16] not in text
    assert "[redacted]" in text
