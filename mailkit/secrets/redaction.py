"""Redaction: mask every known secret, its base64 forms and token-looking strings in any text.

Everything that logs, prints, stores a transcript or builds a report passes its text through
`redact()`. Secrets become known when they are read from or written to the secret store, or
registered explicitly with `remember()`.

The rule for known secrets has two sides, because a secret can be anything an admin typed:

* A **strong** secret is masked wherever it appears, as stored and in any case and any spacing: its
  compact form (letters and digits only, lower-cased, when that still has 8 or more) is searched in the
  text's compact form. Google shows an app
  password as `abcd efgh ijkl mnop`; a server may echo it as `ABCD-EFGH-IJKL-MNOP` or
  `abcdefghijklmnop`; all are the same 16 letters. Strong means: at least 12 letters and digits, or
  at least 8 mixing three kinds of character (lower, upper, digit, symbol). Such a string does not
  occur in prose by chance, so this never garbles ordinary text.
* A **weak** secret (`secret`, `mailkit`, `password1`, `gmail`: short, or one or two kinds of
  character) may equally be an ordinary word, a command or a product name. Masking it everywhere
  would turn the remedy "mailkit secret set x@y" into nonsense. It is masked only where it is a
  credential: as a whole token (exactly as stored) among the few tokens right after a credential
  marker (the protocol verbs `AUTH`, `AUTHENTICATE`, `LOGIN`, `PASS` in capitals as clients send them,
  or `password=`/`pass:`-style keys), and anywhere inside base64 (a SASL blob, `AUTH LOGIN`'s
  answer), which prose never holds.

Every base64 encoding of a known secret, and the SASL blobs built with it, are masked wherever
they appear (base64 of a word is not a word). Token shapes (Google access and refresh tokens,
authorization codes, client secrets, `password=...`) are masked whether known or not.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import re
import threading
from collections.abc import Iterable

MASK = "[redacted]"
_MIN_LENGTH = 4
_STRONG_LENGTH = 12
_MIXED_LENGTH = 8

# Strings that look like credentials whether or not mailkit has seen them.
_PATTERNS = [
    re.compile(r"ya29\.[0-9A-Za-z_\-\.]+"),  # Google access tokens
    # Google refresh tokens and authorization codes; never inside a word or a path (`.../pytest-154/test_x/...`)
    re.compile(r"(?<![\w.\-/])1//[0-9A-Za-z_\-]{10,}"),
    re.compile(r"(?<![\w.\-/])4/[0-9A-Za-z_\-]{20,}"),
    re.compile(r"GOCSPX-[0-9A-Za-z_\-]+"),  # Google OAuth client secrets
    re.compile(r"(?i)(bearer\s+)[0-9A-Za-z_\-\.~+/]{12,}=*"),
    re.compile(r"(?i)((?:access|refresh|id)_token[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"),
    # `"password": "x"` (JSON) and `password=x` (forms, logs); not prose such as "app password: create one"
    re.compile(r"(?i)([\"'](?:client_secret|password|code_verifier|assertion)[\"']\s*:\s*[\"']?)[^\"',}\s]+"),
    re.compile(r"(?i)(\b(?:client_secret|password|passwd|code_verifier|assertion)=)[^\s\"'&,}]+"),
    re.compile(r"(?i)([?&](?:code|token)=)[^&\s\"']+"),
    re.compile(r"dXNlcj[0-9A-Za-z+/=]{8,}"),  # base64 of "user=...auth=Bearer ..." (XOAUTH2)
]


#: Each token shape above holds one of these words (lower-cased): ASCII text whose lower-cased form holds none
#: of them has no token shape, and `redact` skips the substitutions. (Not for other text: `(?i)` also folds
#: the Kelvin sign to k and the long s to s, which lower-casing does not.)
_SHAPE_WORDS = re.compile(r"ya29\.|1//|4/|gocspx-|bearer|_token|client_secret|password|passwd|code_verifier|"
                          r"assertion|code=|token=|dxnlcj")
_NOT_ALNUM_BYTES = bytes(c for c in range(128) if not chr(c).isalnum())
_LOWER_BYTES = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")

_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
# Where a weak secret is a credential: protocol verbs as clients send them, and key=value / key: value forms.
_CREDENTIAL_LINE = re.compile(r"\b(?:AUTH|AUTHENTICATE|LOGIN|PASS)\b|(?i:\b(?:pass|passwd|password|pwd)\s*[=:])")
_AFTER_MARKER = 4  # the marker itself, a mechanism or user name, and the secret
_TOKEN = re.compile(r"[^\s\"'<>()\[\],;\x00\x01]+")

_lock = threading.Lock()
_known: set[str] = set()
# Secrets matched anywhere: exact forms (base64 variants) and compact forms (strong secrets), each by its
# first _MIN_LENGTH characters, longest first: finding them costs one dict lookup per position of the text,
# however many secrets are known (a bulk audit knows thousands).
_exact_by_prefix: dict[str, list[str]] = {}
_compact_by_prefix: dict[str, list[str]] = {}
_weak: set[str] = set()
#: Every form indexed, in the order learned: ("exact" | "compact" | "weak", form).
_learned: list[tuple[str, str]] = []
#: Texts found to need no masking, each with how many of `_learned` it was checked against. A text seen again (a
#: transcript's "250-8BITMIME", thousands of times in an audit) is checked only against the forms learned since,
#: a few `in` tests. It holds only texts that needed no masking: nothing the transcripts do not hold already.
_clean: dict[str, int] = {}
_clean_for: tuple[object, object, object] = (None, None, None)  # the registry's containers _clean was made with
_CLEAN_TEXT_MAX = 512
_CLEAN_ENTRIES_MAX = 8192


def compact(text: str) -> str:
    """Letters and digits only, lower-cased: the form in which spacing and case no longer matter."""
    return "".join(c for c in text.lower() if c.isalnum())


def is_strong(secret: str) -> bool:
    """Long or varied enough that it cannot be an ordinary word (see the module docstring)."""
    letters = compact(secret)
    if len(letters) >= _STRONG_LENGTH:
        return True
    kinds = sum(any(test(c) for c in secret) for test in (str.islower, str.isupper, str.isdigit,
                                                          lambda c: not c.isalnum()))
    return len(secret) >= _MIXED_LENGTH and kinds >= 3


def remember(secret: str | None) -> None:
    """Make `redact` mask this value, in every spacing and case when it is strong, from now on."""
    if not secret or len(secret) < _MIN_LENGTH:
        return
    with _lock:
        if secret in _known:
            return
        _known.add(secret)
        encoded = {base64.b64encode(v.encode("utf-8")).decode("ascii").rstrip("=")
                   for v in {secret, secret.replace(" ", "")}}
        _add(_exact_by_prefix, [e for e in encoded if len(e) >= _MIN_LENGTH])
        if is_strong(secret):
            _add(_exact_by_prefix, [secret])
            if len(compact(secret)) >= _MIXED_LENGTH:  # a compact form too short to be safe: exact only
                _add(_compact_by_prefix, [compact(secret)])
        else:
            forms = {secret, secret.strip("\"'")} - _weak
            _weak.update(forms)
            _learned.extend(("weak", form) for form in forms)


def _add(index: dict[str, list[str]], values: Iterable[str]) -> None:
    """Index new forms (call with the lock held): the index's probe first, then the index, then `_learned`.

    Whether a form is new is asked of the probe's set, not of its bucket: every PLAIN blob of a thousand
    accounts shares its first characters (the base64 of NUL and a common user prefix), one bucket of them.
    """
    encoded = index is _compact_by_prefix
    for value in values:
        probe = _probe_locked(index, encoded=encoded)
        if value in probe.forms:
            continue
        if len(value) - _MIN_LENGTH + 1 < probe.stride:  # too short for its stride: a probe with a smaller one
            _probes[id(index)] = _Probe(index, [*probe.forms, value], encoded=encoded)
        else:
            probe.add(value)
        key = value[:_MIN_LENGTH]  # a new list, never changed in place: readers take no lock
        bucket = list(index.get(key, []))
        bucket.insert(bisect.bisect_right(bucket, -len(value), key=lambda form: -len(form)), value)  # longest first
        index[key] = bucket
        _learned.append(("compact" if encoded else "exact", value))  # once indexed: see _clean


class _Probe:
    """A quick test of whether any form of one index may occur in a text, without a step per character.

    A form of length L occurring in a text covers the windows (substrings of _MIN_LENGTH characters) that
    start at L - _MIN_LENGTH + 1 consecutive positions, so one of them starts at a multiple of `stride`
    when stride <= L - _MIN_LENGTH + 1. `windows` holds the windows at offsets 0..stride-1 of every form:
    a text none of whose windows at positions 0, stride, 2*stride... is among them holds no form.
    """

    def __init__(self, index: dict[str, list[str]], forms: list[str], *, encoded: bool = False):
        self.index = index  # held, so its id() names no other dict while this probe exists
        self.encoded = encoded  # windows as ASCII bytes, for texts given as bytes (the others cannot occur there)
        self.stride = max(1, min([_MAX_STRIDE, *(len(form) - _MIN_LENGTH + 1 for form in forms)]))
        self.forms: set[str] = set()
        self.windows: set[str | bytes] = set()
        for form in forms:
            self.add(form)

    def add(self, form: str) -> None:
        self.forms.add(form)
        windows = [form[k:k + _MIN_LENGTH] for k in range(self.stride)]
        if self.encoded:
            self.windows.update(w.encode("ascii") for w in windows if w.isascii())
        else:
            self.windows.update(windows)

    def may_occur(self, text: str | bytes) -> bool:
        count = (len(text) - _MIN_LENGTH) // self.stride + 1
        if count <= 0:
            return False
        slices = _SLICES[self.stride]
        if count <= len(slices):
            return not self.windows.isdisjoint(map(text.__getitem__, slices[:count]))
        return not self.windows.isdisjoint(text[i:i + _MIN_LENGTH] for i in range(0, len(text), self.stride))


_MAX_STRIDE = 5
#: Window slices for each stride, enough for texts of a few KB; cut in C by `map(text.__getitem__, ...)`.
_SLICES = {stride: [slice(i, i + _MIN_LENGTH) for i in range(0, 8192, stride)] for stride in range(1, _MAX_STRIDE + 1)}
_probes: dict[int, _Probe] = {}


def _probe(index: dict[str, list[str]], *, encoded: bool = False) -> _Probe:
    """The probe of an index, built on first use (or when the index is another dict than it was)."""
    probe = _probes.get(id(index))
    if probe is None or probe.index is not index:
        with _lock:
            probe = _probe_locked(index, encoded=encoded)
    return probe


def _probe_locked(index: dict[str, list[str]], *, encoded: bool) -> _Probe:
    """`_probe` with the lock already held."""
    probe = _probes.get(id(index))
    if probe is None or probe.index is not index:
        probe = _Probe(index, [form for bucket in list(index.values()) for form in bucket], encoded=encoded)
        _probes[id(index)] = probe
    return probe


def remember_login(user: str, secret: str) -> None:
    """Also mask the base64 SASL blobs (PLAIN, XOAUTH2) that carry this secret for this user."""
    remember(secret)
    blobs = [base64.b64encode(b.encode("utf-8")).decode("ascii")
             for b in (f"\0{user}\0{secret}", f"user={user}\x01auth=Bearer {secret}\x01\x01")]
    with _lock:
        _add(_exact_by_prefix, blobs)


def redact(text: object) -> str:
    """The text with every known secret and token-looking string replaced by [redacted]."""
    text = str(text)
    if _known_clean(text):
        return text
    checked = len(_learned)  # before the scan: what is learned meanwhile is checked the next time
    result = _mask(text, _known_spans(text))
    result = _BASE64_RUN.sub(lambda m: MASK if _hides_secret(m.group(0)) else m.group(0), result)
    if _may_hold_shape(result):
        for pattern in _PATTERNS:
            result = pattern.sub(lambda m: (m.group(1) if m.re.groups else "") + MASK, result)
    if result == text:
        _keep_clean(text, checked)
    return result


def _clean_is_current() -> bool:
    """Whether _clean was made with the registry's containers as they are (tests may swap them)."""
    exact, compact_forms, weak = _clean_for
    return exact is _exact_by_prefix and compact_forms is _compact_by_prefix and weak is _weak


def _known_clean(text: str) -> bool:
    """True when `text` was found to need no masking before and none of the forms learned since is in it."""
    checked = _clean.get(text)
    if checked is None or not _clean_is_current():
        return False
    learned = len(_learned)
    if checked == learned:
        return True
    folded = None
    for kind, form in _learned[checked:learned]:
        if kind == "exact":
            found = form in text
        elif kind == "compact":
            folded = folded if folded is not None else _fold(text).decode("ascii")
            found = form in folded
        else:  # a weak secret is masked only after a credential marker (no decodable base64 here: _keep_clean)
            found = _CREDENTIAL_LINE.search(text) is not None
        if found:
            _clean.pop(text, None)
            return False
    _clean[text] = learned
    return True


def _keep_clean(text: str, checked: int) -> None:
    """Remember that `text` needs no masking as of `checked` learned forms: only short ASCII texts without a
    base64 run that decodes to text (what such a run hides depends on the whole registry, not on new forms)."""
    global _clean_for
    if len(text) > _CLEAN_TEXT_MAX or not text.isascii() or any(
            _decoded(m.group(0)) is not None for m in _BASE64_RUN.finditer(text)):
        return
    if not _clean_is_current() or len(_clean) >= _CLEAN_ENTRIES_MAX:
        _clean.clear()
        _clean_for = (_exact_by_prefix, _compact_by_prefix, _weak)
    _clean[text] = checked


def redact_lines(lines: Iterable[object]) -> list[str]:
    """`redact` of each line, in one pass when none of them holds anything to mask (a server's multi-line
    reply, a transcript): the same result as redacting them one by one, at a fraction of the cost."""
    texts = [str(line) for line in lines]
    checked = len(_learned)
    unknown = [text for text in texts if not _known_clean(text)]
    if not unknown:
        return texts
    if _untouched("\n".join(unknown)):
        for text in unknown:
            _keep_clean(text, checked)
        return texts
    return [redact(text) for text in texts]


def _untouched(text: str) -> bool:
    """True only when `redact` leaves `text`, and every line of it, as it is: no known secret could be there,
    no weak one in a credential position, no base64 run hiding one, no token shape. (Whatever a single line
    holds, the lines joined hold too: this never says untouched for a text with something to mask.)"""
    if not text.isascii() or _may_hold_known(text):
        return False
    if _weak and _CREDENTIAL_LINE.search(text):
        return False
    if any(_hides_secret(m.group(0)) for m in _BASE64_RUN.finditer(text)):
        return False
    return not _may_hold_shape(text)


def _may_hold_shape(text: str) -> bool:
    """False only when no token shape of _PATTERNS can match `text` (one search instead of ten)."""
    return not text.isascii() or _SHAPE_WORDS.search(text.lower()) is not None


def _known_spans(text: str, *, credential: bool = False) -> list[tuple[int, int]]:
    """Where known secrets occur in `text` (weak ones only in credential positions), merged."""
    spans: list[tuple[int, int]] = []
    if not text.isascii() or _may_hold_known(text):  # most text holds none: the exact scans only when it may
        spans = _scan(text, _exact_by_prefix, text, range(len(text)))
        if _compact_by_prefix:
            folded, where = _compact_with_positions(text)
            spans += [(where[a], where[b - 1] + 1) for a, b in _scan(folded, _compact_by_prefix, folded,
                                                                      range(len(folded)))]
    if _weak:
        spans += _weak_spans(text, credential=credential)
    return _merge(spans)


def _may_hold_known(text: str) -> bool:
    """False only when no known secret (exact or compact form) can occur in ASCII `text` (see `_Probe`)."""
    if _exact_by_prefix and _probe(_exact_by_prefix).may_occur(text):
        return True
    # ASCII: letters and digits are [A-Za-z0-9], and lowering goes character by character
    return bool(_compact_by_prefix) and _probe(_compact_by_prefix, encoded=True).may_occur(_fold(text))


def _fold(text: str) -> bytes:
    """The compact form of ASCII text, as bytes: letters and digits only, lower-cased (bytes.translate: in C)."""
    return text.encode("ascii").translate(_LOWER_BYTES, _NOT_ALNUM_BYTES)


def _scan(text: str, index: dict[str, list[str]], haystack: str, positions: range) -> list[tuple[int, int]]:
    found = []
    for i in positions:
        bucket = index.get(haystack[i:i + _MIN_LENGTH])
        hit = next((s for s in bucket if haystack.startswith(s, i)), None) if bucket else None
        if hit is not None:
            found.append((i, i + len(hit)))
    return found


def _compact_with_positions(text: str) -> tuple[str, list[int]]:
    """The compact form of `text` and, for each of its characters, the index it came from."""
    chars, where = [], []
    for i, char in enumerate(text):
        if char.isalnum():
            for lowered in char.lower():
                chars.append(lowered)
                where.append(i)
    return "".join(chars), where


def _weak_spans(text: str, *, credential: bool) -> list[tuple[int, int]]:
    """Whole tokens equal to a weak secret: among the few tokens right after a credential marker (`AUTH PLAIN x`,
    `LOGIN "user" "x"`, `password=x`), or anywhere in `credential` text such as decoded base64. A token's
    `key=`/`key:` prefix and surrounding quotes are not part of it."""
    if credential:
        tokens = list(_TOKEN.finditer(text))
    else:
        tokens = [t for marker in _CREDENTIAL_LINE.finditer(text)
                  for t in itertools.islice(_TOKEN.finditer(text, marker.start()), _reach(text, marker))]
    return [(t.start() + a, t.start() + b) for t in tokens for a, b in _candidates(t.group())]


def _reach(text: str, marker: re.Match[str]) -> int:
    """How many tokens from a marker may hold the secret: `key=value` one, `key: value` two, a verb a few."""
    if not marker.group().endswith(("=", ":")):
        return _AFTER_MARKER
    return 1 if marker.end() < len(text) and not text[marker.end()].isspace() else 2


def _candidates(token: str) -> list[tuple[int, int]]:
    found = []
    starts = {0} | {i + 1 for i, c in enumerate(token) if c in "=:"}
    for start in sorted(starts):
        part = token[start:]
        for candidate in (part, part.rstrip(".!?")):
            if candidate in _weak:
                found.append((start, start + len(candidate)))
                break
    return found


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    parts, start = [], 0
    for begin, end in spans:
        parts += [text[start:begin], MASK]
        start = end
    return "".join(parts) + text[start:]


def _hides_secret(blob: str) -> bool:
    """True when a base64 run decodes to text holding a known secret (weak ones too) or a token shape."""
    decoded = _decoded(blob)
    if decoded is None:
        return False
    return bool(_known_spans(decoded, credential=True)) or any(p.search(decoded) for p in _PATTERNS)


def _decoded(blob: str) -> str | None:
    """The text a base64 run encodes, or None when it is not base64 of UTF-8 text."""
    try:
        return base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def forget_all() -> None:
    """Clear the registry (tests)."""
    with _lock:
        _known.clear()
        _exact_by_prefix.clear()
        _compact_by_prefix.clear()
        _probes.clear()
        _learned.clear()
        _clean.clear()
        _weak.clear()


__all__ = ["MASK", "compact", "forget_all", "is_strong", "redact", "redact_lines", "remember",
           "remember_login"]
