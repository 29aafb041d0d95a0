"""The sandbox's imap.gmail.com against Python's imaplib: Gmail's sign-in replies, reading the test mail."""

from __future__ import annotations

import base64
import imaplib
import re
import socket
import ssl
import time

import pytest

from mailkit.sandbox.imap_syntax import parse_sequence, quote, tokenize
from mailkit.sandbox.runner import SandboxThread
from tests.sandbox_fixtures import SandboxIMAP, SandboxSMTP, access_token, xoauth2

LUPITA, LUPITA_APP = "facturas.lupita@gmail.com", "qwhk pznr tvbe lmsa"
FAILED = b"[AUTHENTICATIONFAILED] Invalid credentials (Failure)"
XOAUTH2_ERROR = b'{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}'


@pytest.fixture
def box(sandbox_env: SandboxThread) -> SandboxThread:
    return sandbox_env


def send(box: SandboxThread, to: str, subject: str) -> None:
    client = SandboxSMTP(box).secure(box)
    client.login(LUPITA, LUPITA_APP)
    client.sendmail(LUPITA, [to], f"From: {LUPITA}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\nHola.\r\n".encode())
    client.quit()


def test_syntax_helpers() -> None:
    assert tokenize('user@x "qwhk pznr \\"q\\"" (FLAGS BODY[HEADER.FIELDS (SUBJECT)])') == [
        "user@x", 'qwhk pznr "q"', "(FLAGS BODY[HEADER.FIELDS (SUBJECT)])"]
    assert tokenize(quote('a "b" \\c')) == ['a "b" \\c']
    assert parse_sequence("1:*", 3) == [1, 2, 3]
    assert parse_sequence("2,5,*", 3) == [2, 3]
    assert parse_sequence("x", 3) is None


def test_greeting_capabilities_and_logout(box: SandboxThread) -> None:
    client = SandboxIMAP(box)
    assert re.fullmatch(rb"\* OK Gimap ready for requests from 127\.0\.0\.1 [a-z]\d+mb\d{8}[a-z]{3}", client.welcome)
    for cap in ("IMAP4REV1", "SASL-IR", "AUTH=XOAUTH2", "AUTH=PLAIN", "AUTH=PLAIN-CLIENTTOKEN", "AUTH=OAUTHBEARER",
                "AUTH=XOAUTH"):
        assert cap in client.capabilities
    assert client.sock.getpeercert()["subjectAltName"][1] == ("DNS", "imap.gmail.com")
    assert client.logout() == ("BYE", [b"LOGOUT Requested"])


def test_login_select_and_read_the_inbox(box: SandboxThread) -> None:
    send(box, "facturacion@ferreteria-delnorte.example", "Factura A-7")
    client = SandboxIMAP(box)
    assert client.login("facturacion@ferreteria-delnorte.example", "mtrw bkqe hvzs nlcd") == (
        "OK", [b"facturacion@ferreteria-delnorte.example authenticated (Success)"])
    assert client.select("INBOX") == ("OK", [b"1"])
    assert client.search(None, "SUBJECT", '"Factura A-7"') == ("OK", [b"1"])
    assert client.search(None, "SUBJECT", "nothing-like-it") == ("OK", [b""])
    typ, data = client.fetch("1", "(RFC822)")
    assert typ == "OK" and data[0][1] == box.messages[0].raw
    typ, data = client.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert data[0][1] == b"Subject: Factura A-7\r\n\r\n"
    typ, data = client.uid("FETCH", "1", "(FLAGS)")
    assert b"UID 1" in data[0] and b"\\Seen" in data[0]
    assert client.select('"[Gmail]/Sent Mail"') == ("OK", [b"0"])
    assert client.select("Nope")[0] == "NO"
    assert [line.split(b'"/" ')[1] for line in client.list()[1]][:2] == [b'"INBOX"', b'"[Gmail]"']
    client.logout()


def test_login_examine_read_only(box: SandboxThread) -> None:
    client = SandboxIMAP(box)
    client.login(LUPITA, LUPITA_APP.replace(" ", ""))
    typ, data = client.select("INBOX", readonly=True)
    assert (typ, data) == ("OK", [b"0"])
    assert client.noop()[0] == "OK"
    client.logout()


@pytest.mark.parametrize(("user", "secret", "message"), [
    (LUPITA, "zzzz zzzz zzzz zzzz", FAILED),
    ("faktury@biuro-kowalski.example", "not the app password", FAILED),
    ("recuperacion.lupita@gmail.com", "Recupera-2020!",
     b"[ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)"),
    ("crm@biuro-kowalski.example", "lkjh gfds poiu ytre",
     b"[ALERT] Please log in via your web browser: https://support.google.com/mail/accounts/answer/78754 (Failure)"),
], ids=["bad-app-password", "revoked-app-password", "2sv-password", "web-login"])
def test_login_refusals(box: SandboxThread, user: str, secret: str, message: bytes) -> None:
    client = SandboxIMAP(box)
    with pytest.raises(imaplib.IMAP4.error) as refused:
        client.login(user, secret)
    assert str(refused.value) == str(message)
    if b"web browser" in message:
        [alert] = client.untagged_responses["NO"]
        assert re.fullmatch(rb"\[WEBALERT https://accounts\.google\.com/signin/continue\?sarp=1&scc=1&plt=AKgnsbs\S+\] "
                            rb"Web login required\.", alert)
    client.shutdown()


def test_xoauth2_good_token(box: SandboxThread) -> None:
    email = "facturacion@ferreteria-delnorte.example"
    token = access_token(box, email)
    client = SandboxIMAP(box)
    typ, data = client.authenticate("XOAUTH2", lambda challenge: xoauth2(email, token).encode())
    assert (typ, data) == ("OK", [f"{email} authenticated (Success)".encode()])
    client.logout()


@pytest.mark.parametrize("case", ["unknown", "revoked", "gmail-send-scope"])
def test_xoauth2_refused_token(box: SandboxThread, case: str) -> None:
    email = "avisos.tallerruiz@gmail.com"
    if case == "unknown":
        token = "ya29.nothing"
    elif case == "revoked":
        token = access_token(box, email)
        box.grants.revoke_account(email)
    else:
        token = access_token(box, email, ("https://www.googleapis.com/auth/gmail.send",))
    challenges: list[bytes] = []

    def answer(challenge: bytes) -> bytes:
        challenges.append(challenge)
        return xoauth2(email, token).encode() if len(challenges) == 1 else b""

    client = SandboxIMAP(box)
    with pytest.raises(imaplib.IMAP4.error) as refused:
        client.authenticate("XOAUTH2", answer)
    assert challenges == [b"", XOAUTH2_ERROR]
    assert str(refused.value) == FAILED.decode()  # imaplib decodes here, not after LOGIN
    client.shutdown()


def _raw_session(box: SandboxThread) -> ssl.SSLSocket:
    raw = socket.create_connection((box.info["imaps"]["host"], box.info["imaps"]["port"]), timeout=5)
    conn = box.client_context().wrap_socket(raw, server_hostname="imap.gmail.com")
    conn.recv(4096)
    return conn


def _exchange(conn: ssl.SSLSocket, line: str, tag: str = "a1") -> bytes:
    conn.sendall(line.encode() + b"\r\n")
    data = b""
    while not re.search(rb"(^|\r\n)(" + tag.encode() + rb" |\+ )[^\r\n]*\r\n$", data):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_sasl_ir_plain_and_xoauth2(box: SandboxThread) -> None:
    conn = _raw_session(box)
    blob = base64.b64encode(f"\0{LUPITA}\0{LUPITA_APP}".encode()).decode()
    assert _exchange(conn, f"a1 AUTHENTICATE PLAIN {blob}").endswith(
        f"a1 OK {LUPITA} authenticated (Success)\r\n".encode())
    conn.close()
    email = "citas.tallerruiz@gmail.com"
    conn = _raw_session(box)
    blob = base64.b64encode(xoauth2(email, access_token(box, email)).encode()).decode()
    assert _exchange(conn, f"a1 AUTHENTICATE XOAUTH2 {blob}").endswith(b"authenticated (Success)\r\n")
    conn.close()
    conn = _raw_session(box)
    blob = base64.b64encode(xoauth2(email, "ya29.bad").encode()).decode()
    first = _exchange(conn, f"a1 AUTHENTICATE XOAUTH2 {blob}")
    assert first == b"+ " + base64.b64encode(XOAUTH2_ERROR) + b"\r\n"
    assert _exchange(conn, "") == b"a1 NO " + FAILED + b"\r\n"
    conn.close()


def test_commands_in_the_wrong_state_and_literals(box: SandboxThread) -> None:
    conn = _raw_session(box)
    assert _exchange(conn, "a1 SELECT INBOX") == b"a1 BAD Command received in Invalid state.\r\n"
    assert _exchange(conn, "a2 LOGIN {25}", tag="a2") == b"+ go ahead\r\n"
    assert _exchange(conn, f'{LUPITA} "{LUPITA_APP}"', tag="a2").endswith(b"a2 OK " + LUPITA.encode() +
                                                                          b" authenticated (Success)\r\n")
    conn.close()


def test_throttled_account(box: SandboxThread) -> None:
    client = SandboxIMAP(box)
    with pytest.raises(imaplib.IMAP4.error, match="Too many login attempts"):
        client.login("sklep.nowak@gmail.com", "mnbv cxzl kjhg fdsa")
    client.shutdown()


def test_faults_apply_to_imap(box: SandboxThread) -> None:
    box.faults.latency_ms = 100
    client = SandboxIMAP(box)
    started = time.monotonic()
    client.noop()
    client.noop()
    assert time.monotonic() - started >= 0.2
    client.logout()
    box.faults.clear()
    box.faults.stall("greeting", 3)
    with pytest.raises((TimeoutError, socket.timeout, imaplib.IMAP4.abort)):
        SandboxIMAP(box, timeout=0.5)
    box.faults.clear()
    box.faults.tls_reset = True
    with pytest.raises((ConnectionResetError, ssl.SSLError)):
        SandboxIMAP(box)
