"""What the SMTP check gains and keeps by speaking through aiosmtplib: plaintext injected after STARTTLS's 220 is
never read as a reply, undecodable server bytes reach the transcript and the JSON as printable text, one deadline
holds for a whole reply however slowly its lines come, and a refusal ends the check as a ReplyError read by the
catalogue. Small asyncio servers on 127.0.0.1 with a trustme CA play each case."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme
from aiosmtplib import SMTPRecipientRefused

from mailkit.checks.boundary import mapped
from mailkit.checks.results import CheckResult, Credentials, Timeouts
from mailkit.checks.smtp import check_smtp
from mailkit.errors import ReplyError
from mailkit.models import build_account
from mailkit.status import Status
from tests.company_ca import server_context

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
QUICK = Timeouts(first_byte=0.5, reply=2.0, tls=2.0)
EHLO = b"250-mail.empresa.example\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"
EHLO_TLS = b"250-mail.empresa.example\r\n250 AUTH PLAIN LOGIN\r\n"


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ehlo: bytes, auth: bytes) -> None:
    """A polite remainder of a conversation: EHLO, AUTH and QUIT answered, anything else 250."""
    while line := await reader.readline():
        verb = line.split(b" ", 1)[0].strip().upper()
        writer.write({b"EHLO": ehlo, b"AUTH": auth, b"QUIT": b"221 bye\r\n"}.get(verb, b"250 ok\r\n"))
        await writer.drain()
        if verb == b"QUIT":
            break
    writer.close()


async def check_against(handler: Handler, *, security: str = "starttls", ca_file: str = "",
                        timeouts: Timeouts = QUICK) -> tuple[CheckResult, float]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    account = build_account("facturas@empresa.example", "empresa", provider_key="custom", auth="password",
                            smtp_host="localhost", smtp_port=port, security=security, imap_host="localhost")
    started = time.monotonic()
    try:
        async with server:
            result = await check_smtp(account, Credentials("PASSWORD", account.email, "app-pass-xyz"),
                                      timeouts=timeouts, ca_file=ca_file)
    finally:
        server.close()
    return result, time.monotonic() - started


def injecting(tls: ssl.SSLContext) -> Handler:
    """After its 220 to STARTTLS, plaintext an attacker on the path would add: a success reply for the first
    command sent over TLS. The real server then refuses the password."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 mail.empresa.example ESMTP\r\n")
        while line := await reader.readline():
            if line.upper().startswith(b"STARTTLS"):
                writer.write(b"220 2.0.0 go ahead\r\n235 2.7.0 injected: accepted\r\n")
                await writer.drain()
                await writer.start_tls(tls)
                await answer(reader, writer, EHLO_TLS, b"535 5.7.8 Username and Password not accepted\r\n")
                return
            writer.write(EHLO if line.upper().startswith(b"EHLO") else b"250 ok\r\n")
            await writer.drain()

    return handle


def test_plaintext_injected_after_the_starttls_220_is_discarded(ca: trustme.CA, ca_file: Path) -> None:
    result, _ = asyncio.run(check_against(injecting(server_context(ca)), ca_file=str(ca_file)))
    text = "\n".join(result.transcript)
    assert result.status is Status.BAD_CREDENTIALS, result.to_dict()
    assert "injected" not in text and "S: 535 5.7.8" in text
    assert [s.name for s in result.steps if s.ok] == ["dns", "tcp", "ehlo", "tls", "ehlo"]


async def undecodable(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Latin-1 and stray bytes where UTF-8 belongs, in the greeting, the EHLO reply and the AUTH reply."""
    writer.write(b"220 mail.empresa.example ESMTP caf\xe9 \xff\xfe\r\n")
    await answer(reader, writer, b"250-mail.empresa.example se\xf1or\r\n250 AUTH PLAIN\r\n",
                 b"235 2.7.0 Aceptado, se\xf1or \xc3\r\n")


def test_undecodable_server_bytes_reach_the_result_as_printable_text() -> None:
    result, _ = asyncio.run(check_against(undecodable, security="none"))
    assert result.status is Status.OK, result.to_dict()
    dumped = json.dumps(result.to_dict(), ensure_ascii=False)
    dumped.encode("utf-8")  # a lone surrogate would raise here (and in SQLite, a file, a terminal)
    assert "caf\ufffd \ufffd\ufffd" in dumped and "se\ufffdor" in dumped
    assert "Aceptado, se\ufffdor \ufffd" in next(s.detail for s in result.steps if s.name == "auth")


def dripping(period: float) -> Handler:
    """An EHLO reply whose lines come well within the reply's deadline each, but which never ends."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 mail.empresa.example ESMTP\r\n")
        await reader.readline()
        try:
            while True:
                writer.write(b"250-still going\r\n")
                await writer.drain()
                try:  # wait a period, listening: stop writing once the client has hung up
                    if not await asyncio.wait_for(reader.read(1024), period):
                        break
                except TimeoutError:
                    pass
        except ConnectionError:
            pass
        writer.close()

    return handle


def test_one_deadline_holds_for_a_whole_reply_however_slowly_it_comes() -> None:
    timeouts = Timeouts(first_byte=0.5, reply=0.8)
    result, elapsed = asyncio.run(check_against(dripping(0.1), security="none", timeouts=timeouts))
    assert result.status is Status.TIMEOUT and result.failed_step == "ehlo", result.to_dict()
    assert elapsed < 0.8 + 5 + 1  # the reply's deadline, QUIT's own short one, and slack; never a hang


async def refusing_rcpt(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"220 mail.empresa.example ESMTP\r\n")
    while line := await reader.readline():
        verb = line.split(b" ", 1)[0].strip().upper()
        writer.write({b"EHLO": b"250-mail.empresa.example\r\n250 AUTH PLAIN\r\n", b"AUTH": b"235 2.7.0 ok\r\n",
                      b"RCPT": b"550-5.1.1 The email account that you tried to reach does not exist.\r\n"
                               b"550 5.1.1 Please try double-checking the recipient\r\n",
                      b"QUIT": b"221 bye\r\n"}.get(verb, b"250 ok\r\n"))
        await writer.drain()
    writer.close()


def test_a_refused_recipient_ends_the_check_as_a_reply_the_catalogue_reads() -> None:
    """aiosmtplib raises SMTPRecipientRefused; the boundary makes it a ReplyError, the core a diagnosis."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "facturas@empresa.example", "nadie@x.example", "prueba"
    message["X-Mailkit-Check-Id"] = "c1"
    message.set_content("hola")

    async def run() -> CheckResult:
        server = await asyncio.start_server(refusing_rcpt, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        account = build_account("facturas@empresa.example", "empresa", provider_key="custom", auth="password",
                                smtp_host="localhost", smtp_port=port, security="none", imap_host="localhost")
        async with server:
            return await check_smtp(account, Credentials("PASSWORD", account.email, "app-pass-xyz"),
                                    message=message, timeouts=QUICK)

    result = asyncio.run(run())
    assert result.status is Status.RECIPIENT_REJECTED and result.diagnosis.code == 550, result.to_dict()
    assert result.failed_step == "send"
    assert next(s.detail for s in result.steps if not s.ok).startswith("550-5.1.1 The email account")


def test_the_boundary_keeps_a_refusals_code_and_words() -> None:
    with pytest.raises(ReplyError) as caught, mapped("send"):
        raise SMTPRecipientRefused(550, "5.1.1 No such user\n5.1.1 really", "nadie@x.example")
    assert (caught.value.code, caught.value.step) == (550, "send")
    assert caught.value.reply == "550-5.1.1 No such user\n550 5.1.1 really"
    assert isinstance(caught.value.__cause__, SMTPRecipientRefused)


def plain_server(auth_reply: bytes) -> Handler:
    """A server without TLS whose AUTH answer is `auth_reply`, as written."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 mail.empresa.example\r\n")
        await answer(reader, writer, b"250-mail.empresa.example\r\n250 AUTH PLAIN\r\n", auth_reply)
    return handle


@pytest.mark.parametrize("auth_reply", [b"2350 ok\r\n", b"235x ok\r\n", b"2350\r\n", b"23 ok\r\n", b" 235 ok\r\n"])
def test_a_line_that_only_starts_like_a_235_is_never_ok(auth_reply):
    """aiosmtplib reads the code as int(line[:3]); mailkit holds every line to three digits and a space, a hyphen
    or the line's end, so `2350 ok` is not a success."""
    result, _ = asyncio.run(check_against(plain_server(auth_reply), security="none"))
    assert result.status is not Status.OK
    assert not any(step.name == "auth" and step.ok for step in result.steps)


def test_a_bare_235_is_a_whole_reply():
    """RFC 5321 allows a reply with no text: `235` alone signs in, and the step's detail is empty, not a crash."""
    result, _ = asyncio.run(check_against(plain_server(b"235\r\n"), security="none"))
    assert result.status is Status.OK
    assert any(step.name == "auth" and step.ok for step in result.steps)
