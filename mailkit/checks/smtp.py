"""The SMTP check: DNS, TCP, TLS, EHLO, AUTH and an optional test send, each a Step, ending in
one Status with its diagnosis and a redacted transcript.

Errors never escape to callers that asked for a check: they become the result. Pure decisions
(which mechanism, which TLS mode) are small functions tested without sockets.
"""

from __future__ import annotations

import base64
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from email.message import EmailMessage
from typing import Any

from mailkit.checks.messages import envelope_needs_smtputf8
from mailkit.checks.stream import OTHER, WRONG_MODE, StreamConnection, tls_kind_of_text
from mailkit.checks.smtp_wire import Reply, SMTPWire, Transcript, dot_stuff, resolve
from mailkit.checks.core import Step, StepRecorder, StopCheck
from mailkit.diagnose import Diagnosis, classify_auth_failure, classify_reply, diagnosis_for
from mailkit.endpoints import route, tls_context
from mailkit.errors import NetworkError, TimeoutFailure, TLSFailure
from mailkit.models import Account
from mailkit.secrets.redaction import remember_login
from mailkit.status import Status

TokenRefresher = Callable[[], Awaitable[str]]


@dataclass
class Timeouts:
    """Per-step deadlines in seconds. `first_byte`: how long a server may stay silent after the TCP connect
    before mailkit asks whether it waits for a TLS ClientHello (an implicit-TLS port used with STARTTLS)."""

    dns: float = 10.0
    first_byte: float = 3.0
    connect: float = 10.0
    tls: float = 15.0
    reply: float = 30.0
    data: float = 120.0

    def capped(self, limit: float) -> Timeouts:
        """Every deadline at most `limit` seconds (an audit's per-account deadline)."""
        return Timeouts(**{f.name: min(getattr(self, f.name), limit) for f in fields(self)})


@dataclass
class Credentials:
    """What to sign in with. `refresh` gets a new OAuth access token after a rejection."""

    mechanism: str  # XOAUTH2, PLAIN or LOGIN ("PASSWORD" = PLAIN if offered, else LOGIN)
    username: str
    secret: str
    refresh: TokenRefresher | None = None
    scopes: Callable[[], tuple[str, ...] | None] | None = None  # the OAuth grant's scopes, asked after a refusal

    def __post_init__(self) -> None:
        remember_login(self.username, self.secret)

    def __repr__(self) -> str:
        return f"Credentials(mechanism={self.mechanism!r}, username={self.username!r}, secret=[redacted])"


class Diagnosed:
    """What a check's result and an audit's result both read from their `diagnosis`."""

    diagnosis: Diagnosis

    @property
    def status(self) -> Status:
        return self.diagnosis.status

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def tls_kind(self) -> str:
        return tls_kind(self.diagnosis)


@dataclass
class CheckResult(Diagnosed):
    """Everything one check found; `to_dict` is the `--json` shape."""

    email: str
    protocol: str
    diagnosis: Diagnosis
    steps: list[Step] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)
    duration_ms: int = 0
    message_id: str | None = None
    check_id: str | None = None
    attempts: int = 1

    @property
    def failed_step(self) -> str:
        return next((s.name for s in self.steps if not s.ok), "")

    def to_dict(self, lang: str = "en", **context: str) -> dict[str, Any]:
        context.setdefault("email", self.email)
        return {
            "email": self.email,
            "protocol": self.protocol,
            "status": self.status.value,
            "cause": self.diagnosis.cause(lang, **context),
            "remedy": self.diagnosis.remedy(lang, **context),
            "reply_code": self.diagnosis.code,
            "reply": self.diagnosis.raw,
            "step": self.failed_step,
            "tls_kind": self.tls_kind,
            "steps": [s.to_dict() for s in self.steps],
            "transcript": self.transcript,
            "duration_ms": self.duration_ms,
            "message_id": self.message_id,
            "check_id": self.check_id,
            "attempts": self.attempts,
        }


def tls_kind(diagnosis: Diagnosis) -> str:
    """Which TLS failure a tls_error is (netio.TLS_KINDS); "" for any other status."""
    if diagnosis.status is not Status.TLS_ERROR:
        return ""
    if diagnosis.variant == WRONG_MODE:
        return WRONG_MODE
    return tls_kind_of_text(f"{diagnosis.detail} {diagnosis.raw}") or OTHER


def granted_scopes(credentials: Credentials) -> tuple[str, ...] | None:
    """The scopes the OAuth grant holds, when known (None: unknown)."""
    return credentials.scopes() if credentials.scopes is not None else None


async def refuse_implicit_tls_port(wire: StreamConnection, context: Any, server_hostname: str,
                                   timeouts: Timeouts) -> None:
    """On a plain connection whose server says nothing within `first_byte` seconds: if a TLS server answers a
    ClientHello on the same port, stop with the wrong TLS mode at once instead of waiting out the greeting
    timeout (and an audit's retry). A merely slow greeter is still waited for."""
    if await wire.first_data(timeouts.first_byte):
        return
    port = wire.address[1][1] if wire.address else "?"
    wire.transcript.note(f"no greeting within {timeouts.first_byte:g} s: asking whether port {port} speaks TLS")
    if await wire.speaks_tls(context, server_hostname, timeouts.first_byte):
        raise TLSFailure(f"no greeting within {timeouts.first_byte:g} s and a TLS server answers on port {port}: "
                         "this port expects implicit TLS (use ssl)", step="greeting", detail=WRONG_MODE,
                         wrong_mode=True)
    wire.transcript.note("no TLS there either: waiting for the greeting")


def implicit_tls(account: Account) -> bool:
    """465-style TLS from the first byte, else plain greeting (then STARTTLS unless security is none)."""
    return account.security == "ssl"


def choose_mechanism(wanted: str, offered: set[str]) -> str | None:
    """The SASL mechanism to use, or None when the server offers nothing that fits."""
    if wanted == "XOAUTH2":
        return "XOAUTH2" if "XOAUTH2" in offered else None
    if wanted in {"PLAIN", "LOGIN"}:
        return wanted if wanted in offered else None
    return next((m for m in ("PLAIN", "LOGIN") if m in offered), None)


def xoauth2_string(email: str, token: str) -> str:
    """The SASL XOAUTH2 initial response exactly as Google documents it, base64-encoded."""
    return base64.b64encode(f"user={email}\x01auth=Bearer {token}\x01\x01".encode()).decode("ascii")


def plain_string(username: str, password: str) -> str:
    return base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")


def ehlo_name() -> str:
    """A fully qualified name for EHLO; an address literal when the host has none (Gmail dislikes odd names)."""
    name = socket.getfqdn()
    return name if "." in name and not name.endswith(".localdomain") else "[127.0.0.1]"


def parse_ehlo(reply: Reply) -> tuple[set[str], set[str]]:
    """Extensions (upper-case keywords) and AUTH mechanisms advertised in an EHLO reply."""
    extensions, mechanisms = set(), set()
    for line in reply.lines[1:]:
        words = line.upper().split()
        if not words:
            continue
        extensions.add(words[0])
        if words[0] == "AUTH":
            mechanisms.update(words[1:])
    return extensions, mechanisms



def not_success(diagnosis: Diagnosis, step: str) -> Diagnosis:
    """A reply that reads as success (a 2xx, an IMAP `OK`) where the step needed another answer is a server
    off the protocol, never `ok`: `unknown`, naming the step and the reply."""
    if diagnosis.status is not Status.OK:
        return diagnosis
    return diagnosis_for(Status.UNKNOWN, raw=f"unexpected reply at {step}: {diagnosis.raw}", step=step)


def signed_in_or_unknown(diagnosis: Diagnosis, steps: list[Step], needed: tuple[str, ...]) -> Diagnosis:
    """The last word on `ok`: it stands only when every needed step (auth, and send or select) succeeded."""
    if diagnosis.status is not Status.OK:
        return diagnosis
    done = {step.name for step in steps if step.ok}
    missing = [name for name in needed if name not in done]
    if not missing:
        return diagnosis
    return diagnosis_for(Status.UNKNOWN, step=missing[0],
                         raw=f"no successful {missing[0]} step: the conversation proved nothing")


class SMTPCheck(StepRecorder):
    """One account's conversation. Use `run()`; it never raises mailkit's network errors."""

    def __init__(self, account: Account, credentials: Credentials | None, *, message: EmailMessage | None = None,
                 recipients: list[str] | None = None, timeouts: Timeouts | None = None, ca_file: str = ""):
        self.account, self.credentials, self.message = account, credentials, message
        self.ca_file = ca_file
        self.recipients = recipients or []
        self.timeouts = timeouts or Timeouts()
        self.transcript = Transcript()
        self.wire = SMTPWire(self.transcript, reply_timeout=self.timeouts.reply)
        self.steps: list[Step] = []
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

    # --- the conversation ------------------------------------------------------------------
    async def _converse(self) -> Diagnosis:
        target = route(self.account.smtp_host, self.account.smtp_port)
        addresses = await self._step("dns", lambda: resolve(target.host, target.port, self.timeouts.dns),
                                     lambda infos: f"{self.account.smtp_host} -> {infos[0][4][0]}")
        await self._step("tcp", lambda: self.wire.connect(addresses, self.timeouts.connect),
                         lambda _: f"connected to {self.wire.peer}")
        context = tls_context(self.ca_file)
        if implicit_tls(self.account):
            await self._step("tls", lambda: self.wire.start_tls(context, target.server_hostname, self.timeouts.tls),
                             lambda _: "implicit TLS, certificate verified")
        else:
            await refuse_implicit_tls_port(self.wire, context, target.server_hostname, self.timeouts)
        greeting = await self._greeting()
        await self._ehlo(greeting)
        if not self.wire.tls and self.account.security == "starttls":
            await self._starttls(context, target.server_hostname)
        if self.credentials is None:
            self._fail_step("auth", "no password, app password or OAuth token stored for this account")
            await self._quit()
            return diagnosis_for(Status.NOT_CONFIGURED, step="auth")
        await self._authenticate()
        if self.message is not None:
            await self._send()
        await self._quit()
        return diagnosis_for(Status.OK)

    def _reject(self, step: str, reply: Reply) -> StopCheck:
        self._fail_step(step, reply.raw.splitlines()[0] if reply.lines else str(reply.code))
        return StopCheck(not_success(classify_reply(reply.code, reply.raw, "smtp", step=step), step))

    async def _greeting(self) -> Reply:
        try:
            reply = await self.wire.read_reply("greeting", self.timeouts.reply)
        except TimeoutFailure as exc:
            if self.account.smtp_port == 465 and not self.wire.tls:
                raise TLSFailure("no greeting: port 465 expects implicit TLS (security = ssl)",
                                 step="greeting", wrong_mode=True) from exc
            raise
        if reply.code != 220:
            raise self._reject("greeting", reply)
        return reply

    async def _ehlo(self, greeting: Reply | None) -> None:
        started = time.monotonic()
        reply = await self.wire.command(f"EHLO {ehlo_name()}", "ehlo")
        if reply.code != 250:
            raise self._reject("ehlo", reply)
        self.extensions, self.mechanisms = parse_ehlo(reply)
        shown = f"AUTH {' '.join(sorted(self.mechanisms))}" if self.mechanisms else "no AUTH offered yet"
        self.steps.append(Step("ehlo", True, f"{reply.lines[0]}; {shown}", int((time.monotonic() - started) * 1000)))

    async def _starttls(self, context: Any, server_hostname: str) -> None:
        if "STARTTLS" not in self.extensions:
            self._fail_step("tls", "the server does not offer STARTTLS")
            raise StopCheck(diagnosis_for(Status.TLS_ERROR, raw="STARTTLS not offered", step="tls"))
        reply = await self.wire.command("STARTTLS", "tls")
        if reply.code != 220:
            raise self._reject("tls", reply)
        await self._step("tls", lambda: self.wire.start_tls(context, server_hostname, self.timeouts.tls),
                         lambda _: "STARTTLS, certificate verified")
        await self._ehlo(None)

    async def _authenticate(self) -> None:
        creds = self.credentials
        mechanism = choose_mechanism(creds.mechanism, self.mechanisms)
        if mechanism is None and not self.wire.tls:
            await self._probe_auth_without_tls()
        if mechanism is None:
            offered = " ".join(sorted(self.mechanisms)) or "none"
            self._fail_step("auth", f"{creds.mechanism} not offered (server offers {offered})")
            raise StopCheck(diagnosis_for(Status.AUTH_MECHANISM_UNSUPPORTED, step="auth",
                                         raw=f"AUTH {' '.join(sorted(self.mechanisms))}"))
        started = time.monotonic()
        reply, challenge = await self._auth_exchange(mechanism, creds.secret)
        if reply.code != 235 and mechanism == "XOAUTH2" and creds.refresh is not None:
            await self._refresh_token(creds)
            reply, challenge = await self._auth_exchange(mechanism, creds.secret)
        if reply.code != 235:
            self._fail_step("auth", reply.raw.splitlines()[0])
            raise StopCheck(not_success(classify_auth_failure(
                reply.code, reply.raw, mechanism=mechanism, challenge=challenge,
                granted=granted_scopes(creds) if challenge else None), "auth"))
        self.steps.append(Step("auth", True, f"{mechanism} as {creds.username}: {reply.lines[0]}",
                               int((time.monotonic() - started) * 1000)))

    async def _probe_auth_without_tls(self) -> None:
        """No AUTH offered on a plain connection: ask anyway, without credentials, to hear the server's words
        (Gmail: 530 5.7.0 Must issue a STARTTLS command first). A 334 prompt is cancelled with `*`."""
        wanted = "XOAUTH2" if self.credentials.mechanism == "XOAUTH2" else "LOGIN"
        reply = await self.wire.command(f"AUTH {wanted}", "auth")
        if reply.code == 334:
            reply = await self.wire.command("*", "auth")
            self._fail_step("auth", "the server asks for credentials on an unencrypted connection: not sent")
            raise StopCheck(diagnosis_for(Status.STARTTLS_REQUIRED, raw=reply.raw, step="auth"))
        if reply.code >= 400:
            raise self._reject("auth", reply)

    async def _auth_exchange(self, mechanism: str, secret: str) -> tuple[Reply, str | None]:
        """Run one AUTH; returns the final reply and the server's error challenge, if any."""
        user = self.credentials.username
        if mechanism == "XOAUTH2":
            reply = await self.wire.command(f"AUTH XOAUTH2 {xoauth2_string(user, secret)}", "auth",
                                            shown="AUTH XOAUTH2 [redacted]")
            if reply.code == 334:
                challenge = reply.text.strip()
                return await self.wire.command("", "auth"), challenge
            return reply, None
        if mechanism == "PLAIN":
            return await self.wire.command(f"AUTH PLAIN {plain_string(user, secret)}", "auth",
                                           shown="AUTH PLAIN [redacted]"), None
        reply = await self.wire.command("AUTH LOGIN", "auth")
        if reply.code == 334:
            reply = await self.wire.command(base64.b64encode(user.encode()).decode(), "auth")
        if reply.code == 334:
            reply = await self.wire.command(base64.b64encode(secret.encode()).decode(), "auth", shown="[redacted]")
        return reply, None

    async def _send(self) -> None:
        started = time.monotonic()
        raw = self.message.as_bytes()
        sender = self.message["From"].addresses[0].addr_spec if self.message["From"] else self.account.email
        size = f" SIZE={len(raw)}" if "SIZE" in self.extensions else ""
        if envelope_needs_smtputf8(sender, self.recipients):
            self._require_smtputf8(sender)
            size += " SMTPUTF8"
        reply = await self.wire.command(f"MAIL FROM:<{sender}>{size}", "send")
        if reply.code != 250:
            raise self._reject("send", reply)
        for rcpt in self.recipients:
            reply = await self.wire.command(f"RCPT TO:<{rcpt}>", "send")
            if reply.code not in (250, 251):
                raise self._reject("send", reply)
        reply = await self.wire.command("DATA", "send")
        if reply.code != 354:
            raise self._reject("send", reply)
        await self.wire.send_raw(dot_stuff(raw), "send")
        self.transcript.add("C:", f"<message, {len(raw)} bytes, check id {self.message['X-Mailkit-Check-Id']}>")
        reply = await self.wire.read_reply("send", self.timeouts.data)
        if reply.code != 250:
            raise self._reject("send", reply)
        self.steps.append(Step("send", True, f"{len(raw)} bytes to {', '.join(self.recipients)}: {reply.lines[0]}",
                               int((time.monotonic() - started) * 1000)))

    def _require_smtputf8(self, sender: str) -> None:
        """A non-ASCII address can travel only with SMTPUTF8 (RFC 6531); without it, say so instead of sending."""
        if "SMTPUTF8" in self.extensions:
            return
        wrong = next(a for a in [sender, *self.recipients] if not a.isascii())
        status = Status.SENDER_REJECTED if wrong == sender else Status.RECIPIENT_REJECTED
        self._fail_step("send", f"{wrong} is not an ASCII address and the server does not offer SMTPUTF8")
        raise StopCheck(diagnosis_for(status, variant="non_ascii", detail=wrong, step="send",
                                      raw=f"{wrong}: non-ASCII address, server without SMTPUTF8 (not sent)"))

    async def _quit(self) -> None:
        try:
            await self.wire.command("QUIT", "quit", timeout=5)
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

