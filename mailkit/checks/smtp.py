"""The SMTP check: DNS, TCP, TLS, EHLO, AUTH and an optional test send, each a Step, ending in
one Status with its diagnosis and a redacted transcript.

It speaks through aiosmtplib (`mailkit.checks.smtp_client`); the steps, deadlines, token refresh and the
`ok` guard are the check core's (`mailkit.checks.core`), shared with IMAP. mailkit keeps its own AUTH exchange:
the XOAUTH2 error challenge (334) tells the catalogue why Google refused a token, and a refused token is
refreshed once and retried. Errors never escape to callers that asked for a check: they become the result.
"""

from __future__ import annotations

import base64
import socket
import ssl
import time
from collections.abc import Iterable
from email.message import EmailMessage

from aiosmtplib import SMTPResponse
from aiosmtplib.esmtp import parse_esmtp_extensions

from mailkit.checks.boundary import mapped, raw_reply
from mailkit.checks.core import (
    CheckCore,
    StopCheck,
    choose_mechanism,
    ehlo_name,
    granted_scopes,
    not_success,
    plain_string,
    signed_in_or_unknown,
    xoauth2_string,
)
from mailkit.checks.messages import envelope_needs_smtputf8
from mailkit.checks.results import CheckResult, Credentials, Timeouts
from mailkit.checks.smtp_client import CheckClient
from mailkit.checks.stream import Address, peer_of
from mailkit.diagnose import Diagnosis, classify_auth_failure, diagnosis_for
from mailkit.endpoints import tls_context
from mailkit.errors import NetworkError, ReplyError, TimeoutFailure, TLSFailure
from mailkit.models import Account
from mailkit.status import Status


def implicit_tls(account: Account) -> bool:
    """465-style TLS from the first byte, else plain greeting (then STARTTLS unless security is none)."""
    return account.security == "ssl"


def parse_ehlo(message: str) -> tuple[set[str], set[str]]:
    """Extensions and AUTH mechanisms (upper-case) advertised in an EHLO reply's text, as aiosmtplib reads it."""
    return offered(*parse_esmtp_extensions(message))


def offered(extensions: Iterable[str], mechanisms: Iterable[str]) -> tuple[set[str], set[str]]:
    """What aiosmtplib parsed from an EHLO (lower-case) as mailkit compares it: upper-case sets. The check reads
    the client's own parse of its last EHLO rather than parsing the reply a second time."""
    return set(map(str.upper, extensions)), set(map(str.upper, mechanisms))


def first_line(message: str) -> str:
    """The first line of a reply's text ("" for a bare code: `235` alone is a whole reply)."""
    return message.split("\n", 1)[0]


def refused(step: str, response: SMTPResponse) -> ReplyError:
    """A reply that is not the one `step` needed: the check ends on it (`CheckCore._refused`)."""
    raw = raw_reply(response.code, response.message)
    return ReplyError(response.code, raw, step=step, detail=raw.splitlines()[0])


class SMTPCheck(CheckCore):
    """One account's conversation. Use `run()`; it never raises mailkit's network errors."""

    protocol = "smtp"

    def __init__(self, account: Account, credentials: Credentials | None, *, message: EmailMessage | None = None,
                 recipients: list[str] | None = None, timeouts: Timeouts | None = None, ca_file: str = ""):
        super().__init__(credentials, timeouts)
        self.account, self.message = account, message
        self.ca_file = ca_file
        self.recipients = recipients or []
        self.client: CheckClient | None = None
        self.extensions: set[str] = set()
        self.mechanisms: set[str] = set()

    async def run(self) -> CheckResult:
        diagnosis, duration_ms = await self._outcome(self.account.smtp_port)
        needed = ("auth", "send") if self.message is not None else ("auth",)
        diagnosis = signed_in_or_unknown(diagnosis, self.steps, needed)
        return CheckResult(
            email=self.account.email, protocol="smtp", diagnosis=diagnosis, steps=self.steps,
            transcript=self.transcript.lines, duration_ms=duration_ms,
            message_id=self.message["Message-ID"] if self.message is not None and diagnosis.status is Status.OK
            else None,
            check_id=self.message["X-Mailkit-Check-Id"] if self.message is not None else None,
        )

    async def _close(self) -> None:
        if self.client is not None:
            await self.client.hang_up()

    # --- the conversation ------------------------------------------------------------------
    async def _converse(self) -> Diagnosis:
        context = tls_context(self.ca_file)  # first: a CA file it cannot read leaves no socket open
        target, sock, address = await self._connect(self.account.smtp_host, self.account.smtp_port)
        client = self._client(sock, address, context, target.server_hostname)
        await self._greeting(client)
        await self._ehlo(client)
        if not client.tls and self.account.security == "starttls":
            await self._starttls(client, context, target.server_hostname)
        if self.credentials is None:
            diagnosis = self._not_configured()
            await self._quit(client)
            return diagnosis
        await self._authenticate(client)
        if self.message is not None:
            await self._send(client)
        await self._quit(client)
        return diagnosis_for(Status.OK)

    def _client(self, sock: socket.socket, address: Address, context: ssl.SSLContext,
                server_hostname: str) -> CheckClient:
        started = time.monotonic()

        async def opened(client: CheckClient) -> None:  # the socket is wrapped; the greeting not read yet
            if client.use_tls:
                self.transcript.note(client.cipher_note())
                self._pass_step("tls", "implicit TLS, certificate verified", started)
            else:
                await self._refuse_implicit_tls_port(client, context, server_hostname)

        self.client = CheckClient(self.transcript, address, opened, hostname=server_hostname, sock=sock,
                                  use_tls=implicit_tls(self.account), tls_context=context,
                                  local_hostname=ehlo_name(), timeout=self.timeouts.reply)
        return self.client

    async def _greeting(self, client: CheckClient) -> None:
        try:
            with mapped("greeting", seconds=self.timeouts.reply):
                greeting = await client.connect(timeout=self.timeouts.tls)
        except TimeoutFailure as exc:
            if self.account.smtp_port == 465 and not implicit_tls(self.account):
                raise TLSFailure("no greeting: port 465 expects implicit TLS (security = ssl)",
                                 step="greeting", wrong_mode=True) from exc
            raise
        if greeting.code != 220:
            raise refused("greeting", greeting)

    async def _ehlo(self, client: CheckClient) -> None:
        started = time.monotonic()
        with mapped("ehlo", seconds=self.timeouts.reply):
            reply = await client.ehlo()
        self.extensions, self.mechanisms = offered(client.esmtp_extensions, client.server_auth_methods)
        shown = f"AUTH {' '.join(sorted(self.mechanisms))}" if self.mechanisms else "no AUTH offered yet"
        self._pass_step("ehlo", f"{first_line(reply.message)}; {shown}", started)

    async def _starttls(self, client: CheckClient, context: ssl.SSLContext, server_hostname: str) -> None:
        if "STARTTLS" not in self.extensions:
            self._fail_step("tls", "the server does not offer STARTTLS")
            raise StopCheck(diagnosis_for(Status.TLS_ERROR, raw="STARTTLS not offered", step="tls"))
        started = time.monotonic()
        self.transcript.add("C:", "STARTTLS")
        with mapped("tls", seconds=self.timeouts.tls, peer=peer_of(client.address), host=server_hostname):
            await client.starttls(server_hostname=server_hostname, tls_context=context, timeout=self.timeouts.tls)
        self.transcript.note(client.cipher_note())
        self._pass_step("tls", "STARTTLS, certificate verified", started)
        await self._ehlo(client)

    async def _command(self, client: CheckClient, step: str, *args: bytes, shown: str | None = None,
                       timeout: float | None = None) -> SMTPResponse:
        if shown is not None:
            client.showing(shown)
        with mapped(step, seconds=timeout or self.timeouts.reply):
            return await client.execute_command(*args, timeout=timeout or self.timeouts.reply)

    async def _authenticate(self, client: CheckClient) -> None:
        creds = self.credentials
        mechanism = choose_mechanism(creds.mechanism, self.mechanisms)
        if mechanism is None and not client.tls:
            await self._probe_auth_without_tls(client)
        if mechanism is None:
            raise self._unsupported(self.mechanisms)
        started = time.monotonic()
        reply, challenge = await self._auth_exchange(client, mechanism, creds.secret)
        if reply.code != 235 and mechanism == "XOAUTH2" and creds.refresh is not None:
            await self._refresh_token(creds)
            reply, challenge = await self._auth_exchange(client, mechanism, creds.secret)
        if reply.code != 235:
            raw = raw_reply(reply.code, reply.message)
            self._fail_step("auth", raw.splitlines()[0])
            raise StopCheck(not_success(classify_auth_failure(
                reply.code, raw, mechanism=mechanism, challenge=challenge,
                granted=granted_scopes(creds) if challenge else None), "auth"))
        self._pass_step("auth", f"{mechanism} as {creds.username}: {first_line(reply.message)}", started)

    async def _probe_auth_without_tls(self, client: CheckClient) -> None:
        """No AUTH offered on a plain connection: ask anyway, without credentials, to hear the server's words
        (Gmail: 530 5.7.0 Must issue a STARTTLS command first). A 334 prompt is cancelled with `*`."""
        wanted = b"XOAUTH2" if self.credentials.mechanism == "XOAUTH2" else b"LOGIN"
        reply = await self._command(client, "auth", b"AUTH", wanted)
        if reply.code == 334:
            reply = await self._command(client, "auth", b"*")
            self._fail_step("auth", "the server asks for credentials on an unencrypted connection: not sent")
            raise StopCheck(diagnosis_for(Status.STARTTLS_REQUIRED, raw=raw_reply(reply.code, reply.message),
                                          step="auth"))
        if reply.code >= 400:
            raise refused("auth", reply)

    async def _auth_exchange(self, client: CheckClient, mechanism: str,
                             secret: str) -> tuple[SMTPResponse, str | None]:
        """Run one AUTH; returns the final reply and the server's error challenge, if any."""
        user = self.credentials.username
        if mechanism == "XOAUTH2":
            reply = await self._command(client, "auth", b"AUTH", b"XOAUTH2", xoauth2_string(user, secret).encode(),
                                        shown="AUTH XOAUTH2 [redacted]")
            if reply.code == 334:
                return await self._command(client, "auth", b""), reply.message.strip()
            return reply, None
        if mechanism == "PLAIN":
            return await self._command(client, "auth", b"AUTH", b"PLAIN", plain_string(user, secret).encode(),
                                       shown="AUTH PLAIN [redacted]"), None
        reply = await self._command(client, "auth", b"AUTH", b"LOGIN")
        if reply.code == 334:
            reply = await self._command(client, "auth", base64.b64encode(user.encode()))
        if reply.code == 334:
            reply = await self._command(client, "auth", base64.b64encode(secret.encode()), shown="[redacted]")
        return reply, None

    async def _send(self, client: CheckClient) -> None:
        started = time.monotonic()
        raw = self.message.as_bytes()
        sender = self.message["From"].addresses[0].addr_spec if self.message["From"] else self.account.email
        options = [f"SIZE={len(raw)}"] if "SIZE" in self.extensions else []
        encoding = "ascii"
        if envelope_needs_smtputf8(sender, self.recipients):
            self._require_smtputf8(sender)
            options, encoding = [*options, "SMTPUTF8"], "utf-8"
        with mapped("send", seconds=self.timeouts.reply):
            await client.mail(sender, options=options, encoding=encoding)
            for rcpt in self.recipients:
                await client.rcpt(rcpt, encoding=encoding)
            self.transcript.add("C:", "DATA")
            self.transcript.add("C:", f"<message, {len(raw)} bytes, check id {self.message['X-Mailkit-Check-Id']}>")
        with mapped("send", seconds=self.timeouts.data):
            reply = await client.data(raw, timeout=self.timeouts.data)
        self._pass_step("send", f"{len(raw)} bytes to {', '.join(self.recipients)}: {first_line(reply.message)}",
                        started)

    def _require_smtputf8(self, sender: str) -> None:
        """A non-ASCII address can travel only with SMTPUTF8 (RFC 6531); without it, say so instead of sending."""
        if "SMTPUTF8" in self.extensions:
            return
        wrong = next(a for a in [sender, *self.recipients] if not a.isascii())
        status = Status.SENDER_REJECTED if wrong == sender else Status.RECIPIENT_REJECTED
        self._fail_step("send", f"{wrong} is not an ASCII address and the server does not offer SMTPUTF8")
        raise StopCheck(diagnosis_for(status, variant="non_ascii", detail=wrong, step="send",
                                      raw=f"{wrong}: non-ASCII address, server without SMTPUTF8 (not sent)"))

    async def _quit(self, client: CheckClient) -> None:
        try:
            await self._command(client, "quit", b"QUIT", timeout=5)
        except NetworkError:
            self.transcript.note("no reply to QUIT (harmless)")


async def check_smtp(account: Account, credentials: Credentials | None, *, message: EmailMessage | None = None,
                     recipients: list[str] | None = None, timeouts: Timeouts | None = None,
                     ca_file: str = "") -> CheckResult:
    """Sign in (and optionally send) and report what happened; never raises for network faults.
    `ca_file`: an extra CA to trust besides the system's (a company's own CA)."""
    if message is not None and not recipients:
        recipients = [a.addr_spec for a in message["To"].addresses]
    return await SMTPCheck(account, credentials, message=message, recipients=recipients, timeouts=timeouts,
                           ca_file=ca_file).run()


__all__ = ["SMTPCheck", "check_smtp", "implicit_tls", "parse_ehlo"]
