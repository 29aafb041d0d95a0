"""Random reply streams against the SMTP and IMAP readers and checks: only mailkit's NetworkError escapes a
reader, a reply's deadline and caps hold, and no check says ok unless the server accepted the sign-in."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import time

import pytest
import trustme
from aiosmtplib.protocol import MAX_RESPONSE_LENGTH
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mailkit import endpoints
from mailkit.checks.boundary import mapped
from mailkit.checks.imap import MAX_RESPONSE_LINES, IMAPWire, check_imap
from mailkit.checks.results import Credentials, Timeouts
from mailkit.checks.smtp import check_smtp
from mailkit.checks.smtp_client import TranscriptProtocol
from mailkit.checks.stream import MAX_LINE, Transcript
from mailkit.errors import NetworkError
from mailkit.models import Account
from mailkit.status import Status

DEADLINE = 0.15
MAX_REPLY_LINES = 200  # far more lines than any real reply; runs past aiosmtplib's caps
QUICK = Timeouts(dns=1, connect=1, tls=1, reply=DEADLINE, data=DEADLINE)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CODES = st.sampled_from([220, 221, 235, 250, 251, 200, 334, 354, 421, 454, 530, 534, 535, 550, 999, 0])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
END = st.sampled_from([b"\r\n", b"\n", b"\r", b""])


@st.composite
def smtp_line(draw) -> bytes:
    code = draw(CODES)
    mark = draw(st.sampled_from(["-", " ", "", "x"]))
    return f"{code:03d}{mark}{draw(TEXT)}".encode() + draw(END)


@st.composite
def smtp_stream(draw) -> bytes:
    """Random bytes, random reply lines, a run of one line repeated past the caps, a line past the limit."""
    parts = draw(st.lists(st.one_of(
        st.binary(max_size=200),
        smtp_line(),
        st.tuples(smtp_line(), st.integers(1, 3 * MAX_REPLY_LINES)).map(lambda t: t[0] * t[1]),
        st.integers(MAX_LINE, 5 * MAX_LINE).map(lambda n: b"250-" + b"A" * n + b"\r\n"),
    ), max_size=6))
    return b"".join(parts)


@st.composite
def imap_line(draw) -> bytes:
    kind = draw(st.sampled_from(["untagged", "tagged", "plus", "literal", "garbage"]))
    if kind == "untagged":
        return f"* {draw(st.sampled_from(['OK', 'NO', 'BAD', 'BYE', '3 EXISTS', 'CAPABILITY IMAP4rev1']))} ".encode() \
            + draw(TEXT).encode() + draw(END)
    if kind == "tagged":
        return f"{draw(st.sampled_from(['a1', 'a2', '*', 'x']))} {draw(st.sampled_from(['OK', 'NO', 'BAD']))} " \
               f"{draw(TEXT)}".encode() + draw(END)
    if kind == "plus":
        return b"+ " + draw(TEXT).encode() + draw(END)
    if kind == "literal":
        size = draw(st.integers(0, 3 << 20))
        body = draw(st.binary(max_size=64))
        return f"* 1 FETCH (BODY {{{size}}}\r\n".encode() + body + draw(END)
    return draw(st.binary(max_size=100))


@st.composite
def imap_stream(draw) -> bytes:
    parts = draw(st.lists(st.one_of(
        imap_line(),
        st.tuples(imap_line(), st.integers(1, 2 * MAX_RESPONSE_LINES)).map(lambda t: t[0] * t[1]),
        st.integers(MAX_LINE, 5 * MAX_LINE).map(lambda n: b"* OK " + b"B" * n + b"\r\n"),
    ), max_size=6))
    return b"".join(parts)


async def _fed(wire_class, data: bytes, eof: bool):
    wire = wire_class(reply_timeout=DEADLINE)
    wire.reader = asyncio.StreamReader(limit=MAX_LINE * 4)
    wire.reader.feed_data(data)
    if eof:
        wire.reader.feed_eof()
    return wire


def _within_deadline(started: float) -> None:
    assert time.monotonic() - started < DEADLINE + 0.25


async def _smtp_reply(data: bytes, eof: bool):
    """One reply read by aiosmtplib's parser (as the SMTP check reads it) from a socket the bytes arrive on."""
    loop = asyncio.get_running_loop()
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    protocol = TranscriptProtocol(Transcript(), loop=loop)
    transport, _ = await loop.create_connection(lambda: protocol, sock=ours)

    async def feed() -> None:
        await loop.sock_sendall(theirs, data)
        if eof:
            theirs.shutdown(socket.SHUT_WR)

    feeding = asyncio.ensure_future(feed())
    try:
        with mapped("greeting", seconds=DEADLINE):
            return await protocol.read_response(timeout=DEADLINE)
    finally:
        feeding.cancel()
        transport.abort()
        theirs.close()


@FAST
@given(data=smtp_stream(), eof=st.booleans())
def test_smtp_reader_raises_only_network_errors_and_keeps_its_deadline_and_caps(data, eof):
    started = time.monotonic()
    try:
        reply = asyncio.run(_smtp_reply(data, eof))
    except NetworkError:
        _within_deadline(started)
        return
    _within_deadline(started)
    assert len(reply.message.encode("utf-8", "replace")) <= MAX_RESPONSE_LENGTH and 0 <= reply.code <= 999


@FAST
@given(data=imap_stream(), eof=st.booleans())
def test_imap_reader_raises_only_network_errors_and_keeps_its_deadline_and_caps(data, eof):
    async def read():
        wire = await _fed(IMAPWire, data, eof)
        return await wire.response("a1", "auth")

    started = time.monotonic()
    try:
        response = asyncio.run(read())
    except NetworkError:
        _within_deadline(started)
        return
    _within_deadline(started)
    assert len(response.untagged) <= MAX_RESPONSE_LINES


# --- whole checks against a server that answers each command with the next random reply ------------------------
def _play(replies: list[bytes]):
    """A server: the first reply on connect, then one reply per line received; it hangs up when out of replies."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for index, reply in enumerate(replies):
                if index:
                    line = await reader.readline()
                    if not line:
                        break
                    tag = line.split(b" ", 1)[0]
                    reply = reply.replace(b"{tag}", tag)
                writer.write(reply)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()

    return handle


@st.composite
def script(draw, good: list[bytes], noise: st.SearchStrategy[bytes]) -> list[bytes]:
    """A good conversation with some replies swapped for noise, some followed by noise, and maybe cut short."""
    replies = []
    for reply in good:
        choice = draw(st.integers(0, 5))
        replies.append(draw(noise) if choice == 0 else reply + draw(noise) if choice == 1 else reply)
    return replies[:draw(st.integers(1, len(replies)))]


SMTP_REPLY = st.lists(smtp_line(), min_size=1, max_size=3).map(b"".join)
GOOD_SMTP = [b"220 hi\r\n", b"250-hi\r\n250 AUTH PLAIN\r\n", b"235 2.7.0 ok\r\n", b"221 bye\r\n"]


@FAST
@given(replies=script(GOOD_SMTP, SMTP_REPLY))
def test_an_smtp_check_is_ok_only_after_a_235_to_its_auth(replies):
    async def scenario():
        server = await asyncio.start_server(_play(replies), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        account = Account("a@b.example", "c", provider="custom", auth="password", smtp_host="127.0.0.1",
                          smtp_port=port, security="none")
        try:
            return await check_smtp(account, Credentials("PASSWORD", "a@b.example", "pw-" + "x" * 12),
                                     timeouts=QUICK)
        finally:
            server.close()

    started = time.monotonic()
    result = asyncio.run(scenario())
    assert time.monotonic() - started < 8 * DEADLINE + 2
    event(result.status.value)
    if result.status is Status.OK:
        text = "\n".join(result.transcript)
        auth = text.index(" C: AUTH ")
        assert re.search(r" S: 235(?:[ -]|$)", text[auth:], re.M), text  # "235" alone is a whole reply too
        assert any(step.name == "auth" and step.ok for step in result.steps)


@pytest.fixture(scope="module")
def imap_tls(tmp_path_factory):
    import ssl

    ca = trustme.CA()
    pem = tmp_path_factory.mktemp("imap-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    previous = os.environ.get("SSL_CERT_FILE")
    os.environ["SSL_CERT_FILE"] = str(pem)
    endpoints._tls_context.cache_clear()
    yield context
    if previous is None:
        os.environ.pop("SSL_CERT_FILE", None)
    else:
        os.environ["SSL_CERT_FILE"] = previous
    endpoints._tls_context.cache_clear()


IMAP_REPLY = st.lists(imap_line(), min_size=1, max_size=3).map(b"".join)
GOOD_IMAP = [b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n", b"{tag} OK logged in\r\n",
             b"* 2 EXISTS\r\n{tag} OK [READ-WRITE] selected\r\n", b"* BYE\r\n{tag} OK bye\r\n"]
IMAP_NOISE = st.one_of(IMAP_REPLY, st.sampled_from([b"+ OK\r\n", b"{tag} NO [AUTHENTICATIONFAILED] no\r\n",
                                                    b"* BYE ok\r\n", b"{tag} BAD ok\r\n", b"+ \r\n"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(replies=script(GOOD_IMAP, IMAP_NOISE))
def test_an_imap_check_is_ok_only_after_a_tagged_ok_to_its_sign_in(imap_tls, replies):
    async def scenario():
        server = await asyncio.start_server(_play(replies), "127.0.0.1", 0, ssl=imap_tls)
        port = server.sockets[0].getsockname()[1]
        account = Account("a@b.example", "c", provider="custom", auth="password", smtp_host="127.0.0.1",
                          imap_host="127.0.0.1", imap_port=port)
        try:
            return await check_imap(account, Credentials("PASSWORD", "a@b.example", "pw-" + "x" * 12),
                                    timeouts=QUICK)
        finally:
            server.close()

    started = time.monotonic()
    result = asyncio.run(scenario())
    assert time.monotonic() - started < 8 * DEADLINE + 4
    event(result.status.value)
    if result.status is Status.OK:
        text = "\n".join(result.transcript)
        sign_in = re.search(r" C: (a\d+) (?:LOGIN|AUTHENTICATE) ", text)
        assert sign_in and re.search(rf" S: {sign_in.group(1)} OK\b", text[sign_in.end():], re.I), text
        assert any(step.name == "auth" and step.ok for step in result.steps)
