"""The check core shared by SMTP and IMAP: a conversation as named, timed steps (DNS, TCP, TLS, greeting, AUTH,
send or select), the steps both protocols take the same way (the lookup and the connect, the wrong-TLS-mode probe,
no stored credentials, one token refresh then one retry), the SASL strings and mechanism choice, and the guard
that keeps a stray success reply from ever reading as `ok`.

Pure decisions are small functions tested without sockets; errors reach the core as mailkit's only
(`mailkit.checks.boundary`), and the conversation ends in one Diagnosis.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any, Protocol

from mailkit.checks.results import Credentials, Step, Timeouts
from mailkit.checks.stream import Address, Transcript, open_socket, peer_of, resolve, speaks_tls
from mailkit.checks.tls import WRONG_MODE
from mailkit.diagnose import Diagnosis, classify_exception, classify_reply, diagnosis_for
from mailkit.endpoints import Route, route
from mailkit.errors import NetworkError, OAuthError, ReplyError, TLSFailure
from mailkit.secrets.redaction import remember_login
from mailkit.status import Status

NO_CREDENTIALS = "no password, app password or OAuth token stored for this account"


class StopCheck(Exception):
    """Internal to a check: stop the conversation with this diagnosis."""

    def __init__(self, diagnosis: Diagnosis):
        self.diagnosis = diagnosis


class Listening(Protocol):
    """A connection whose first bytes can be waited for without reading them."""

    address: Address | None

    async def first_data(self, timeout: float) -> bool: ...


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


def granted_scopes(credentials: Credentials) -> tuple[str, ...] | None:
    """The scopes the OAuth grant holds, when known (None: unknown)."""
    return credentials.scopes() if credentials.scopes is not None else None


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


@cache
def ehlo_name() -> str:
    """A fully qualified name for EHLO; an address literal when the host has none (Gmail dislikes odd names).
    Asked once per process: `getfqdn` is a blocking reverse lookup that would stall the loop for every check."""
    name = socket.getfqdn()
    return name if "." in name and not name.endswith(".localdomain") else "[127.0.0.1]"


class CheckCore:
    """One account's conversation as named steps: each awaited action records a tick with its timing, and
    the first failure (a StopCheck, a server's refusal, or a network error mapped by the catalogue) ends it.
    Subclasses speak the protocol (`_converse`) and close their connection (`_close`)."""

    protocol = ""  # "smtp" or "imap": how a refusal's words are read

    def __init__(self, credentials: Credentials | None, timeouts: Timeouts | None):
        self.credentials = credentials
        self.timeouts = timeouts or Timeouts()
        self.transcript = Transcript()
        self.steps: list[Step] = []

    async def _converse(self) -> Diagnosis:
        raise NotImplementedError

    async def _close(self) -> None:
        raise NotImplementedError

    async def _outcome(self, port: int) -> tuple[Diagnosis, int]:
        """Run the conversation to its diagnosis, never raising for network faults; (diagnosis, ms)."""
        started = time.monotonic()
        try:
            # Its own task: the dozen wake-ups of a conversation resume only the frames below this one, not every
            # caller's (an audit's worker and the check's wrappers) each time.
            diagnosis = await asyncio.ensure_future(self._converse())
        except StopCheck as stop:
            diagnosis = stop.diagnosis
        except ReplyError as refused:
            diagnosis = self._refused(refused)
        except NetworkError as exc:
            self._fail_step(exc.step or "connect", str(exc))
            diagnosis = classify_exception(exc, step=exc.step, port=port)
        finally:
            await self._close()
        return diagnosis, int((time.monotonic() - started) * 1000)

    def _refused(self, refused: ReplyError) -> Diagnosis:
        """A server's refusal where a step needed another answer, read by the catalogue; a stray success is not ok."""
        self._fail_step(refused.step, refused.detail or next(iter(refused.reply.splitlines()), ""))
        return not_success(classify_reply(refused.code, refused.reply, self.protocol, step=refused.step),
                           refused.step)

    async def _step(self, name: str, action: Callable[[], Awaitable[Any]], describe: Callable[[Any], str]) -> Any:
        started = time.monotonic()
        try:
            value = await action()
        except NetworkError as exc:
            exc.step = exc.step or name
            raise
        self._pass_step(name, describe(value), started)
        return value

    def _pass_step(self, name: str, detail: str, started: float) -> None:
        self.steps.append(Step(name, True, detail, int((time.monotonic() - started) * 1000)))

    def _fail_step(self, name: str, detail: str) -> None:
        self.steps.append(Step(name, False, detail))

    async def _connect(self, host: str, port: int) -> tuple[Route, socket.socket, Address]:
        """The DNS and TCP steps: the route (a sandbox may stand in for the host), a connected socket and the
        address that answered."""
        target = route(host, port)
        addresses = await self._step("dns", lambda: resolve(target.host, target.port, self.timeouts.dns),
                                     lambda infos: f"{host} -> {infos[0][4][0]}")
        sock, address = await self._step("tcp", lambda: open_socket(addresses, self.timeouts.connect),
                                          lambda found: f"connected to {peer_of(found[1])}")
        self.transcript.note(f"connected to {peer_of(address)}")
        return target, sock, address

    async def _refuse_implicit_tls_port(self, connection: Listening, context: ssl.SSLContext,
                                        server_hostname: str) -> None:
        """On a plain connection whose server says nothing within `first_byte` seconds: if a TLS server answers a
        ClientHello on the same port, stop with the wrong TLS mode at once instead of waiting out the greeting
        timeout (and an audit's retry). A merely slow greeter is still waited for."""
        first_byte = self.timeouts.first_byte
        if await connection.first_data(first_byte):
            return
        port = connection.address[1][1] if connection.address else "?"
        self.transcript.note(f"no greeting within {first_byte:g} s: asking whether port {port} speaks TLS")
        if await speaks_tls(connection.address, context, server_hostname, first_byte):
            raise TLSFailure(f"no greeting within {first_byte:g} s and a TLS server answers on port {port}: "
                             "this port expects implicit TLS (use ssl)", step="greeting", detail=WRONG_MODE,
                             wrong_mode=True)
        self.transcript.note("no TLS there either: waiting for the greeting")

    def _not_configured(self) -> Diagnosis:
        """No stored credentials: the conversation proved the server is there, the sign-in cannot be tried."""
        self._fail_step("auth", NO_CREDENTIALS)
        return diagnosis_for(Status.NOT_CONFIGURED, step="auth")

    def _unsupported(self, offered: set[str]) -> StopCheck:
        shown = " ".join(sorted(offered))
        self._fail_step("auth", f"{self.credentials.mechanism} not offered (server offers {shown or 'none'})")
        return StopCheck(diagnosis_for(Status.AUTH_MECHANISM_UNSUPPORTED, step="auth", raw=f"AUTH {shown}"))

    async def _refresh_token(self, credentials: Any) -> None:
        """After the server refused an access token: a fresh one, once. A refresh token that no longer
        works (revoked, expired) ends the check with the OAuth error's status."""
        self.transcript.note("token refused: refreshing the access token once and retrying")
        try:
            credentials.secret = await credentials.refresh()
        except OAuthError as exc:
            self._fail_step("auth", str(exc))
            raise StopCheck(diagnosis_for(exc.status, raw=str(exc), step="auth")) from exc
        remember_login(credentials.username, credentials.secret)


__all__ = ["NO_CREDENTIALS", "CheckCore", "StopCheck", "choose_mechanism", "ehlo_name", "granted_scopes",
           "not_success", "plain_string", "signed_in_or_unknown", "xoauth2_string"]
