"""The sandbox's smtp.gmail.com: aiosmtpd, taught to answer word for word like Gmail (GMAIL_FACTS.md).

Two listeners share one `MailBackend` (accounts, grants, mail store, faults): a 587-style one
that requires STARTTLS before AUTH, and a 465-style one on implicit TLS. aiosmtpd parses the
protocol; the commands whose replies Gmail words differently are overridden here.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import functools
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, make_msgid
from typing import AnyStr

from aiosmtpd.smtp import SMTP, TLSSetupException
from aiosmtpd.smtp import syntax as smtp_syntax

from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.listener import Listener, reset
from mailkit.sandbox.mailstore import MailBackend
from mailkit.sandbox.signin import (
    BEARER_MECHANISMS,
    Outcome,
    bearer_sign_in,
    check_password,
    decode_b64,
    find_account,
    parse_plain,
    session_id,
)
from mailkit.sandbox.smtp_replies import gmail_reply

log = logging.getLogger(__name__)

HOSTNAME = "smtp.gmail.com"
GMAIL_SIZE = 35882577
MAX_RECIPIENTS = 100
AUTH_MECHANISMS = "LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH"


class _Aborted(Exception):
    """The client gave up a SASL exchange (`*`) or sent something undecodable; carries the reply."""


class GmailSMTP(SMTP):
    """One SMTP session that talks like smtp.gmail.com."""

    line_length_limit = 65536  # the StreamReader's limit; Gmail takes long header lines
    #: The SASL mechanisms EHLO offers (and AUTH knows), and the table the replies are worded from.
    mechanisms = AUTH_MECHANISMS
    reply_for = staticmethod(gmail_reply)

    def __init__(self, backend: MailBackend, *, tls_context: ssl.SSLContext | None = None,
                 implicit_tls: bool = False):
        self.sid = session_id()
        self.backend = backend
        self.faults = backend.faults
        self.implicit_tls = implicit_tls
        self._greeted = False
        super().__init__(backend, hostname=HOSTNAME, ident=f"ESMTP {self.sid} - gsmtp", tls_context=tls_context,
                         require_starttls=False, auth_require_tls=False, enable_SMTPUTF8=True,
                         data_size_limit=GMAIL_SIZE, timeout=300)
        self.command_size_limits = collections.defaultdict(lambda: 512, {"AUTH": 16384, "MAIL": 1024})

    # --- plumbing -------------------------------------------------------------------------

    def _r(self, name: str, **fields: object) -> str:
        """The server's words for one reply (SESSION_REPLIES and friends), with the session id filled in."""
        return self.reply_for(name, self.sid, **fields)

    @property
    def secure(self) -> bool:
        return self.implicit_tls or self._tls_protocol is not None

    @property
    def account(self) -> SandboxAccount | None:
        return self.session.auth_data if self.session is not None and self.session.authenticated else None

    async def push(self, status: AnyStr) -> None:
        """Every reply waits for the latency fault; the greeting can stall."""
        if not self._greeted:
            self._greeted = True
            await self.faults.at("greeting")
        await self.faults.before_reply()
        await super().push(status)

    async def handle_exception(self, error: Exception) -> str:
        """A bug or a full disk: log it here, tell the client only what Gmail would."""
        log.exception("sandbox SMTP session %s failed", self.sid)
        return self._r("temporary_failure")

    def close_now(self) -> None:
        if self._handler_coroutine is not None:
            self._handler_coroutine.cancel()
        if self.transport is not None:
            self.transport.close()

    def _not_ready(self) -> str | None:
        """Why neither AUTH nor a mail command can run yet (TLS first, then EHLO); None when both are done."""
        if not self.secure:
            return self._r("starttls_first")
        if not self.session.host_name:
            return self._r("ehlo_first")
        return None

    async def _transaction_refused(self) -> bool:
        """The checks every mail command makes first; True when a refusal was sent."""
        refusal = self._not_ready() or (self._r("auth_required") if self.account is None else None)
        if refusal is not None:
            await self.push(refusal)
        return refusal is not None

    # --- greeting and TLS -----------------------------------------------------------------

    @smtp_syntax("EHLO hostname")
    async def smtp_EHLO(self, hostname: str) -> None:
        if await self._hello(hostname, extended=True):
            peer = self.session.peer[0] if self.session.peer else "127.0.0.1"
            lines = [f"{HOSTNAME} at your service, [{peer}]", f"SIZE {GMAIL_SIZE}", "8BITMIME"]
            lines.append(f"AUTH {AUTH_MECHANISMS}" if self.secure else "STARTTLS")
            lines += ["ENHANCEDSTATUSCODES", "PIPELINING", "CHUNKING", "SMTPUTF8"]
            await self.push("\r\n".join(f"250-{line}" for line in lines[:-1]) + f"\r\n250 {lines[-1]}")

    @smtp_syntax("HELO hostname")
    async def smtp_HELO(self, hostname: str) -> None:
        if await self._hello(hostname, extended=False):
            await self.push(f"250 {HOSTNAME} at your service")

    async def _hello(self, hostname: str, *, extended: bool) -> bool:
        """Start over as EHLO/HELO does; False (and the connection closed) for an empty name, as Gmail does."""
        if not hostname:
            await self.push(self._r("empty_helo"))
            self.close_now()
            return False
        await self.faults.at("ehlo")
        self._set_rset_state()
        self.session.extended_smtp = extended
        self.session.host_name = hostname
        return True

    @smtp_syntax("STARTTLS", when="tls_context")
    async def smtp_STARTTLS(self, arg: str) -> None:
        if arg:
            await self.push(self._r("syntax_in_parameters"))
            return
        if self.secure or not self.tls_context:
            await self.push(self._r("tls_already_active"))
            return
        await self.faults.at("starttls")
        await self.push(self._r("ready_for_tls"))
        if self.faults.tls_reset:
            await self._reset_in_handshake()
            return
        waiter = self.loop.create_future()
        self._tls_protocol = asyncio.sslproto.SSLProtocol(self.loop, self, self.tls_context, waiter,
                                                          server_side=True)
        self._original_transport = self.transport
        self._original_transport.set_protocol(self._tls_protocol)
        self.transport = self._tls_protocol._app_transport
        self._tls_protocol.connection_made(self._original_transport)
        try:
            await waiter
        except asyncio.CancelledError:
            raise
        except Exception as error:
            raise TLSSetupException() from error

    async def _reset_in_handshake(self) -> None:
        """The tls_reset fault: let the ClientHello arrive, then answer it with a TCP reset."""
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.wait_for(self._reader.read(5), timeout=5)
        reset(self.transport)

    # --- AUTH -----------------------------------------------------------------------------

    @smtp_syntax("AUTH <mechanism>")
    async def smtp_AUTH(self, arg: str) -> None:
        refusal = self._not_ready() or (
            self._r("already_authenticated") if self.session.authenticated else None)
        if refusal is not None:
            await self.push(refusal)
            return
        mechanism, _, initial = (arg or "").strip().partition(" ")
        steps: dict[str, Callable[[str], Awaitable[tuple[SandboxAccount | None, Outcome]]]] = {
            "PLAIN": self._auth_plain, "LOGIN": self._auth_login,
            "XOAUTH2": functools.partial(self._auth_bearer, mechanism="XOAUTH2"),
            "OAUTHBEARER": functools.partial(self._auth_bearer, mechanism="OAUTHBEARER"),
        }
        offered = self.mechanisms.split()
        step = steps.get(mechanism.upper()) if mechanism.upper() in offered else None
        if step is None and mechanism.upper() in offered:
            step = self._auth_unsupported
        if step is None:
            await self.push(self._r("unrecognized_auth"))
            return
        try:
            account, outcome = await step(initial.strip())
        except _Aborted as refusal:
            await self.push(str(refusal))
            return
        await self.faults.at("auth")
        if outcome is Outcome.OK:
            self.session.authenticated = True
            self.session.auth_data = account
            await self.push(self._r("accepted"))
        else:
            await self.push(self._r(outcome.value))

    async def _sasl_response(self, challenge: str) -> bytes:
        """Send `334 challenge`, read the client's base64 answer and decode it."""
        await self.push(f"334 {challenge}")
        line = (await self._reader.readline()).strip()
        if line == b"*":
            raise _Aborted(self._r("auth_aborted"))
        return self._decode(line)

    async def _first_response(self, initial: str, challenge: str = "") -> bytes:
        """The initial response given with AUTH (`=` means empty), else ask for it."""
        if initial == "=":
            return b""
        if initial:
            return self._decode(initial.encode())
        return await self._sasl_response(challenge)

    def _decode(self, blob: bytes) -> bytes:
        decoded = decode_b64(blob)
        if decoded is None:
            raise _Aborted(self._r("cannot_decode"))
        return decoded

    async def _auth_plain(self, initial: str) -> tuple[SandboxAccount | None, Outcome]:
        parsed = parse_plain(await self._first_response(initial))
        if parsed is None:
            return None, Outcome.BAD_CREDENTIALS
        account = find_account(self.backend.accounts, parsed[0])
        return account, self._password_outcome(account, parsed[1])

    async def _auth_login(self, initial: str) -> tuple[SandboxAccount | None, Outcome]:
        user = await self._first_response(initial, "VXNlcm5hbWU6")
        secret = await self._sasl_response("UGFzc3dvcmQ6")
        account = find_account(self.backend.accounts, user.decode("utf-8", "replace"))
        return account, self._password_outcome(account, secret.decode("utf-8", "replace"))

    def _password_outcome(self, account: SandboxAccount | None, secret: str) -> Outcome:
        """What the provider makes of a user/secret sign-in (Gmail's rules here)."""
        return check_password(account, secret, self.backend.grants)

    async def _auth_bearer(self, initial: str, mechanism: str) -> tuple[SandboxAccount | None, Outcome]:
        """XOAUTH2 / OAUTHBEARER: a refused token gets `334 <base64 JSON>`, an empty answer, then 535."""
        decoded = await self._first_response(initial)
        account, outcome = bearer_sign_in(self.backend.accounts, self.backend.grants, mechanism, decoded)
        if outcome is Outcome.BAD_TOKEN:
            await self.push("334 " + base64.b64encode(BEARER_MECHANISMS[mechanism][1]).decode())
            await self._reader.readline()
        return account, outcome

    async def _auth_unsupported(self, initial: str) -> tuple[SandboxAccount | None, Outcome]:
        """PLAIN-CLIENTTOKEN and XOAUTH are advertised like Gmail does; the sandbox has no such tokens."""
        await self._first_response(initial)
        return None, Outcome.BAD_CREDENTIALS

    # --- the mail transaction ---------------------------------------------------------------

    @smtp_syntax("MAIL FROM: <address>", extended=" [SP <mail-parameters>]")
    async def smtp_MAIL(self, arg: str | None) -> None:
        if await self._transaction_refused():
            return
        if self.envelope.mail_from:
            await self.push(self._r("nested_mail"))
            return
        arg = self._strip_command_keyword("FROM:", arg or "")
        address, rest = self._getaddr(arg) if arg is not None else (None, None)
        params = self._getparams((rest or "").upper().split()) if address else None
        if not address or params is None:
            await self.push(self._r("syntax_error"))
            return
        await self.faults.at("mail")
        refusal = self._mail_refusal(self.account, address, params)
        if refusal is not None:
            await self.push(refusal)
            if refusal.startswith("421"):
                self.close_now()
            return
        self.envelope.mail_from = address
        self.envelope.mail_options.extend((rest or "").split())
        await self.push(self._r("sender_ok"))

    def _mail_refusal(self, account: SandboxAccount, address: str, params: dict) -> str | None:
        """Gmail's checks at MAIL FROM, in the order it makes them; None when all pass."""
        if self.backend.store.take_busy(account.email, account.busy_replies):
            return self._r("try_later_mail")
        if self.backend.store.sent_last_day(account.email) >= account.daily_limit:
            return self._r("daily_limit")
        size = params.get("SIZE")
        if isinstance(size, str) and size.isdigit() and int(size) > min(account.max_message_size, GMAIL_SIZE):
            return self._r("too_large")
        if not account.may_send_as(address):
            return self._r("not_your_address", address=address)
        return None

    @smtp_syntax("RCPT TO: <address>", extended=" [SP <mail-parameters>]")
    async def smtp_RCPT(self, arg: str | None) -> None:
        if await self._transaction_refused():
            return
        if not self.envelope.mail_from:
            await self.push(self._r("mail_first"))
            return
        arg = self._strip_command_keyword("TO:", arg or "")
        address, _ = self._getaddr(arg) if arg is not None else (None, None)
        if not address or "@" not in address:
            await self.push(self._r("invalid_recipient", address=address or arg or ""))
            return
        await self.faults.at("rcpt")
        if len(self.envelope.rcpt_tos) >= MAX_RECIPIENTS:
            await self.push(self._r("too_many_recipients"))
            return
        self.envelope.rcpt_tos.append(address)
        await self.push(self._r("recipient_ok"))

    @smtp_syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if await self._transaction_refused():
            return
        if not self.envelope.rcpt_tos:
            await self.push(self._r("rcpt_first"))
            return
        await self.faults.at("data")
        await self.push(self._r("go_ahead"))
        received = await self._read_message()
        if received is not None:
            await self._finish(*received)

    async def _read_message(self) -> tuple[bytearray, int] | None:
        """(message up to the lone dot, unstuffed; its size); None when the connection went away.

        Past the account's size limit the bytes are counted, not kept.
        """
        limit = self.account.max_message_size
        body, size, at_line_start = bytearray(), 0, True
        while self.transport is not None:
            try:
                chunk = await self._reader.readuntil(b"\r\n")
            except asyncio.LimitOverrunError as exc:
                chunk = await self._reader.read(exc.consumed)
            except asyncio.IncompleteReadError:
                return None
            if at_line_start and chunk == b".\r\n":
                return body, size
            if at_line_start and chunk.startswith(b"."):
                chunk = chunk[1:]
            at_line_start = chunk.endswith(b"\r\n")
            size += len(chunk)
            if self.faults.drop_in_data:
                self.transport.abort()
                return None
            if size <= limit:
                body += chunk
            else:
                body.clear()
        return None

    @smtp_syntax("BDAT <size> [LAST]")
    async def smtp_BDAT(self, arg: str | None) -> None:
        """CHUNKING (RFC 3030), which Gmail advertises."""
        if await self._transaction_refused():
            return
        size_text, _, last = (arg or "").partition(" ")
        if not size_text.isdigit() or last.strip().upper() not in ("", "LAST"):
            await self.push(self._r("syntax_error"))
            return
        chunk = await self._reader.readexactly(int(size_text))
        if not self.envelope.rcpt_tos:
            await self.push(self._r("rcpt_first"))
            return
        if self.faults.drop_in_data:
            self.transport.abort()
            return
        pending = getattr(self.envelope, "bdat", bytearray())
        pending += chunk
        self.envelope.bdat = pending  # type: ignore[attr-defined]
        if last.strip():
            await self._finish(pending, len(pending))
        else:
            await self.push(self._r("chunk_received", octets=len(chunk)))

    async def _finish(self, body: bytearray, size: int) -> None:
        """Gmail's end-of-message checks, then keep the message."""
        account = self.account
        raw = bytes(body)
        await self.faults.at("message")
        header_from = self._header_sender(raw)
        if size > min(account.max_message_size, GMAIL_SIZE):
            status = self._r("too_large")
        elif self.backend.store.sent_last_day(account.email) >= account.daily_limit:
            status = self._r("daily_limit")
        elif (refusal := self._sender_refusal(account, header_from)) is not None:
            status = refusal
        else:
            self.backend.store.accept(account.email, self.envelope.mail_from, list(self.envelope.rcpt_tos), raw,
                                      self.sid)
            status = self._r("message_accepted", timestamp=int(time.time()), message_id=make_msgid("sbx")[1:-1])
        self._set_post_data_state()
        await self.push(status)

    def _sender_refusal(self, account: SandboxAccount, header_from: str) -> str | None:
        """Gmail looks at the From: header at the end of DATA (the envelope was checked at MAIL FROM)."""
        if header_from and not account.may_send_as(header_from):
            return self._r("not_your_address", address=header_from)
        return None

    @staticmethod
    def _header_sender(raw: bytes) -> str:
        """The From: header's address (Workspace 'send as' rules look at it too). Read with the email package,
        so bare LF line endings (smtplib sends bytes as they are) are read as well as CRLF."""
        values = [str(v) for v in BytesHeaderParser(policy=compat32).parsebytes(raw).get_all("From") or []]
        found = [addr for _, addr in getaddresses(values) if addr]
        return found[0] if found else ""

    # --- the rest, in Gmail's words ---------------------------------------------------------

    @smtp_syntax("RSET")
    async def smtp_RSET(self, arg: str) -> None:
        self._set_rset_state()
        await self.push(self._r("flushed"))

    @smtp_syntax("NOOP [ignored]")
    async def smtp_NOOP(self, arg: str) -> None:
        await self.push(self._r("noop"))

    @smtp_syntax("QUIT")
    async def smtp_QUIT(self, arg: str) -> None:
        await self.push(self._r("closing"))
        self.close_now()

    @smtp_syntax("VRFY <address>")
    async def smtp_VRFY(self, arg: str) -> None:
        await self.push(self._r("vrfy"))

    @smtp_syntax("HELP [command]")
    async def smtp_HELP(self, arg: str) -> None:
        await self.push(self._r("help"))

    async def smtp_EXPN(self, arg: str) -> None:
        await self.push(self._r("unrecognized_command"))


class SmtpServer:
    """The two SMTP listeners of one sandbox: STARTTLS (587-style) and implicit TLS (465-style)."""

    def __init__(self, backend: MailBackend, ssl_context: ssl.SSLContext):
        self.backend = backend
        self.starttls = Listener(lambda: GmailSMTP(backend, tls_context=ssl_context), faults=backend.faults)
        self.implicit = Listener(lambda: GmailSMTP(backend, implicit_tls=True), faults=backend.faults,
                                 ssl_context=ssl_context)

    async def start(self, host: str = "127.0.0.1") -> tuple[tuple[str, int], tuple[str, int]]:
        """Both listeners on free ports: ((host, starttls_port), (host, implicit_port))."""
        return await self.starttls.start(host, 0), await self.implicit.start(host, 0)

    async def stop(self) -> None:
        await self.starttls.stop()
        await self.implicit.stop()


__all__ = ["GmailSMTP", "SmtpServer"]
