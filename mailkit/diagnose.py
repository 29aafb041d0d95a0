"""The diagnosis catalogue: server replies and connection errors -> Status, cause and remedy.

Google rewords its replies over the years and varies URLs and session ids, so a reply is matched
on its reply code, enhanced status code and a key phrase (`_RULES`, first match wins), never on a
whole line. Continuation-line prefixes ("535-5.7.8 ") and line breaks are folded away first.
Causes and remedies are data in `mailkit.diagnose_texts`; everything kept from a reply is redacted.
"""

from __future__ import annotations

import base64
import binascii
import errno
import imaplib
import json
import re
import socket
import ssl
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from mailkit import errors
from mailkit.diagnose_texts import TEXTS
from mailkit.google_scopes import MAIL_SCOPE
from mailkit.i18n import DEFAULT_LANG, normalize_lang, resolve_lang
from mailkit.redaction import redact
from mailkit.status import SEVERITY, Status

OAUTH_MECHANISMS = frozenset({"XOAUTH2", "OAUTHBEARER", "XOAUTH"})

# Written where a command needs an argument the caller did not give.
_METAVARS = {"email": "EMAIL"}
_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.S)
_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Diagnosis:
    """What went wrong, in the status vocabulary, with the evidence (`raw`, always redacted)."""

    status: Status
    code: int | None = None
    enhanced: str | None = None
    raw: str = ""
    step: str = ""
    variant: str = ""  # a finer case with its own texts: "wrong_mode", "certificate", "size"
    detail: str = ""  # a fact the cause names, e.g. the certificate problem
    port: int | None = None

    def cause(self, lang: str | None = "en", **context: object) -> str:
        """Why it happened, in `lang` (None: the user's language)."""
        return self._text(0, lang, context)

    def remedy(self, lang: str | None = "en", **context: object) -> str:
        """What to click or run; `context` may give email, company, host, port."""
        return self._text(1, lang, context)

    def to_dict(self, lang: str | None = "en", **context: object) -> dict[str, Any]:
        """A JSON-ready view for reports, `--json` output and widgets."""
        return {
            "status": self.status.value,
            "severity": SEVERITY[self.status],
            "code": self.code,
            "enhanced": self.enhanced,
            "step": self.step,
            "raw": self.raw,
            "cause": self.cause(lang, **context),
            "remedy": self.remedy(lang, **context),
        }

    def _text(self, index: int, lang: str | None, context: Mapping[str, object]) -> str:
        chosen = resolve_lang() if lang is None else normalize_lang(lang) or DEFAULT_LANG
        entry = TEXTS.get(f"{self.status.value}:{self.variant}") or TEXTS[self.status.value]
        facts: dict[str, object] = {"detail": self.detail, "port": self.port}
        facts.update({key: value for key, value in context.items() if _given(value)})
        return render(entry[chosen][index], facts)


def _given(value: object) -> bool:
    return value is not None and value != ""


def render(template: str, context: Mapping[str, object]) -> str:
    """Fill {placeholders}; drop [[segments]] whose placeholders have no value."""

    def optional(match: re.Match[str]) -> str:
        inner = match.group(1)
        return inner if all(_given(context.get(name)) for name in _FIELD.findall(inner)) else ""

    def field(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(context[name]) if _given(context.get(name)) else _METAVARS.get(name, "")

    return _FIELD.sub(field, _OPTIONAL.sub(optional, template))


@dataclass(frozen=True)
class _Rule:
    """One recognisable reply: every given criterion must match."""

    status: Status
    code: str | None = None  # regex, full match on the 3-digit reply code
    enhanced: str | None = None  # regex, full match on the enhanced status code
    phrase: str | None = None  # regex searched in the lower-cased, whitespace-folded text
    step: str | None = None  # a word of the step name: auth, mail, rcpt, data
    protocols: tuple[str, ...] = ("smtp", "imap")
    variant: str = ""

    def matches(self, protocol: str, code: int | None, enhanced: str | None, text: str, steps: set[str]) -> bool:
        return (
            protocol in self.protocols
            and (self.code is None or (code is not None and re.fullmatch(self.code, str(code)) is not None))
            and (self.enhanced is None or (enhanced is not None and re.fullmatch(self.enhanced, enhanced)))
            and (self.phrase is None or re.search(self.phrase, text) is not None)
            and (self.step is None or self.step in steps)
        )


S, SMTP, IMAP = Status, ("smtp",), ("imap",)
_RULES: tuple[_Rule, ...] = (
    _Rule(S.OK, code=r"2\d\d", protocols=SMTP),
    _Rule(S.STARTTLS_REQUIRED, phrase=r"must issue a starttls|starttls command first|starttls (?:is )?required"
          r"|\[privacyrequired\]|encryption required"),
    _Rule(S.NOT_CONFIGURED, code="530", phrase=r"authentication required", protocols=SMTP),
    _Rule(S.APP_PASSWORD_REQUIRED, phrase=r"application-specific password required"),
    _Rule(S.APP_PASSWORD_REQUIRED, code="534", enhanced=r"5\.7\.9", protocols=SMTP),
    _Rule(S.WEB_LOGIN_REQUIRED, phrase=r"log ?in via your web browser|web login required|\[webalert\b"),
    _Rule(S.WEB_LOGIN_REQUIRED, code="534", enhanced=r"5\.7\.14", protocols=SMTP),
    _Rule(S.AUTH_MECHANISM_UNSUPPORTED, phrase=r"unrecognized authentication type|unsupported (?:auth|sasl)"
          r"|(?:auth|authentication|sasl) mechanism (?:is )?not (?:supported|available)"),
    _Rule(S.AUTH_MECHANISM_UNSUPPORTED, code="504", enhanced=r"5\.[57]\.4", protocols=SMTP),
    _Rule(S.AUTH_MECHANISM_UNSUPPORTED, code="504", step="auth", protocols=SMTP),
    _Rule(S.QUOTA_EXCEEDED, phrase=r"daily (?:user )?sending (?:quota|limit) exceeded|sending limits? exceeded"
          r"|daily smtp relay limit"),
    _Rule(S.QUOTA_EXCEEDED, code="550", enhanced=r"5\.4\.5", protocols=SMTP),
    _Rule(S.RATE_LIMITED, phrase=r"too many login attempts|too many simultaneous connections|\[throttled\]"
          r"|\[unavailable\]|bandwidth limits|rate limit"),
    _Rule(S.RATE_LIMITED, code="421|45[014]", enhanced=r"4\.7\.\d+", phrase="try again later", protocols=SMTP),
    _Rule(S.RATE_LIMITED, code="421", phrase="try again later", protocols=SMTP),
    _Rule(S.BAD_CREDENTIALS, phrase=r"username and password not accepted|\[authenticationfailed\]"
          r"|invalid credentials"),
    _Rule(S.BAD_CREDENTIALS, code="535", protocols=SMTP),
    _Rule(S.BAD_CREDENTIALS, phrase=r"\blogin failed|authentication failed", protocols=IMAP),
    _Rule(S.MESSAGE_REJECTED, phrase=r"message size limits?|message exceeded|message (?:is )?too (?:big|large)",
          variant="size"),
    _Rule(S.MESSAGE_REJECTED, code="552", enhanced=r"5\.[23]\.\d+", protocols=SMTP, variant="size"),
    _Rule(S.MESSAGE_REJECTED, phrase=r"potential security issue|unsolicited mail|likely spam|virus"
          r"|blocked because its content"),
    _Rule(S.SENDER_REJECTED, phrase=r"not allowed to send as|sender address rejected|sender (?:is )?not allowed"
          r"|not (?:authorized|permitted) to send (?:as|from)"),
    _Rule(S.SENDER_REJECTED, code="553", enhanced=r"5\.7\.1", protocols=SMTP),
    _Rule(S.SENDER_REJECTED, code="550", enhanced=r"5\.7\.1", phrase=r"\bfrom\b|\bsender\b", protocols=SMTP),
    _Rule(S.SENDER_REJECTED, enhanced=r"5\.1\.[78]", protocols=SMTP),
    _Rule(S.SENDER_REJECTED, code=r"5\d\d", step="mail", protocols=SMTP),
    _Rule(S.RECIPIENT_REJECTED, enhanced=r"5\.1\.(?:1|2|3|6|10)", protocols=SMTP),
    _Rule(S.RECIPIENT_REJECTED, phrase=r"recipient address rejected|no such user|user unknown"
          r"|account that you tried to reach does not exist"),
    _Rule(S.RECIPIENT_REJECTED, code=r"5\d\d", step="rcpt", protocols=SMTP),
    _Rule(S.MESSAGE_REJECTED, enhanced=r"5\.6\.\d+", protocols=SMTP),
    _Rule(S.MESSAGE_REJECTED, code=r"5\d\d", step="data", protocols=SMTP),
)

_CODE = re.compile(r"([2-5]\d\d)(?:[- ]|$)")
_ENHANCED = re.compile(r"([245]\.\d{1,3}\.\d{1,3})(?=\s|$)")
_BYTES_REPR = re.compile(r"""^b(['"])(.*)\1$""", re.S)  # imaplib puts repr(bytes) in its errors
_IMAP_OK = re.compile(r"^(?:\S+ )?ok\b|\(success\)$")


def _as_text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = (value or "").strip()
    found = _BYTES_REPR.match(text)
    return found.group(2).replace("\\r\\n", "\n").replace("\\n", "\n") if found else text


def _split_smtp(text: str) -> tuple[int | None, str | None, str]:
    """(reply code, enhanced code, text without the per-line prefixes, lines joined)."""
    code = enhanced = None
    parts = []
    for line in text.splitlines():
        line = line.strip()
        if found := _CODE.match(line):
            code = code or int(found.group(1))
            line = line[found.end():].lstrip()
        if found := _ENHANCED.match(line):
            enhanced = enhanced or found.group(1)
            line = line[found.end():].strip()
        if line:
            parts.append(line)
    return code, enhanced, " ".join(parts)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def classify_reply(code: int | None, text: str | bytes, protocol: str = "smtp", *, step: str = "") -> Diagnosis:
    """The Diagnosis of one server reply (SMTP: code + text; IMAP: `protocol="imap"`, code None)."""
    protocol, text = protocol.lower(), _as_text(text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    enhanced: str | None = None
    if protocol == "imap":
        raw = body = " ".join(lines)
    else:
        parsed, enhanced, body = _split_smtp(text)
        code = parsed if code is None else code
        raw = " ".join(str(part) for part in (code, enhanced, body) if part)
    status, variant = _match(protocol, code, enhanced, body, step)
    if protocol == "imap" and lines and _IMAP_OK.search(_fold(lines[-1])):
        status, variant = Status.OK, ""
    return Diagnosis(status, code, enhanced, redact(raw), step, variant)


def _match(protocol: str, code: int | None, enhanced: str | None, body: str, step: str) -> tuple[Status, str]:
    text, steps = _fold(body), set(re.findall(r"[a-z]+", step.lower()))
    for rule in _RULES:
        if rule.matches(protocol, code, enhanced, text, steps):
            return rule.status, rule.variant
    return Status.UNKNOWN, ""


def decode_challenge(challenge: str | bytes | None) -> dict[str, Any] | None:
    """The JSON object of an XOAUTH2/OAUTHBEARER error challenge (`334 <base64>` / `+ <base64>`), or None."""
    text = re.sub(r"^(?:334[ -]|\+ )", "", _as_text(challenge)).strip()
    if not text.startswith("{"):
        compact = "".join(text.split())
        try:
            text = base64.b64decode(compact + "=" * (-len(compact) % 4), altchars=b"-_").decode("utf-8")
        except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
            return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def classify_auth_failure(
    code: int | None,
    text: str | bytes,
    *,
    mechanism: str,
    challenge: str | bytes | None,
    protocol: str = "smtp",
    granted: Collection[str] | None = None,
) -> Diagnosis:
    """Like `classify_reply` for the AUTH step, but an OAuth mechanism's rejection is about the token.

    `granted`: the scopes the token's grant holds, when known. Only a challenge that names the scope it
    wants, absent from that grant, means a missing scope; any other refusal means the token is not valid.
    """
    diagnosis = classify_reply(code, text, protocol, step="auth")
    if mechanism.upper() not in OAUTH_MECHANISMS:
        return diagnosis
    data = decode_challenge(challenge)
    overridable = {Status.BAD_CREDENTIALS} | ({Status.UNKNOWN} if data is not None else set())
    if diagnosis.status not in overridable:
        return diagnosis
    raw = f"{diagnosis.raw} (challenge {json.dumps(data)})" if data is not None else diagnosis.raw
    return replace(diagnosis, status=_oauth_status(data, granted), variant="", raw=redact(raw))


def _oauth_status(data: Mapping[str, Any] | None, granted: Collection[str] | None = None) -> Status:
    """Scope missing only when the challenge names the scope(s) it wants and the grant is known to lack one;
    otherwise (Dovecot's `"scope":"mail"`, Google's mail scope with a token that has it, no grant known)
    the token was refused."""
    wanted = str((data or {}).get("scope") or "").split()
    if wanted and granted is not None and any(scope not in set(granted) for scope in wanted):
        return Status.OAUTH_SCOPE_MISSING
    return Status.OAUTH_TOKEN_INVALID


def diagnosis_for(
    status: Status | str, *, raw: str = "", step: str = "", variant: str = "", detail: str = ""
) -> Diagnosis:
    """A Diagnosis for a status decided without a server reply (not_configured, oauth_*...)."""
    return Diagnosis(Status(status), raw=redact(raw) if raw else "", step=step, variant=variant,
                     detail=redact(detail) if detail else "")


# Exception types -> status, most specific first (mailkit's own types also inherit these builtins).
_EXCEPTION_STATUS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], Status], ...] = (
    ((socket.gaierror, errors.DNSFailure), Status.DNS_ERROR),
    (ConnectionRefusedError, Status.CONNECTION_REFUSED),
    (TimeoutError, Status.TIMEOUT),  # also asyncio.TimeoutError and socket.timeout
    ((errors.ConnectionLostFailure, ConnectionResetError, ConnectionAbortedError, BrokenPipeError, EOFError,
      ssl.SSLZeroReturnError, imaplib.IMAP4.abort), Status.CONNECTION_LOST),
)
_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH}
_WRONG_MODE = re.compile(r"wrong.version.number|unknown.protocol|record.layer.failure|packet.length.too.long"
                         r"|http.request", re.I)
_CERT_PROBLEM = re.compile(r"certificate verify failed:?\s*([^(\]\n]*)", re.I)


def classify_exception(exc: BaseException, *, step: str = "", port: int | None = None) -> Diagnosis:
    """The Diagnosis of an error raised while talking to a server (mailkit's own or a stray builtin)."""
    chain = list(_chain(exc))
    for candidate in chain:
        found = _specific(candidate, step, port)
        if found is not None:
            return found
    for candidate in chain:  # only now the broad families, so a wrapped cause can win
        if isinstance(candidate, ConnectionError):
            return _simple(Status.CONNECTION_LOST, candidate, step, port)
    return _simple(Status.UNKNOWN, exc, step, port)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, then what caused it (explicit or implicit), a few levels deep."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 6:
        seen.add(id(current))
        yield current
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)


def _specific(exc: BaseException, step: str, port: int | None) -> Diagnosis | None:
    step = getattr(exc, "step", "") or step
    if isinstance(exc, errors.ReplyError):
        return replace(classify_reply(exc.code, exc.reply, step=exc.step or exc.command or step), port=port)
    if isinstance(exc, errors.OAuthError):
        return diagnosis_for(exc.status, raw=_describe(exc), step=step or "oauth")
    if isinstance(exc, errors.TLSFailure) or (
        isinstance(exc, ssl.SSLError) and not isinstance(exc, ssl.SSLZeroReturnError)
    ):
        return _tls(exc, step, port)
    for types, status in _EXCEPTION_STATUS:
        if isinstance(exc, types):
            return _simple(status, exc, step, port)
    if isinstance(exc, imaplib.IMAP4.error):
        return replace(classify_reply(None, str(exc), "imap", step=step), port=port)
    reply = _reply_of(exc)
    if reply is not None:
        return replace(classify_reply(reply[0], reply[1], step=step), port=port)
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE:
        return _simple(Status.CONNECTION_REFUSED, exc, step, port)
    return None


def _reply_of(exc: BaseException) -> tuple[int, str] | None:
    """(code, text) of a third-party SMTP reply error (aiosmtplib `.code/.message`, smtplib `.smtp_*`)."""
    code = getattr(exc, "code", None) if hasattr(exc, "message") else getattr(exc, "smtp_code", None)
    text = getattr(exc, "message", None) if hasattr(exc, "message") else getattr(exc, "smtp_error", None)
    if isinstance(code, int) and 200 <= code < 600 and isinstance(text, str | bytes):
        return code, _as_text(text)
    return None


def _simple(status: Status, exc: BaseException, step: str, port: int | None) -> Diagnosis:
    return Diagnosis(status, raw=redact(_describe(exc)), step=getattr(exc, "step", "") or step, port=port)


def _tls(exc: BaseException, step: str, port: int | None) -> Diagnosis:
    text = " ".join(_describe(link) for link in _chain(exc))
    problem = _certificate_problem(exc, text)
    wrong_mode = bool(getattr(exc, "wrong_mode", False) or _WRONG_MODE.search(text))
    variant = "wrong_mode" if wrong_mode else "certificate" if problem is not None else ""
    return Diagnosis(Status.TLS_ERROR, raw=redact(text), step=step or "tls", variant=variant,
                     detail=redact(problem or ""), port=port)


def _certificate_problem(exc: BaseException, text: str) -> str | None:
    """What is wrong with the certificate ("certificate has expired", ...), or None if not a certificate error."""
    for link in _chain(exc):
        if isinstance(link, ssl.SSLCertVerificationError):
            return str(link.verify_message or link.reason or "certificate verify failed")
    found = _CERT_PROBLEM.search(text)
    return (found.group(1).strip() or "certificate verify failed") if found else None


def _describe(exc: BaseException) -> str:
    detail = getattr(exc, "detail", "")
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    return f"{text} ({detail})" if detail and detail not in text else text


__all__ = [
    "MAIL_SCOPE",
    "OAUTH_MECHANISMS",
    "Diagnosis",
    "classify_auth_failure",
    "classify_exception",
    "classify_reply",
    "decode_challenge",
    "diagnosis_for",
    "render",
]
