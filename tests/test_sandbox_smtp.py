"""The sandbox's smtp.gmail.com against real clients (smtplib, swaks): every reply Gmail gives, word for word."""

from __future__ import annotations

import base64
import re
import shutil
import smtplib
import ssl
import subprocess
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests

from mailkit.errors import UsageError
from mailkit.sandbox.faults import Faults
from mailkit.sandbox.runner import SandboxThread
from mailkit.sandbox.signin import Outcome, check_password, parse_oauthbearer, parse_plain, parse_xoauth2
from tests.sandbox_fixtures import SandboxSMTP, SandboxSMTPS, access_token, xoauth2

SID = r"[a-z]\d{1,3}sm\d{7}[a-z]{3}\.\d{1,3}"
LUPITA, LUPITA_APP = "facturas.lupita@gmail.com", "qwhk pznr tvbe lmsa"
BAD_CREDENTIALS = (rf"5\.7\.8 Username and Password not accepted\. For more information, go to\n"
                   rf"5\.7\.8  https://support\.google\.com/mail/\?p=BadCredentials {SID} - gsmtp")
XOAUTH2_ERROR = "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ=="


def text(reply: bytes | str) -> str:
    return reply.decode() if isinstance(reply, bytes) else reply


def invoice(sender: str = LUPITA, to: str = "cliente@example.com", size: int = 0) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, "Factura A-1001"
    message.set_content("Adjuntamos su factura.\n.a line that starts with a dot\n" + "x" * size)
    return message


@pytest.fixture
def box(sandbox_env: SandboxThread) -> SandboxThread:
    return sandbox_env


# --- pure parts ------------------------------------------------------------------------------


def test_sasl_parsers() -> None:
    assert parse_plain(b"\0user@x\0secret") == ("user@x", "secret")
    assert parse_plain(b"no-nul") is None
    assert parse_xoauth2(xoauth2("a@b", "ya29.t").encode()) == ("a@b", "ya29.t")
    assert parse_xoauth2(b"user=a@b\x01auth=Basic x\x01\x01") is None
    assert parse_oauthbearer(b"n,a=a@b,\x01host=h\x01port=587\x01auth=Bearer tok\x01\x01") == ("a@b", "tok")


def test_password_outcomes_follow_the_account_model(sandbox: SandboxThread) -> None:
    accounts = sandbox.accounts
    assert check_password(accounts[LUPITA], LUPITA_APP.upper().replace(" ", "")) is Outcome.OK
    assert check_password(accounts[LUPITA], "Lupita-2019!") is Outcome.APP_PASSWORD_REQUIRED
    assert check_password(accounts["citas.tallerruiz@gmail.com"], "Ruiz-Citas-9") is Outcome.OK
    assert check_password(accounts["crm@biuro-kowalski.example"], "lkjh gfds poiu ytre") is Outcome.WEB_LOGIN_REQUIRED
    assert check_password(accounts["crm@biuro-kowalski.example"], "wrong") is Outcome.BAD_CREDENTIALS
    assert check_password(accounts["sklep.nowak@gmail.com"], "anything") is Outcome.THROTTLED
    assert check_password(None, "x") is Outcome.BAD_CREDENTIALS


def test_fault_specs() -> None:
    faults = Faults()
    for spec in ("latency=120", "stall=auth:2.5", "drop-data", "tls-reset"):
        faults.apply(spec)
    assert (faults.latency_ms, faults.stall_at, faults.stall_seconds) == (120, "auth", 2.5)
    assert faults.drop_in_data and faults.tls_reset
    faults.clear()
    assert faults == Faults()
    for bad in ("latency=-1", "stall=nowhere:1", "explode", "latency=fast"):
        with pytest.raises(UsageError):
            faults.apply(bad)


# --- greeting, EHLO, STARTTLS -------------------------------------------------------------------


def test_greeting_and_ehlo_lines_before_and_after_starttls(box: SandboxThread) -> None:
    client = SandboxSMTP(box)
    assert client.greeting[0] == 220
    assert re.fullmatch(rf"smtp\.gmail\.com ESMTP {SID} - gsmtp", text(client.greeting[1]))
    code, lines = client.ehlo("client.example")
    assert code == 250
    assert text(lines).split("\n") == ["smtp.gmail.com at your service, [127.0.0.1]", "SIZE 35882577", "8BITMIME",
                                       "STARTTLS", "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"]
    assert client.docmd("STARTTLS") == (220, b"2.0.0 Ready to start TLS")
    client.sock = box.client_context().wrap_socket(client.sock, server_hostname="smtp.gmail.com")
    client.file = None
    code, lines = client.ehlo("client.example")
    assert text(lines).split("\n") == [
        "smtp.gmail.com at your service, [127.0.0.1]", "SIZE 35882577", "8BITMIME",
        "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH",
        "ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"]
    code, reply = client.quit()
    assert code == 221 and re.fullmatch(rf"2\.0\.0 closing connection {SID} - gsmtp", text(reply))


def test_implicit_tls_offers_auth_and_no_starttls(box: SandboxThread) -> None:
    client = SandboxSMTPS(box)
    assert client.sock.getpeercert()["subjectAltName"][0] == ("DNS", "smtp.gmail.com")
    _, lines = client.ehlo("client.example")
    assert "STARTTLS" not in text(lines).split("\n")
    assert text(lines).split("\n")[3] == "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH"
    client.close()


def test_auth_before_starttls_is_refused(box: SandboxThread) -> None:
    client = SandboxSMTP(box)
    client.ehlo("client.example")
    blob = base64.b64encode(f"\0{LUPITA}\0{LUPITA_APP}".encode()).decode()
    code, reply = client.docmd("AUTH", f"PLAIN {blob}")
    assert code == 530
    assert re.fullmatch(rf"5\.7\.0 Must issue a STARTTLS command first\. {SID} - gsmtp", text(reply))
    client.close()


def test_auth_wants_ehlo_first_and_only_once(box: SandboxThread) -> None:
    client = SandboxSMTPS(box)
    blob = base64.b64encode(f"\0{LUPITA}\0{LUPITA_APP}".encode()).decode()
    code, reply = client.docmd("AUTH", f"PLAIN {blob}")
    assert code == 503 and re.fullmatch(rf"5\.5\.1 EHLO/HELO first\. {SID} - gsmtp", text(reply))
    client.ehlo("client.example")
    assert client.docmd("AUTH", f"PLAIN {blob}") == (235, b"2.7.0 Accepted")
    code, reply = client.docmd("AUTH", f"PLAIN {blob}")
    assert code == 503 and re.fullmatch(rf"5\.5\.1 Already authenticated\. {SID} - gsmtp", text(reply))
    client.close()


def test_mail_before_auth_wants_authentication(box: SandboxThread) -> None:
    client = SandboxSMTP(box).secure(box)
    code, reply = client.mail(LUPITA)
    assert code == 530
    assert re.fullmatch(rf"5\.7\.0 Authentication Required\. For more information, go to\n"
                        rf"5\.7\.0  https://support\.google\.com/mail/\?p=WantAuthError {SID} - gsmtp", text(reply))
    client.close()


# --- sign-in ------------------------------------------------------------------------------------


def test_app_password_send_and_read_back(box: SandboxThread) -> None:
    client = SandboxSMTP(box).secure(box)
    assert client.login(LUPITA, LUPITA_APP) == (235, b"2.7.0 Accepted")
    code, reply = client.mail(LUPITA)
    assert code == 250 and re.fullmatch(rf"2\.1\.0 OK {SID} - gsmtp", text(reply))
    code, reply = client.rcpt("cliente@example.com")
    assert code == 250 and re.fullmatch(rf"2\.1\.5 OK {SID} - gsmtp", text(reply))
    code, reply = client.data(invoice().as_bytes())
    assert code == 250 and re.fullmatch(rf"2\.0\.0 OK  \d{{10}} {SID} - gsmtp", text(reply))
    client.quit()
    [received] = box.messages
    assert (received.account, received.mail_from, received.recipients) == (LUPITA, LUPITA, ("cliente@example.com",))
    assert received.message["Subject"] == "Factura A-1001"
    assert ".a line that starts with a dot" in received.message.get_content()
    stored = Path(received.path).read_bytes()
    assert stored.startswith(b"Return-Path: <facturas.lupita@gmail.com>") and received.raw in stored
    assert Path(received.path).parent == box.state_dir / "mail" / LUPITA / "new"


def test_login_and_plain_prompts_on_implicit_tls(box: SandboxThread) -> None:
    client = SandboxSMTPS(box)
    client.ehlo("client.example")
    assert client.docmd("AUTH LOGIN") == (334, b"VXNlcm5hbWU6")
    assert client.docmd(base64.b64encode(LUPITA.encode()).decode()) == (334, b"UGFzc3dvcmQ6")
    assert client.docmd(base64.b64encode(LUPITA_APP.encode()).decode()) == (235, b"2.7.0 Accepted")
    client.close()
    client = SandboxSMTPS(box)
    client.ehlo("client.example")
    assert client.docmd("AUTH PLAIN") == (334, b"")
    assert client.docmd(base64.b64encode(f"\0{LUPITA}\0{LUPITA_APP}".encode()).decode())[0] == 235
    client.send_message(invoice())
    client.quit()
    assert len(box.messages) == 1


@pytest.mark.parametrize(("user", "secret", "code", "pattern"), [
    (LUPITA, "wrong password", 535, BAD_CREDENTIALS),
    ("nobody@gmail.com", LUPITA_APP, 535, BAD_CREDENTIALS),
    ("faktury@biuro-kowalski.example", "aaaa bbbb cccc dddd", 535, BAD_CREDENTIALS),
    ("recuperacion.lupita@gmail.com", "Recupera-2020!", 534,
     rf"5\.7\.9 Application-specific password required\. For more information, go to\n"
     rf"5\.7\.9  https://support\.google\.com/mail/\?p=InvalidSecondFactor {SID} - gsmtp"),
    ("crm@biuro-kowalski.example", "lkjh gfds poiu ytre", 534,
     r"5\.7\.14 <https://accounts\.google\.com/signin/continue\?sarp=1&scc=1&plt=AKgnsbs\S+\n"
     r"5\.7\.14 \S+> Please log in via your web browser and\n5\.7\.14 then try again\.\n"
     rf"5\.7\.14  Learn more at\n5\.7\.14  https://support\.google\.com/mail/answer/78754 {SID} - gsmtp"),
    ("sklep.nowak@gmail.com", "mnbv cxzl kjhg fdsa", 454,
     r"4\.7\.0 Too many login attempts, please try again later\. For more information, go to\n"
     rf"4\.7\.0  https://support\.google\.com/mail/answer/7126229 {SID} - gsmtp"),
], ids=["wrong-password", "unknown-user", "revoked-app-password", "2sv-password", "web-login", "throttled"])
def test_sign_in_refusals(box: SandboxThread, user: str, secret: str, code: int, pattern: str) -> None:
    client = SandboxSMTP(box).secure(box)
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        client.login(user, secret)
    assert refused.value.smtp_code == code
    assert re.fullmatch(pattern, text(refused.value.smtp_error)), refused.value.smtp_error
    client.close()


def test_xoauth2_good_token_with_initial_response_and_by_challenge(box: SandboxThread) -> None:
    email = "facturacion@ferreteria-delnorte.example"
    token = access_token(box, email)
    client = SandboxSMTP(box).secure(box)
    assert client.auth("XOAUTH2", lambda challenge=None: xoauth2(email, token)) == (235, b"2.7.0 Accepted")
    client.sendmail(email, ["cliente@example.com"], invoice(email).as_bytes())
    client.quit()
    client = SandboxSMTPS(box)
    client.ehlo("client.example")
    assert client.docmd("AUTH XOAUTH2") == (334, b"")
    assert client.docmd(base64.b64encode(xoauth2(email, token).encode()).decode()) == (235, b"2.7.0 Accepted")
    client.close()
    assert [m.account for m in box.messages] == [email]


def test_oauthbearer(box: SandboxThread) -> None:
    email = "citas.tallerruiz@gmail.com"
    good = f"n,a={email},\x01host=smtp.gmail.com\x01port=465\x01auth=Bearer {access_token(box, email)}\x01\x01"
    client = SandboxSMTPS(box)
    client.ehlo("client.example")
    assert client.auth("OAUTHBEARER", lambda challenge=None: good) == (235, b"2.7.0 Accepted")
    client.close()
    client = SandboxSMTPS(box)
    client.ehlo("client.example")
    bad = base64.b64encode(good.replace("Bearer ", "Bearer x").encode()).decode()
    code, reply = client.docmd("AUTH", f"OAUTHBEARER {bad}")
    assert (code, base64.b64decode(reply)) == (334, b'{"status":"invalid_request","scope":"https://mail.google.com/"}')
    code, reply = client.docmd("AQ==")
    assert code == 535 and re.fullmatch(BAD_CREDENTIALS, text(reply))
    client.close()


def _bad_token(box: SandboxThread, case: str) -> tuple[str, str]:
    """(user, token) for each way Google refuses a token."""
    email = "avisos.tallerruiz@gmail.com"
    if case == "unknown":
        return email, "ya29.not-a-token"
    if case == "expired":
        token = access_token(box, email)
        box.grants.expire_access_tokens(email)
        return email, token
    if case == "revoked":
        token = access_token(box, email)
        box.grants.revoke_account(email)
        return email, token
    if case == "wrong-account":
        return email, access_token(box, "citas.tallerruiz@gmail.com")
    return email, access_token(box, email, ("https://www.googleapis.com/auth/gmail.send",))


@pytest.mark.parametrize("case", ["unknown", "expired", "revoked", "wrong-account", "gmail-send-scope"])
def test_xoauth2_refused_tokens(box: SandboxThread, case: str) -> None:
    user, token = _bad_token(box, case)
    client = SandboxSMTP(box).secure(box)
    challenges: list[bytes] = []

    def answer(challenge: bytes | None = None) -> str:
        if challenge is not None:
            challenges.append(challenge)
            return ""
        return xoauth2(user, token)

    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        client.auth("XOAUTH2", answer)
    assert base64.b64encode(challenges[0]).decode() == XOAUTH2_ERROR
    assert refused.value.smtp_code == 535 and re.fullmatch(BAD_CREDENTIALS, text(refused.value.smtp_error))
    client.close()


# --- sending rules ------------------------------------------------------------------------------


def _signed_in(box: SandboxThread, user: str, secret: str) -> SandboxSMTP:
    client = SandboxSMTP(box).secure(box)
    client.login(user, secret)
    return client


def test_from_address_not_owned(box: SandboxThread) -> None:
    user = "zamowienia.nowak@gmail.com"
    client = _signed_in(box, user, "poiu lkjh mnbv qwer")
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        client.sendmail("biuro@sklep-nowak.example", ["c@example.com"], invoice("biuro@sklep-nowak.example").as_bytes())
    assert refused.value.smtp_code == 553
    assert re.fullmatch(rf"5\.7\.1 <biuro@sklep-nowak\.example> is not allowed to send as this account\. {SID} - gsmtp",
                        text(refused.value.smtp_error))
    # the envelope is the account's own address but the From: header is not
    with pytest.raises(smtplib.SMTPDataError) as refused_data:
        client.sendmail(user, ["c@example.com"], invoice("biuro@sklep-nowak.example").as_bytes())
    assert refused_data.value.smtp_code == 553
    client.sendmail(user, ["c@example.com"], invoice(user).as_bytes())
    client.quit()
    assert len(box.messages) == 1


def test_daily_limit_reached(box: SandboxThread) -> None:
    client = _signed_in(box, "limite.tallerruiz@gmail.com", "hgfd sapo iuyt rewq")
    code, reply = client.mail("limite.tallerruiz@gmail.com")
    assert code == 550
    assert re.fullmatch(rf"5\.4\.5 Daily user sending limit exceeded\. For more information on Gmail\n"
                        rf"5\.4\.5 sending limits go to\n"
                        rf"5\.4\.5  https://support\.google\.com/a/answer/166852 {SID} - gsmtp", text(reply))
    client.close()


def test_daily_limit_counts_accepted_messages(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text('[[account]]\nemail = "dos@gmail.com"\npassword = "Dos-2-dos"\ndaily_limit = 2\n')
    with SandboxThread(accounts, tmp_path / "state") as box:
        client = _signed_in(box, "dos@gmail.com", "Dos-2-dos")
        for _ in range(2):
            client.sendmail("dos@gmail.com", ["c@example.com"], invoice("dos@gmail.com").as_bytes())
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("dos@gmail.com", ["c@example.com"], invoice("dos@gmail.com").as_bytes())
        assert refused.value.smtp_code == 550 and b"5.4.5 Daily user sending limit exceeded" in refused.value.smtp_error
        client.close()
        assert len(box.messages) == 2


def test_busy_once_then_accepted(box: SandboxThread) -> None:
    user, secret = "kontakt.nowak@gmail.com", "rtyu fghj vbnm wert"
    client = _signed_in(box, user, secret)
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        client.sendmail(user, ["c@example.com"], invoice(user).as_bytes())
    assert refused.value.smtp_code == 421
    assert re.fullmatch(rf"4\.7\.0 Try again later, closing connection\. \(MAIL\) {SID} - gsmtp",
                        text(refused.value.smtp_error))
    with pytest.raises(smtplib.SMTPServerDisconnected):
        client.noop()
    client = _signed_in(box, user, secret)
    client.sendmail(user, ["c@example.com"], invoice(user).as_bytes())
    client.quit()
    assert len(box.messages) == 1


TOO_LARGE = (r"5\.2\.3 Your message exceeded Google's message size limits\. Please visit\n"
             r"5\.2\.3  https://support\.google\.com/mail/\?p=MaxSizeError to view our size\n"
             rf"5\.2\.3 guidelines\. {SID} - gsmtp")


def test_oversized_at_mail_and_at_end_of_data(box: SandboxThread) -> None:
    user = "wysylka.nowak@gmail.com"
    client = _signed_in(box, user, "asdf qwer zxcv tyui")
    big = invoice(user, size=2000).as_bytes()
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:  # smtplib announces SIZE= because Gmail offers it
        client.sendmail(user, ["c@example.com"], big)
    assert refused.value.smtp_code == 552 and re.fullmatch(TOO_LARGE, text(refused.value.smtp_error))
    assert client.mail(user)[0] == 250 and client.rcpt("c@example.com")[0] == 250
    code, reply = client.data(big)
    assert code == 552 and re.fullmatch(TOO_LARGE, text(reply))
    client.sendmail(user, ["c@example.com"], invoice(user).as_bytes())
    client.quit()
    assert len(box.messages) == 1


def test_bdat_chunking(box: SandboxThread) -> None:
    client = _signed_in(box, LUPITA, LUPITA_APP)
    client.mail(LUPITA)
    client.rcpt("c@example.com")
    data = invoice().as_bytes().replace(b"\n", b"\r\n")
    client.send(f"BDAT {len(data)} LAST\r\n".encode() + data)
    code, reply = client.getreply()
    assert code == 250 and text(reply).startswith("2.0.0 OK  ")
    client.quit()
    assert box.messages[0].raw == data


# --- faults -------------------------------------------------------------------------------------


def test_drop_mid_data(box: SandboxThread) -> None:
    client = _signed_in(box, LUPITA, LUPITA_APP)
    box.faults.drop_in_data = True
    with pytest.raises(smtplib.SMTPServerDisconnected):
        client.sendmail(LUPITA, ["c@example.com"], invoice(size=200_000).as_bytes())
    assert box.messages == []


def test_stall_at_auth_makes_the_client_time_out(box: SandboxThread) -> None:
    box.faults.stall("auth", 3)
    client = SandboxSMTP(box, timeout=0.5).secure(box)
    started = time.monotonic()
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        client.login(LUPITA, LUPITA_APP)
    assert time.monotonic() - started < 2


def test_latency_is_added_to_every_reply(box: SandboxThread) -> None:
    client = SandboxSMTPS(box)
    started = time.monotonic()
    client.noop()
    fast = time.monotonic() - started
    box.faults.latency_ms = 150
    started = time.monotonic()
    for _ in range(2):
        client.noop()
    slow = time.monotonic() - started
    client.close()
    assert slow >= 0.3 > fast


def test_latency_changed_while_running_slows_https_replies_too(box: SandboxThread) -> None:
    certs, ca = box.info["http"] + "/oauth2/v3/certs", box.info["ca_cert"]
    with requests.Session() as session:
        assert session.get(certs, verify=ca, timeout=10).status_code == 200  # connected: below, replies only
        started = time.monotonic()
        session.get(certs, verify=ca, timeout=10)
        fast = time.monotonic() - started
        box.faults.latency_ms = 300
        started = time.monotonic()
        assert session.get(certs, verify=ca, timeout=10).status_code == 200
        slow = time.monotonic() - started
    assert slow >= 0.3 > fast


def test_tls_reset_during_handshake(box: SandboxThread) -> None:
    box.faults.tls_reset = True
    with pytest.raises((ConnectionResetError, ssl.SSLError, smtplib.SMTPServerDisconnected)):
        SandboxSMTPS(box)
    client = SandboxSMTP(box)
    client.ehlo("client.example")
    with pytest.raises((ConnectionResetError, ssl.SSLError, smtplib.SMTPServerDisconnected)):
        client.starttls(context=box.client_context())
    box.faults.tls_reset = False
    SandboxSMTPS(box).quit()


# --- a real MTA client --------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is not installed (Debian package `swaks`)")
@pytest.mark.parametrize("mode", ["--tls", "--tls-on-connect"])
def test_swaks_sends_with_an_app_password(box: SandboxThread, mode: str) -> None:
    port = box.info["smtp" if mode == "--tls" else "smtps"]["port"]
    result = subprocess.run(
        ["swaks", "--server", "127.0.0.1", "--port", str(port), mode, "--tls-verify", "--tls-ca-path",
         box.info["ca_cert"], "--auth", "LOGIN", "--auth-user", LUPITA, "--auth-password", LUPITA_APP,
         "--from", LUPITA, "--to", "cliente@example.com", "--header", "Subject: swaks"],
        capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "235 2.7.0 Accepted" in result.stdout
    assert [m.subject for m in box.messages] == ["swaks"]

