"""The kinds of TLS failure mailkit tells apart, read from OpenSSL's verify codes or its words.

The one mapping: the checks use it when a handshake fails, the diagnosis catalogue (`mailkit.diagnose`) when an
error arrives as text only (a stored reply, a wrapped exception), and reports when they count the kinds.
"""

from __future__ import annotations

import re
import ssl

#: The kinds of TLS failure mailkit tells apart (stored with each result, shown by `mailkit report`).
WRONG_MODE, UNTRUSTED_ISSUER, HOSTNAME_MISMATCH, EXPIRED, OTHER = (
    "wrong_mode", "untrusted_issuer", "hostname_mismatch", "expired", "other")
TLS_KINDS = (WRONG_MODE, UNTRUSTED_ISSUER, HOSTNAME_MISMATCH, EXPIRED, OTHER)

# OpenSSL's X509_V_ERR_* codes (stable since OpenSSL 1.0) -> kind.
_VERIFY_CODES = {9: EXPIRED, 10: EXPIRED, 2: UNTRUSTED_ISSUER, 18: UNTRUSTED_ISSUER, 19: UNTRUSTED_ISSUER,
                 20: UNTRUSTED_ISSUER, 21: UNTRUSTED_ISSUER, 62: HOSTNAME_MISMATCH, 63: HOSTNAME_MISMATCH,
                 64: HOSTNAME_MISMATCH}
# The same facts in OpenSSL's words, for errors that arrive as text only.
_KIND_WORDS = (
    (EXPIRED, re.compile(r"certificate (?:has )?expired|not yet valid|\bexpired\b", re.I)),
    (HOSTNAME_MISMATCH, re.compile(r"hostname mismatch|ip address mismatch|doesn't match|does not match"
                                   r"|not valid for|hostname_mismatch", re.I)),
    (UNTRUSTED_ISSUER, re.compile(r"unable to get (?:local )?issuer|self[- ]signed|unable to verify the first"
                                  r"|untrusted|untrusted_issuer", re.I)),
)
# A handshake that got plain text back (an SMTP/IMAP greeting, an HTTP answer) instead of a TLS record.
_PLAIN_TEXT = re.compile(r"wrong.version.number|unknown.protocol|record.layer(?:.failure)?|packet.length.too.long"
                         r"|http.request|unexpected.record", re.I)
_CERT_PROBLEM = re.compile(r"certificate verify failed:?\s*([^(\]\n]*)", re.I)


def verify_kind(exc: ssl.SSLCertVerificationError) -> str:
    """The kind of a certificate verification failure, by OpenSSL's code, else by its words."""
    return _VERIFY_CODES.get(exc.verify_code) or tls_kind_of_text(str(exc.verify_message or exc)) or OTHER


def tls_kind_of_text(text: str) -> str:
    """The kind named or described in an error text (a certificate problem), or "" when none is."""
    return next((kind for kind, words in _KIND_WORDS if words.search(text or "")), "")


def plain_text_in(text: str) -> bool:
    """True when an error text says a TLS handshake got plain text back (the port expects STARTTLS)."""
    return bool(_PLAIN_TEXT.search(text or ""))


def plain_text_answer(exc: ssl.SSLError) -> bool:
    """True when a TLS handshake failed because the server answered without TLS."""
    return plain_text_in(f"{exc.reason or ''} {exc}")


def certificate_problem_in(text: str) -> str | None:
    """What OpenSSL says is wrong with a certificate ("certificate has expired", ...) in an error text, or None
    when the text is not about a certificate verification."""
    found = _CERT_PROBLEM.search(text or "")
    return (found.group(1).strip() or "certificate verify failed") if found else None


__all__ = ["EXPIRED", "HOSTNAME_MISMATCH", "OTHER", "TLS_KINDS", "UNTRUSTED_ISSUER", "WRONG_MODE",
           "certificate_problem_in", "plain_text_answer", "plain_text_in", "tls_kind_of_text", "verify_kind"]
