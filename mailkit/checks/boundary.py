"""Where third-party failures become mailkit's: every socket, ssl, asyncio and aiosmtplib exception raised while
a check talks to a server is mapped here, once, to the NetworkError family (errors.py), with `raise ... from exc`.

The checks then see only mailkit's errors; the diagnosis catalogue (`mailkit.diagnose.classify_exception`) turns
those into statuses. A server's refusal (an SMTP reply that is not the one the step needed) is a ReplyError.
"""

from __future__ import annotations

import asyncio
import socket
import ssl

from aiosmtplib import SMTPException, SMTPResponseException, SMTPServerDisconnected

from mailkit.checks.tls import OTHER, WRONG_MODE, plain_text_answer, verify_kind
from mailkit.errors import (
    ConnectionLostFailure,
    ConnectionRefusedFailure,
    DNSFailure,
    NetworkError,
    ReplyError,
    TimeoutFailure,
    TLSFailure,
)

#: What the boundary maps; anything else (a bug in mailkit) is left to surface as itself.
MAPPED = (OSError, EOFError, SMTPException, ValueError)


class mapped:  # noqa: N801 - used as a function: `with mapped("auth"): ...`
    """Run a network action; what it raises leaves as mailkit's NetworkError for `step`. (A class, not a
    generator-based context manager: every command of every check enters one.)"""

    __slots__ = ("host", "peer", "seconds", "step")

    def __init__(self, step: str, *, seconds: float = 0.0, peer: str = "", host: str = ""):
        self.step, self.seconds, self.peer, self.host = step, seconds, peer, host

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object) -> bool:
        if exc is None or isinstance(exc, NetworkError) or not isinstance(exc, MAPPED):
            return False
        error = network_error(exc, self.step, seconds=self.seconds, peer=self.peer, host=self.host)
        if error is None:
            return False
        raise error from exc


def network_error(exc: BaseException, step: str, *, seconds: float = 0.0, peer: str = "",
                  host: str = "") -> NetworkError | None:
    """mailkit's error for a third-party one raised at `step` (None: not a network failure)."""
    if step == "dns":
        return _dns(exc, host, seconds)
    if step == "tcp":
        return _tcp(exc, peer, seconds)
    if step == "tls":
        return _handshake(exc, peer, host, seconds)
    return _conversation(exc, step, seconds)


def raw_reply(code: int, message: str) -> str:
    """An SMTP reply as the server sent it, with its `code-` continuation prefixes (what the catalogue reads)."""
    if "\n" not in message:
        return f"{code} {message}"
    lines = message.split("\n")
    last = len(lines) - 1
    return "\n".join(f"{code}{' ' if i == last else '-'}{line}" for i, line in enumerate(lines))


def _dns(exc: BaseException, host: str, seconds: float) -> NetworkError | None:
    if isinstance(exc, TimeoutError):
        return DNSFailure(f"DNS lookup of {host} took longer than {seconds:g} s", step="dns")
    if isinstance(exc, socket.gaierror):
        return DNSFailure(f"{host} does not resolve ({exc.strerror or exc})", step="dns")
    return _conversation(exc, "dns", seconds)


def _tcp(exc: BaseException, peer: str, seconds: float) -> NetworkError | None:
    if isinstance(exc, TimeoutError):
        return TimeoutFailure(f"no answer from {peer} within {seconds:g} s (a firewall may drop the port)",
                              step="tcp")
    if isinstance(exc, ConnectionRefusedError):
        return ConnectionRefusedFailure(f"{peer} refused the connection", step="tcp")
    if isinstance(exc, OSError):
        return ConnectionRefusedFailure(f"cannot reach {peer}: {exc}", step="tcp")
    return None


def _handshake(exc: BaseException, peer: str, host: str, seconds: float) -> NetworkError | None:
    """A TLS handshake's failure: its `detail` is its kind (tls.TLS_KINDS). A plain-text answer is the wrong TLS
    mode (the port expects STARTTLS); a certificate error is untrusted, mismatched or expired."""
    if isinstance(exc, SMTPResponseException):  # STARTTLS refused before any handshake
        return _conversation(exc, "tls", seconds)
    if isinstance(exc, TimeoutError):
        return TimeoutFailure(f"TLS handshake did not finish within {seconds:g} s", step="tls")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TLSFailure(f"certificate of {host} not trusted: {exc.verify_message}", detail=verify_kind(exc))
    if isinstance(exc, ssl.SSLError) and plain_text_answer(exc):
        return TLSFailure(f"{peer} answered the TLS handshake in plain text ({exc.reason or exc}): "
                          "this port expects STARTTLS (use starttls)", detail=WRONG_MODE, wrong_mode=True)
    if isinstance(exc, ssl.SSLError):
        return TLSFailure(f"TLS handshake failed: {exc.reason or exc}", detail=OTHER)
    if isinstance(exc, OSError | EOFError | SMTPServerDisconnected):
        return TLSFailure(f"connection closed during the TLS handshake: {exc}", detail=OTHER)
    return None


def _conversation(exc: BaseException, step: str, seconds: float) -> NetworkError | None:
    """A failure while reading a reply or writing a command."""
    if isinstance(exc, SMTPResponseException):
        if exc.code < 0:  # aiosmtplib's reply parser gave up: a malformed line, a reply past its caps
            return NetworkError(f"{exc.message}: the server is not answering the protocol", step=step)
        raw = raw_reply(exc.code, exc.message)
        return ReplyError(exc.code, raw, step=step, detail=raw.splitlines()[0])
    if isinstance(exc, TimeoutError):
        return TimeoutFailure(f"the server did not answer within {seconds:g} s", step=step)
    if isinstance(exc, SMTPServerDisconnected | asyncio.IncompleteReadError | EOFError):
        return ConnectionLostFailure("the server closed the connection", step=step)
    if isinstance(exc, OSError):  # ConnectionError, ssl.SSLError
        return ConnectionLostFailure(f"connection lost: {exc}", step=step)
    if isinstance(exc, ValueError) and isinstance(exc.__context__, asyncio.LimitOverrunError):
        return NetworkError(f"a reply line longer than the reader's limit: {exc}; the server is not answering the "
                            "protocol", step=step)
    if isinstance(exc, SMTPException):
        return NetworkError(str(exc), step=step)
    return None


__all__ = ["MAPPED", "mapped", "network_error", "raw_reply"]
