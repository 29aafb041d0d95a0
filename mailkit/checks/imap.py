"""The IMAP sign-in check: DNS, TCP, TLS, greeting, AUTH and SELECT INBOX on imap.gmail.com:993,
each a Step, ending in one Status with its diagnosis and a redacted transcript.

Some business software reads replies or bounces over IMAP with the same credentials it sends
with, so an account can send fine and still fail here. Gmail's IMAP refusals
(`[AUTHENTICATIONFAILED]`, `[ALERT] Application-specific password required`, `[WEBALERT ...]`)
go through the same catalogue as SMTP replies (`classify_reply(None, text, "imap")`).
The steps, deadlines and token refresh are the check core's (`mailkit.checks.core`), shared with SMTP; the
stream is `mailkit.checks.stream`'s (aiosmtplib speaks no IMAP); this module only speaks IMAP.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from mailkit.checks.core import (
    CheckCore,
    StopCheck,
    choose_mechanism,
    granted_scopes,
    not_success,
    plain_string,
    signed_in_or_unknown,
    xoauth2_string,
)
from mailkit.checks.results import CheckResult, Credentials, Step, Timeouts
from mailkit.checks.stream import ReplyBudget, StreamConnection, Transcript
from mailkit.diagnose import Diagnosis, classify_auth_failure, diagnosis_for
from mailkit.endpoints import extra_ca_file, tls_context
from mailkit.errors import NetworkError, ReplyError
from mailkit.models import Account
from mailkit.providers import UNDETECTED
from mailkit.status import Status
from mailkit.workspace import Workspace

IMAP_PORT = 993
_LITERAL = re.compile(rb"\{(\d+)\+?\}\r?\n?$")
_EXISTS = re.compile(r"^\* (\d+) EXISTS", re.I)
_CAPABILITY = re.compile(r"\[CAPABILITY ([^\]]*)\]|^\* CAPABILITY (.*)$", re.I)
_MAX_LITERAL = 1 << 20
#: One response (its untagged lines, literals and the tagged line): a SELECT has about 10 lines.
MAX_RESPONSE_LINES = 1000
MAX_RESPONSE_BYTES = 2 * _MAX_LITERAL


@dataclass
class Response:
    """The end of one command: `status` is OK, NO, BAD (tagged) or `+` (the server asks for more)."""

    status: str
    text: str
    untagged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "OK"

    @property
    def evidence(self) -> str:
        """The lines a diagnosis reads: untagged warnings (`* NO [WEBALERT ...]`) and the tagged reply."""
        warnings = [u for u in self.untagged if re.match(r"\* (NO|BAD|BYE)\b|\* OK \[ALERT\]", u, re.I)]
        return "\n".join([*warnings, f"{self.status} {self.text}".strip()])


def quote(text: str) -> str:
    """An IMAP quoted string (RFC 3501)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def capabilities(lines: list[str]) -> set[str]:
    """Upper-case capability words found in a greeting, a CAPABILITY reply or an OK [CAPABILITY ...]."""
    found: set[str] = set()
    for line in lines:
        match = _CAPABILITY.search(line)
        if match:
            found.update(word.upper() for word in (match.group(1) or match.group(2) or "").split())
    return found


def offered_mechanisms(caps: set[str]) -> set[str]:
    """SASL mechanisms (AUTH=...), plus LOGIN for the IMAP LOGIN command unless LOGINDISABLED."""
    mechanisms = {cap[5:] for cap in caps if cap.startswith("AUTH=")}
    if "LOGINDISABLED" not in caps:
        mechanisms.add("LOGIN")
    return mechanisms


class IMAPWire(StreamConnection):
    """One IMAP connection: tagged commands, untagged lines, literals. Raises NetworkError only."""

    def __init__(self, transcript: Transcript | None = None, *, reply_timeout: float = 30.0):
        super().__init__(transcript, reply_timeout=reply_timeout)
        self._counter = 0

    def budget(self, step: str) -> ReplyBudget:
        """The deadline and caps of one response, shared by all its lines."""
        return ReplyBudget(step, self.reply_timeout, lines=MAX_RESPONSE_LINES, size=MAX_RESPONSE_BYTES)

    async def read_response_line(self, step: str, budget: ReplyBudget | None = None) -> str:
        """One logical line; a trailing `{n}` literal is read and shown by its size only."""
        budget = budget or self.budget(step)
        raw = await self.read_line(step, budget)
        literal = _LITERAL.search(raw)
        if literal is not None:
            size = int(literal.group(1))
            if size > _MAX_LITERAL:
                raise NetworkError(f"the server announced a {size}-byte literal; a sign-in check reads at most "
                                   f"{_MAX_LITERAL}", step=step)
            data = await self.read_exactly(size, step, budget)
            rest = await self.read_line(step, budget)
            raw = raw[:literal.start()] + b"{" + str(len(data)).encode() + b" bytes}" + rest
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        self.transcript.add("S:", line)
        return line

    async def send(self, command: str, step: str, *, shown: str | None = None) -> str:
        """Write `TAG command`; returns the tag."""
        self._counter += 1
        tag = f"a{self._counter}"
        await self.send_raw(f"{tag} {command}\r\n".encode(), step)
        self.transcript.add("C:", f"{tag} {shown if shown is not None else command}")
        return tag

    async def send_continuation(self, data: str, step: str, *, shown: str | None = None) -> None:
        """Answer a `+` prompt (a SASL response, or the empty line that ends a failed exchange)."""
        await self.send_raw(f"{data}\r\n".encode(), step)
        self.transcript.add("C:", shown if shown is not None else data)

    async def response(self, tag: str, step: str) -> Response:
        """Read until the tagged reply or a `+` continuation request."""
        untagged: list[str] = []
        budget = self.budget(step)
        while True:
            line = await self.read_response_line(step, budget)
            if line.startswith("+"):
                return Response("+", line[1:].strip(), untagged)
            if line.startswith(tag + " "):
                status, _, text = line[len(tag) + 1:].partition(" ")
                return Response(status.upper(), text, untagged)
            if not line.startswith("*"):
                raise NetworkError(f"not an IMAP response: {line[:80]!r}", step=step)
            untagged.append(line)
            if re.match(r"\* BYE\b", line, re.I) and step != "logout":
                return Response("BYE", line[5:].strip(), untagged)

    async def command(self, command: str, step: str, *, shown: str | None = None) -> Response:
        return await self.response(await self.send(command, step, shown=shown), step)



def imap_settings_missing(account: Account) -> str:
    """What the inventory lacks for an IMAP check ("" when nothing): its host and its TLS mode, both said
    by the admin or implied by a provider preset, never guessed."""
    if account.provider == UNDETECTED:
        from mailkit.checks.account import undetected_detail

        return undetected_detail(account)
    command = (f"`mailkit account add {account.email} --company {account.company} --provider {account.provider} "
               f"--smtp-host {account.smtp_host} --smtp-port {account.smtp_port} --security {account.security} "
               f"--imap-host {account.imap_host or 'HOST'} --imap-security ssl|starttls`")
    if not account.imap_host:
        return f"no IMAP host set for {account.email}; set it (ssl: port 993, starttls: port 143): {command}"
    if account.imap_security not in {"ssl", "starttls"}:
        return f"IMAP's TLS mode is not set for {account.email} (ssl: port 993, starttls: port 143): {command}"
    return ""


class IMAPCheck(CheckCore):
    """One account's IMAP conversation. Use `run()`; it never raises mailkit's network errors."""

    protocol = "imap"

    def __init__(self, account: Account, credentials: Credentials | None, *, timeouts: Timeouts | None = None,
                 ca_file: str = ""):
        super().__init__(credentials, timeouts)
        self.account = account
        self.ca_file = ca_file
        self.wire = IMAPWire(self.transcript, reply_timeout=self.timeouts.reply)
        self.caps: set[str] = set()
        self.host = account.imap_host
        self.port = int(account.imap_port or IMAP_PORT)

    async def run(self) -> CheckResult:
        diagnosis, duration_ms = await self._outcome(self.port)
        diagnosis = signed_in_or_unknown(diagnosis, self.steps, ("auth", "select"))
        return CheckResult(email=self.account.email, protocol="imap", diagnosis=diagnosis, steps=self.steps,
                           transcript=self.transcript.lines, duration_ms=duration_ms)

    async def _close(self) -> None:
        await self.wire.close()

    async def _converse(self) -> Diagnosis:
        missing = imap_settings_missing(self.account)
        if missing:  # never a guessed host: the credentials would go to a server nobody named
            self.steps.append(Step("imap", False, missing))
            status = Status.PROVIDER_NOT_DETECTED if self.account.provider == UNDETECTED else Status.NOT_CONFIGURED
            return diagnosis_for(status, raw=missing, step="imap")
        target, sock, address = await self._connect(self.host, self.port)
        await self.wire.attach(sock, address)
        context = tls_context(self.ca_file)
        if self.account.imap_security == "ssl":
            await self._step("tls", lambda: self.wire.start_tls(context, target.server_hostname, self.timeouts.tls),
                             lambda _: "implicit TLS, certificate verified")
        else:
            await self._refuse_implicit_tls_port(self.wire, context, target.server_hostname)
        await self._greeting()
        if not self.wire.tls:
            await self._starttls(context, target.server_hostname)
        if self.credentials is None:
            diagnosis = self._not_configured()
            await self._logout()
            return diagnosis
        await self._authenticate()
        await self._select()
        await self._logout()
        return diagnosis_for(Status.OK)

    def _reject(self, step: str, response: Response) -> ReplyError:
        evidence = response.evidence
        return ReplyError(None, evidence, step=step, detail=evidence.splitlines()[-1])

    async def _greeting(self) -> None:
        started = time.monotonic()
        line = await self.wire.read_response_line("greeting")
        if not re.match(r"\* (OK|PREAUTH)\b", line, re.I):
            raise self._reject("greeting", Response("BYE", line.lstrip("* "), [line]))
        await self._capabilities("greeting", [line])
        mechanisms = " ".join(sorted(m for m in offered_mechanisms(self.caps)))
        self._pass_step("greeting", f"{line[2:80]}; {mechanisms or 'no AUTH offered'}", started)

    async def _capabilities(self, step: str, seen: list[str]) -> None:
        self.caps = capabilities(seen)
        if not self.caps:
            response = await self.wire.command("CAPABILITY", step)
            if not response.ok:
                raise self._reject(step, response)
            self.caps = capabilities(response.untagged + [response.text])

    async def _starttls(self, context: Any, server_hostname: str) -> None:
        if "STARTTLS" not in self.caps:
            self._fail_step("tls", "the server does not offer STARTTLS")
            raise StopCheck(diagnosis_for(Status.TLS_ERROR, raw="STARTTLS not offered", step="tls"))
        response = await self.wire.command("STARTTLS", "tls")
        if not response.ok:
            raise self._reject("tls", response)
        await self._step("tls", lambda: self.wire.start_tls(context, server_hostname, self.timeouts.tls),
                         lambda _: "STARTTLS, certificate verified")
        await self._capabilities("tls", [])

    async def _authenticate(self) -> None:
        creds = self.credentials
        offered = offered_mechanisms(self.caps)
        mechanism = choose_mechanism(creds.mechanism, offered)
        if mechanism is None:
            raise self._unsupported(offered)
        started = time.monotonic()
        response, challenge = await self._auth_exchange(mechanism, creds.secret)
        if not response.ok and mechanism == "XOAUTH2" and creds.refresh is not None:
            await self._refresh_token(creds)
            response, challenge = await self._auth_exchange(mechanism, creds.secret)
        if not response.ok:
            self._fail_step("auth", response.evidence.splitlines()[-1])
            raise StopCheck(not_success(classify_auth_failure(
                None, response.evidence, mechanism=mechanism, challenge=challenge, protocol="imap",
                granted=granted_scopes(creds) if challenge else None), "auth"))
        self._pass_step("auth", f"{mechanism} as {creds.username}: {response.text}", started)

    async def _auth_exchange(self, mechanism: str, secret: str) -> tuple[Response, str | None]:
        """Run one sign-in; returns the final response and the server's error challenge, if any."""
        user = self.credentials.username
        if mechanism == "LOGIN":
            return await self.wire.command(f"LOGIN {quote(user)} {quote(secret)}", "auth",
                                           shown=f"LOGIN {quote(user)} [redacted]"), None
        blob = xoauth2_string(user, secret) if mechanism == "XOAUTH2" else plain_string(user, secret)
        if "SASL-IR" in self.caps:
            tag = await self.wire.send(f"AUTHENTICATE {mechanism} {blob}", "auth",
                                       shown=f"AUTHENTICATE {mechanism} [redacted]")
            response = await self.wire.response(tag, "auth")
        else:
            tag = await self.wire.send(f"AUTHENTICATE {mechanism}", "auth")
            response = await self.wire.response(tag, "auth")
            if response.status == "+":
                await self.wire.send_continuation(blob, "auth", shown="[redacted]")
                response = await self.wire.response(tag, "auth")
        challenge = None
        if response.status == "+":  # an error challenge: answer with an empty line to get the tagged NO
            challenge = response.text
            await self.wire.send_continuation("", "auth")
            response = await self.wire.response(tag, "auth")
        return response, challenge

    async def _select(self) -> None:
        started = time.monotonic()
        response = await self.wire.command("SELECT INBOX", "select")
        if not response.ok:
            raise self._reject("select", response)
        exists = next((m.group(1) for m in map(_EXISTS.match, response.untagged) if m), "?")
        self._pass_step("select", f"INBOX: {exists} messages", started)

    async def _logout(self) -> None:
        try:
            await self.wire.command("LOGOUT", "logout")
        except NetworkError:
            self.transcript.note("no reply to LOGOUT (harmless)")


async def check_imap(account: Account, credentials: Credentials | None, *,
                     timeouts: Timeouts | None = None, ca_file: str = "") -> CheckResult:
    """Sign in over IMAP and select INBOX; never raises for network faults. `ca_file`: an extra CA to trust."""
    return await IMAPCheck(account, credentials, timeouts=timeouts, ca_file=ca_file).run()


async def check_imap_account(account: Account, *, workspace: Workspace | None = None,
                             credentials: Credentials | None = None, timeouts: Timeouts | None = None) -> CheckResult:
    """The IMAP check with the account's stored credentials (OAuth token or app password), trusting the
    account's or the workspace's extra CA file."""
    from mailkit.checks.account import credentials_or_result, insecure_refusal

    refused = insecure_refusal(account, "imap")
    if refused is not None:
        return refused
    workspace = workspace or Workspace()
    ca_file = extra_ca_file(account, workspace)
    if credentials is None:
        credentials, failed = await credentials_or_result(account, workspace, "imap")
        if failed is not None:
            return failed
    return (await check_imap(account, credentials, timeouts=timeouts, ca_file=ca_file)).from_source(credentials)


__all__ = ["IMAPCheck", "IMAPWire", "Response", "capabilities", "check_imap", "check_imap_account",
           "offered_mechanisms", "quote"]
