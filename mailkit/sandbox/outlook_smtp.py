"""The sandbox's smtp.office365.com:587: GmailSMTP's protocol engine with Exchange Online's personality —
its greeting, its EHLO (`AUTH LOGIN XOAUTH2` only after STARTTLS), Microsoft's sign-in rules
(`outlook_signin`) and its replies (`outlook_replies.OUTLOOK_REPLIES`), and send-as checked at the end
of DATA (`554 5.2.252 SendAsDenied`) rather than at MAIL FROM.
"""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

from aiosmtpd.smtp import syntax as smtp_syntax

from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.listener import Listener
from mailkit.sandbox.mailstore import MailBackend
from mailkit.sandbox.outlook_replies import outlook_reply
from mailkit.sandbox.outlook_signin import front_end_name, ms_check_password, ms_check_token
from mailkit.sandbox.signin import Outcome, find_account, parse_xoauth2
from mailkit.sandbox.smtp_server import GmailSMTP

HOSTNAME = "smtp.office365.com"
OUTLOOK_SIZE = 157286400


class OutlookSMTP(GmailSMTP):
    """One SMTP session that talks like Exchange Online's client submission endpoint."""

    mechanisms = "LOGIN XOAUTH2"
    reply_for = staticmethod(outlook_reply)

    def __init__(self, backend: MailBackend, *, tls_context: ssl.SSLContext | None = None):
        super().__init__(backend, tls_context=tls_context)
        self.sid = front_end_name()
        self.hostname = self.sid
        stamp = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        self.__ident__ = f"Microsoft ESMTP MAIL Service ready at {stamp}"

    @smtp_syntax("EHLO hostname")
    async def smtp_EHLO(self, hostname: str) -> None:
        if await self._hello(hostname, extended=True):
            peer = self.session.peer[0] if self.session.peer else "127.0.0.1"
            lines = [f"{self.sid} Hello [{peer}]", f"SIZE {OUTLOOK_SIZE}", "PIPELINING", "DSN",
                     "ENHANCEDSTATUSCODES", f"AUTH {self.mechanisms}" if self.secure else "STARTTLS", "8BITMIME",
                     "BINARYMIME", "CHUNKING", "SMTPUTF8"]
            await self.push("\r\n".join(f"250-{line}" for line in lines[:-1]) + f"\r\n250 {lines[-1]}")

    @smtp_syntax("HELO hostname")
    async def smtp_HELO(self, hostname: str) -> None:
        if await self._hello(hostname, extended=False):
            peer = self.session.peer[0] if self.session.peer else "127.0.0.1"
            await self.push(f"250 {self.sid} Hello [{peer}]")

    @smtp_syntax("AUTH <mechanism>")
    async def smtp_AUTH(self, arg: str) -> None:
        """Before STARTTLS Exchange offers no mechanism at all, so any is an unrecognized type."""
        if self.session.host_name and not self.secure:
            await self.push(self._r("unrecognized_auth"))
            return
        await super().smtp_AUTH(arg)

    def _not_ready(self) -> str | None:
        """Exchange offers no AUTH before STARTTLS (so AUTH is an unknown type) and wants EHLO first."""
        if not self.session.host_name:
            return self._r("ehlo_first")
        if not self.secure:
            return self._r("starttls_first")
        return None

    def _password_outcome(self, account: SandboxAccount | None, secret: str) -> Outcome:
        return ms_check_password(account, secret, "smtp")

    async def _auth_bearer(self, initial: str, mechanism: str) -> tuple[SandboxAccount | None, Outcome]:
        """XOAUTH2: Exchange answers a refused token with `535 5.7.3` straight away (no JSON challenge)."""
        parsed = parse_xoauth2(await self._first_response(initial))
        if parsed is None:
            return None, Outcome.BAD_TOKEN
        account = find_account(self.backend.accounts, parsed[0])
        return account, ms_check_token(account, self.backend.grants, parsed[1], "smtp")

    def _mail_refusal(self, account: SandboxAccount, address: str, params: dict) -> str | None:
        """At MAIL FROM Exchange checks the tenant's standing, busy-ness and size; send-as waits for the end of
        DATA."""
        if account.tenant_over_threshold:
            return self._r("tenant_over_threshold")
        if account.tenant_ip_blocked:
            return self._r("tenant_ip_blocked")
        if self.backend.store.take_busy(account.email, account.busy_replies):
            return self._r("try_later_mail")
        size = params.get("SIZE")
        if isinstance(size, str) and size.isdigit() and int(size) > min(account.max_message_size, OUTLOOK_SIZE):
            return self._r("too_large")
        return None

    def _sender_refusal(self, account: SandboxAccount, header_from: str) -> str | None:
        """The envelope sender and the From: header must both be the mailbox's (or one it may send as)."""
        for address in (self.envelope.mail_from or "", header_from):
            if address and not account.may_send_as(address):
                return self._r("send_as_denied", account=account.email, address=address)
        return None


class OutlookSmtpServer:
    """The Outlook SMTP listener of one sandbox (STARTTLS, 587-style)."""

    def __init__(self, backend: MailBackend, ssl_context: ssl.SSLContext):
        self.listener = Listener(lambda: OutlookSMTP(backend, tls_context=ssl_context), faults=backend.faults)

    async def start(self, host: str = "127.0.0.1") -> tuple[str, int]:
        return await self.listener.start(host, 0)

    async def stop(self) -> None:
        await self.listener.stop()


__all__ = ["HOSTNAME", "OUTLOOK_SIZE", "OutlookSMTP", "OutlookSmtpServer"]
