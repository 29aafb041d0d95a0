"""The diagnosis catalogue: server replies and connection errors -> Status, cause and remedy.

Servers reword their replies over the years and vary URLs and session ids, so a reply is matched on
pieces of evidence, never on a whole line: a help-link key (`?p=BadCredentials`, `answer/78754`), a key
phrase, the enhanced status code, the reply code and the step (`_RULES`, most specific first; the
first match wins). Continuation-line prefixes ("535-5.7.8 ") and line breaks are folded away first.
An unrecognised 4xx is temporary; an unrecognised 5xx stays `unknown` with its text. The corpus of
real replies in tests/data/replies/ keeps the table honest. Causes and remedies are data in
`mailkit.diagnose_texts`, worded for the account's provider; everything kept from a reply is redacted.
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
from mailkit.checks.tls import certificate_problem_in, plain_text_in
from mailkit.diagnose_texts import MICROSOFT, NEUTRAL, TEXTS
from mailkit.i18n import DEFAULT_LANG, normalize_lang, resolve_lang
from mailkit.oauth.scopes import MAIL_SCOPE
from mailkit.providers import PROVIDER_ALIASES
from mailkit.secrets.redaction import redact
from mailkit.status import SEVERITY, Status

OAUTH_MECHANISMS = frozenset({"XOAUTH2", "OAUTHBEARER", "XOAUTH"})

# Written where a command needs an argument the caller did not give.
_METAVARS = {"email": "EMAIL", "host": "HOST"}
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
        """Why it happened, in `lang` (None: the user's language); `provider=` picks whose wording."""
        return self._text(0, lang, context)

    def remedy(self, lang: str | None = "en", **context: object) -> str:
        """What to click or run; `context` may give provider, email, company, host, port.

        `provider` is the account's (mailkit.providers keys): gmail and workspace get Google's steps,
        microsoft365 Microsoft's, custom and anything unknown a neutral text. Not given: Google's. A reply
        that shows which server wrote it (`spoken_provider`) outranks the account's provider.
        """
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
        entry = texts_for(self.status.value, self.variant, spoken_provider(self.raw) or context.get("provider"))
        facts: dict[str, object] = {"detail": self.detail, "port": self.port}
        facts.update({key: value for key, value in context.items() if _given(value) and key != "provider"})
        return render(entry[chosen][index], facts)


# Marks a server leaves in its own replies: Google's "- gsmtp" session suffix and help links, Microsoft's
# "[XX0PR01CA0001.namprd01.prod.outlook.com]" server names, aka.ms links and STOREDRV errors.
_SPOKEN = (
    ("workspace", re.compile(r"\bgsmtp\b|\bgcdp\b|support\.google\.com|accounts\.google\.com|\bgimap\b", re.I)),
    ("microsoft365", re.compile(r"\.outlook\.com\b|\baka\.ms/|\boffice365\.com\b|\bstoredrv\.", re.I)),
)


def spoken_provider(raw: str) -> str | None:
    """The provider whose server wrote this reply, when the reply itself says so; else None.

    The server an account actually talked to outranks the provider its inventory row names (a "custom"
    account pointed at smtp.gmail.com gets Google's steps).
    """
    for provider, mark in _SPOKEN:
        if mark.search(raw or ""):
            return provider
    return None


_GOOGLE_PROVIDERS = frozenset({"gmail", "workspace"})
_MICROSOFT_PROVIDERS = frozenset({"microsoft365"})


def texts_for(status: str, variant: str = "", provider: object = None) -> Mapping[str, tuple[str, str]]:
    """The (cause, remedy) per language for a status (and variant) as worded for `provider`.

    A variant's own text wins over the plain status's; the provider's table over the generic ones.
    """
    key = str(provider or "").strip().lower()
    key = PROVIDER_ALIASES.get(key, key)
    if not key or key in _GOOGLE_PROVIDERS:
        tables: tuple[Mapping[str, Mapping[str, tuple[str, str]]], ...] = (TEXTS,)
    elif key in _MICROSOFT_PROVIDERS:
        tables = (MICROSOFT, NEUTRAL, TEXTS)
    else:
        tables = (NEUTRAL, TEXTS)
    for name in (f"{status}:{variant}", status) if variant else (status,):
        for table in tables:
            if name in table:
                return table[name]
    return TEXTS[status]


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
    """One recognisable reply: every given criterion must match.

    A rule's rank is its most specific criterion: a help-link key (Google's `?p=BadCredentials`,
    `answer/78754`, Microsoft's `aka.ms/smtp_auth_disabled`) names the case outright; a key phrase says
    what happened in words; an enhanced code names a class of causes (5.7.9 is sent for two); a reply
    code or the step alone says least. `_RULES` is ordered by rank (a test keeps it so) and the first
    rule that matches decides, so the more specific evidence wins when they disagree.
    """

    status: Status
    code: str | None = None  # regex, full match on the 3-digit reply code
    enhanced: str | None = None  # regex, full match on the enhanced status code
    phrase: str | None = None  # regex searched in the lower-cased, whitespace-folded text
    step: str | None = None  # a word of the step name: auth, mail, rcpt, data
    protocols: tuple[str, ...] = ("smtp", "imap")
    variant: str = ""
    key: str | None = None  # regex searched in the help-link keys found in the text

    @property
    def rank(self) -> int:
        return 4 if self.key else 3 if self.phrase else 2 if self.enhanced else 1

    def matches(self, protocol: str, code: int | None, enhanced: str | None, text: str, steps: set[str],
                keys: set[str]) -> bool:
        return (
            protocol in self.protocols
            and (self.key is None or any(re.fullmatch(self.key, key) for key in keys))
            and (self.code is None or (code is not None and re.fullmatch(self.code, str(code)) is not None))
            and (self.enhanced is None or (enhanced is not None and re.fullmatch(self.enhanced, enhanced)))
            and (self.phrase is None or re.search(self.phrase, text) is not None)
            and (self.step is None or self.step in steps)
        )


S, SMTP, IMAP = Status, ("smtp",), ("imap",)
_RULES: tuple[_Rule, ...] = (
    # help-link keys: Google's ?p=Name and answer/NNN, Microsoft's aka.ms short links
    _Rule(S.APP_PASSWORD_REQUIRED, key=r"p=invalidsecondfactor|answer/185833"),
    _Rule(S.WEB_LOGIN_REQUIRED, key=r"p=webloginrequired|answer/78754"),
    _Rule(S.BAD_CREDENTIALS, key=r"p=badcredentials|answer/14257"),
    _Rule(S.QUOTA_EXCEEDED, key=r"answer/166852"),
    _Rule(S.RATE_LIMITED, key=r"answer/7126229"),
    _Rule(S.MESSAGE_REJECTED, key=r"p=maxsizeerror", variant="size"),
    _Rule(S.RECIPIENT_REJECTED, key=r"p=nosuchuser"),
    _Rule(S.SENDER_REJECTED, key=r"answer/6140680", variant="relay"),
    _Rule(S.SMTP_AUTH_DISABLED, key=r"aka\.ms/smtp_auth_disabled"),
    # key phrases, most telling first
    _Rule(S.STARTTLS_REQUIRED, phrase=r"must issue a starttls|starttls command first|\b(?:start)?tls (?:is )?required"
          r"|\[privacyrequired\]|encryption required|plaintext authentication (?:disallowed|not allowed)"),
    _Rule(S.NOT_CONFIGURED, code="530", phrase=r"authentication required", protocols=SMTP),
    _Rule(S.APP_PASSWORD_REQUIRED, phrase=r"application-specific password required"),
    _Rule(S.WEB_LOGIN_REQUIRED, phrase=r"log ?in (?:via|with) your web browser|web login required|\[webalert\b"),
    # Microsoft 365 refusing a password by a tenant or mailbox setting (535 5.7.139, 550 5.7.30)
    _Rule(S.SMTP_AUTH_DISABLED, phrase=r"smtpclientauthentication is disabled"),
    _Rule(S.SECURITY_DEFAULTS, phrase=r"security defaults"),
    _Rule(S.BASIC_AUTH_DISABLED, phrase=r"basic authentication is (?:disabled|not supported)"),
    _Rule(S.APP_PASSWORD_REQUIRED, phrase=r"did not meet the criteria to be authenticated", variant="criteria"),
    _Rule(S.TENANT_BLOCKED, phrase=r"traffic not accepted from this ip", variant="ip"),
    _Rule(S.TENANT_BLOCKED, phrase=r"tenant has exceeded (?:the )?threshold"),
    _Rule(S.SENDER_REJECTED, phrase=r"bad outbound sender", variant="restricted"),
    _Rule(S.AUTH_MECHANISM_UNSUPPORTED, phrase=r"unrecognized authentication type|unsupported (?:auth|sasl)"
          r"|(?:auth|authentication|sasl) mechanism (?:is )?not (?:supported|available)"
          r"|auth command used when not advertised"),
    _Rule(S.NOT_CONFIGURED, phrase=r"client (?:was )?not authenticated", protocols=SMTP, variant="anonymous"),
    _Rule(S.QUOTA_EXCEEDED, phrase=r"daily (?:user )?sending (?:quota|limit) exceeded|sending limits? exceeded"
          r"|daily smtp relay limit|reached your daily limit|submissionquotaexceeded"),
    _Rule(S.RATE_LIMITED, code="421", phrase=r"try again later.{0,40}\(ehlo\)", protocols=SMTP, variant="ehlo"),
    _Rule(S.RATE_LIMITED, phrase=r"too many login attempts|too many simultaneous connections|\[throttled\]"
          r"|\[unavailable\]|bandwidth limits|rate limit|maximum number of connections|too many concurrent"
          r"|temporary authentication failure|receiving mail too quickly|peak smtp relay limit"),
    _Rule(S.RATE_LIMITED, code="421|45[014]", enhanced=r"4\.7\.\d+", phrase="try again later", protocols=SMTP),
    _Rule(S.RATE_LIMITED, code="421", phrase="try again later", protocols=SMTP),
    # a relay refusal may also say "invalid credentials for relay": it must come first
    _Rule(S.SENDER_REJECTED, phrase=r"mail relay denied", variant="relay"),
    _Rule(S.RECIPIENT_REJECTED, phrase=r"relay access denied|relay not permitted|relaying denied|unable to relay",
          variant="relay"),
    # Exchange's bare "535 5.7.3 Authentication unsuccessful" names no reason (password, MFA, basic auth off)
    _Rule(S.BAD_CREDENTIALS, code="535", enhanced=r"5\.7\.3", phrase=r"authentication unsuccessful",
          protocols=SMTP, variant="unexplained"),
    _Rule(S.BAD_CREDENTIALS, phrase=r"username and password not accepted|\[authenticationfailed\]"
          r"|invalid credentials|incorrect authentication data|authentication unsuccessful"
          r"|user credentials were incorrect"),
    _Rule(S.BAD_CREDENTIALS, phrase=r"\blogin failed|authentication failed|authenticate failed", protocols=IMAP),
    _Rule(S.MESSAGE_REJECTED, phrase=r"message size limits?|message exceeded|message (?:is )?too (?:big|large)"
          r"|message size exceeds|message file too big", variant="size"),
    _Rule(S.MESSAGE_REJECTED, phrase=r"potential security issue|unsolicited mail|likely spam|virus"
          r"|blocked because its content|illegal attachment|violates .{0,80}policy"),
    _Rule(S.SENDER_REJECTED, phrase=r"sendasdenied|permissions? to send as", variant="send_as"),
    _Rule(S.SENDER_REJECTED, phrase=r"not allowed to send as|sender address rejected|sender (?:is )?not allowed"
          r"|not (?:authorized|permitted) to send (?:as|from)|sender verify failed"),
    _Rule(S.SENDER_REJECTED, code="550", enhanced=r"5\.7\.1", phrase=r"\bfrom\b|\bsender\b", protocols=SMTP),
    _Rule(S.RECIPIENT_REJECTED, phrase=r"recipient address rejected|no such user|user unknown"
          r"|account that you tried to reach does not exist"),
    # enhanced codes
    _Rule(S.APP_PASSWORD_REQUIRED, code="534", enhanced=r"5\.7\.9", protocols=SMTP),
    _Rule(S.BASIC_AUTH_DISABLED, code=r"5\d\d", enhanced=r"5\.7\.30", protocols=SMTP),
    _Rule(S.TENANT_BLOCKED, code=r"5\d\d", enhanced=r"5\.7\.708", protocols=SMTP, variant="ip"),
    _Rule(S.TENANT_BLOCKED, code=r"5\d\d", enhanced=r"5\.7\.705", protocols=SMTP),
    _Rule(S.WEB_LOGIN_REQUIRED, code="534", enhanced=r"5\.7\.14", protocols=SMTP),
    _Rule(S.AUTH_MECHANISM_UNSUPPORTED, code="504", enhanced=r"5\.[57]\.4", protocols=SMTP),
    _Rule(S.QUOTA_EXCEEDED, code="550", enhanced=r"5\.4\.5", protocols=SMTP),
    _Rule(S.MESSAGE_REJECTED, code="552", enhanced=r"5\.[23]\.\d+", protocols=SMTP, variant="size"),
    _Rule(S.SENDER_REJECTED, code="553", enhanced=r"5\.7\.1", protocols=SMTP),
    _Rule(S.SENDER_REJECTED, enhanced=r"5\.1\.[78]", protocols=SMTP),
    _Rule(S.RECIPIENT_REJECTED, enhanced=r"5\.1\.(?:1|2|3|6|10)", protocols=SMTP),
    _Rule(S.MESSAGE_REJECTED, enhanced=r"5\.6\.\d+", protocols=SMTP),
    # reply code and step alone
    _Rule(S.BAD_CREDENTIALS, code="535", protocols=SMTP),
    _Rule(S.AUTH_MECHANISM_UNSUPPORTED, code="504", step="auth", protocols=SMTP),
    _Rule(S.SENDER_REJECTED, code=r"5\d\d", step="mail", protocols=SMTP),
    _Rule(S.RECIPIENT_REJECTED, code=r"5\d\d", step="rcpt", protocols=SMTP),
    _Rule(S.MESSAGE_REJECTED, code=r"5\d\d", step="data", protocols=SMTP),
)

# Help-link keys: Google's "?p=BadCredentials" and "answer/78754" (also "answer.py?answer=14257"),
# Microsoft's "aka.ms/smtp_auth_disabled". Case and the surrounding URL do not matter.
_KEYS = re.compile(r"[?&](p=[a-z]+)|answer(?:/|\.py\?answer=)(\d+)|(aka\.ms/[a-z_]+)")

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
    """The Diagnosis of one server reply (SMTP: code + text; IMAP: `protocol="imap"`, code None).

    The most specific evidence decides (see `_Rule`). A 2xx reply is `ok`; an unrecognised 4xx reply is
    temporary (`rate_limited`, variant "temporary": retry later); an unrecognised 5xx stays `unknown`.
    """
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
    if protocol == "smtp" and code is not None and 200 <= code < 300:
        return Status.OK, ""
    text, steps = _fold(body), set(re.findall(r"[a-z]+", step.lower()))
    keys = {"".join(found) for found in _KEYS.findall(text)}
    keys = {key if key.startswith(("p=", "aka.ms")) else f"answer/{key}" for key in keys}
    for rule in _RULES:
        if rule.matches(protocol, code, enhanced, text, steps, keys):
            return rule.status, rule.variant
    if _transient(code, enhanced):
        return Status.RATE_LIMITED, "temporary"
    return Status.UNKNOWN, ""


def _transient(code: int | None, enhanced: str | None) -> bool:
    """A 4xx reply (or, with no reply code, a 4.x.x enhanced code): the server says "not now"."""
    if code is not None:
        return 400 <= code < 500
    return enhanced is not None and enhanced.startswith("4.")


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
    wrong_mode = bool(getattr(exc, "wrong_mode", False) or plain_text_in(text))
    variant = "wrong_mode" if wrong_mode else "certificate" if problem is not None else ""
    return Diagnosis(Status.TLS_ERROR, raw=redact(text), step=step or "tls", variant=variant,
                     detail=redact(problem or ""), port=port)


def _certificate_problem(exc: BaseException, text: str) -> str | None:
    """What is wrong with the certificate ("certificate has expired", ...), or None if not a certificate error."""
    for link in _chain(exc):
        if isinstance(link, ssl.SSLCertVerificationError):
            return str(link.verify_message or link.reason or "certificate verify failed")
    return certificate_problem_in(text)


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
    "spoken_provider",
    "texts_for",
]
