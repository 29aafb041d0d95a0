"""Redaction: mask every known secret, its base64 forms and token-looking strings in any text.

Everything that logs, prints, stores a transcript or builds a report passes its text through
`redact()`. Secrets become known when they are read from or written to the secret store, or
registered explicitly with `remember()`.
"""

from __future__ import annotations

import base64
import re
import threading

MASK = "[redacted]"
_MIN_LENGTH = 4

# Strings that look like credentials whether or not mailkit has seen them.
_PATTERNS = [
    re.compile(r"ya29\.[0-9A-Za-z_\-\.]+"),  # Google access tokens
    re.compile(r"1//[0-9A-Za-z_\-]{10,}"),  # Google refresh tokens
    re.compile(r"4/[0-9A-Za-z_\-]{20,}"),  # Google authorization codes
    re.compile(r"GOCSPX-[0-9A-Za-z_\-]+"),  # Google OAuth client secrets
    re.compile(r"(?i)(bearer\s+)[0-9A-Za-z_\-\.~+/]{12,}=*"),
    re.compile(r"(?i)((?:access|refresh|id)_token[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"),
    # `"password": "x"` (JSON) and `password=x` (forms, logs); not prose such as "app password: create one"
    re.compile(r"(?i)([\"'](?:client_secret|password|code_verifier|assertion)[\"']\s*:\s*[\"']?)[^\"',}\s]+"),
    re.compile(r"(?i)(\b(?:client_secret|password|passwd|code_verifier|assertion)=)[^\s\"'&,}]+"),
    re.compile(r"(?i)([?&](?:code|token)=)[^&\s\"']+"),
    re.compile(r"dXNlcj[0-9A-Za-z+/=]{8,}"),  # base64 of "user=...auth=Bearer ..." (XOAUTH2)
]

_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")

_lock = threading.Lock()
_known: set[str] = set()
# Known secrets by their first _MIN_LENGTH characters, longest first: finding them in a text costs
# one dict lookup per position, however many secrets are known (a bulk audit knows thousands).
_by_prefix: dict[str, list[str]] = {}


def remember(secret: str | None) -> None:
    """Make `redact` mask this value and its base64 encodings from now on."""
    if not secret or len(secret) < _MIN_LENGTH:
        return
    variants = {secret, secret.replace(" ", "")}
    for value in list(variants):
        raw = value.encode("utf-8")
        variants.add(base64.b64encode(raw).decode("ascii").rstrip("="))
    with _lock:
        for value in variants:
            if len(value) >= _MIN_LENGTH and value not in _known:
                _known.add(value)
                key = value[:_MIN_LENGTH]  # a new list, never sorted in place: readers take no lock
                _by_prefix[key] = sorted([*_by_prefix.get(key, []), value], key=len, reverse=True)


def remember_login(user: str, secret: str) -> None:
    """Also mask the base64 SASL blobs (PLAIN, XOAUTH2) that carry this secret for this user."""
    remember(secret)
    for blob in (f"\0{user}\0{secret}", f"user={user}\x01auth=Bearer {secret}\x01\x01"):
        remember(base64.b64encode(blob.encode("utf-8")).decode("ascii"))


def redact(text: object) -> str:
    """The text with every known secret and token-looking string replaced by [redacted]."""
    result = _mask_known(str(text))
    result = _BASE64_RUN.sub(lambda m: MASK if _hides_secret(m.group(0)) else m.group(0), result)
    for pattern in _PATTERNS:
        result = pattern.sub(lambda m: (m.group(1) if m.re.groups else "") + MASK, result)
    return result


def _known_spans(text: str) -> list[tuple[int, int]]:
    """Where known secrets occur in `text`, overlapping occurrences merged."""
    spans: list[tuple[int, int]] = []
    for i in range(len(text) - _MIN_LENGTH + 1):
        bucket = _by_prefix.get(text[i:i + _MIN_LENGTH])
        hit = next((s for s in bucket if text.startswith(s, i)), None) if bucket else None
        if hit is None:
            continue
        end = i + len(hit)
        if spans and i < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((i, end))
    return spans


def _mask_known(text: str) -> str:
    parts, start = [], 0
    for begin, end in _known_spans(text):
        parts += [text[start:begin], MASK]
        start = end
    return "".join(parts) + text[start:]


def _hides_secret(blob: str) -> bool:
    """True when a base64 run decodes to text holding a known secret or a token shape."""
    try:
        decoded = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    return bool(_known_spans(decoded)) or any(p.search(decoded) for p in _PATTERNS)


def forget_all() -> None:
    """Clear the registry (tests)."""
    with _lock:
        _known.clear()
        _by_prefix.clear()


__all__ = ["MASK", "forget_all", "redact", "remember", "remember_login"]
