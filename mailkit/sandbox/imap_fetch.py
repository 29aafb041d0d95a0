"""IMAP FETCH data items and SEARCH criteria over the sandbox's received messages.

The subset a mail checker needs: flags, size, dates, the whole message, its header (or some
header fields) and its text; SEARCH by sender, recipient, subject, header, text, date and \\Seen.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from mailkit.sandbox.imap_syntax import parse_sequence, tokenize
from mailkit.sandbox.mailstore import ReceivedMessage

_SECTION = re.compile(r"^(BODY(?:\.PEEK)?)\[([^\]]*)\]$")
_MACROS = {"FAST": ["FLAGS", "INTERNALDATE", "RFC822.SIZE"]}


def fetch_items(spec: str, message: ReceivedMessage, number: int, seen: set[int], by_uid: bool,
                readonly: bool) -> bytes | None:
    """The inside of `* n FETCH (...)` for one message; None for an item the sandbox does not serve."""
    names = tokenize(spec[1:-1] if spec.startswith("(") and spec.endswith(")") else spec)
    names = [n for name in names for n in _MACROS.get(name.upper(), [name])]
    if by_uid and "UID" not in (n.upper() for n in names):
        names.insert(0, "UID")
    parts: list[bytes] = []
    for name in names:
        item = _item(name, message, number, seen, readonly)
        if item is None:
            return None
        parts.append(item)
    return b" ".join(parts)


def _item(name: str, message: ReceivedMessage, number: int, seen: set[int], readonly: bool) -> bytes | None:
    upper = name.upper()
    raw = message.raw
    header, _, text = raw.partition(b"\r\n\r\n")
    simple = {
        "UID": f"UID {number}",
        "FLAGS": "FLAGS (\\Seen)" if number in seen else "FLAGS ()",
        "RFC822.SIZE": f"RFC822.SIZE {len(raw)}",
        "INTERNALDATE": f'INTERNALDATE "{message.received.strftime("%d-%b-%Y %H:%M:%S %z")}"',
    }
    if upper in simple:
        return simple[upper].encode()
    whole = {"RFC822": ("RFC822", raw), "RFC822.HEADER": ("RFC822.HEADER", header + b"\r\n\r\n"),
             "RFC822.TEXT": ("RFC822.TEXT", text)}
    if upper in whole:
        label, data = whole[upper]
    else:
        match = _SECTION.match(upper)
        if match is None:
            return None
        data = _section(match.group(2), header, text, raw)
        if data is None:
            return None
        label = f"BODY[{name[name.index('[') + 1:-1]}]"
    if upper in ("RFC822", "RFC822.TEXT") or (upper.startswith("BODY[") and not readonly):
        seen.add(number)
    return f"{label} {{{len(data)}}}\r\n".encode() + data


def _section(section: str, header: bytes, text: bytes, raw: bytes) -> bytes | None:
    if section == "":
        return raw
    if section == "HEADER":
        return header + b"\r\n\r\n"
    if section == "TEXT":
        return text
    fields = re.fullmatch(r"HEADER\.FIELDS(\.NOT)?\s*\(([^)]*)\)", section)
    if fields is None:
        return None
    wanted = {f.upper() for f in fields.group(2).split()}
    lines = _unfolded_header(header)
    keep = [line for line in lines if (line.split(":", 1)[0].strip().upper() in wanted) != bool(fields.group(1))]
    return "".join(f"{line}\r\n" for line in keep).encode() + b"\r\n"


def _unfolded_header(header: bytes) -> list[str]:
    lines: list[str] = []
    for line in header.decode("utf-8", "replace").split("\r\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += "\r\n" + line
        elif line:
            lines.append(line)
    return lines


def search(words: list[str], messages: list[ReceivedMessage], seen: set[int]) -> list[int] | None:
    """Message numbers matching every criterion; None when a criterion is not understood."""
    if words[:1] and words[0].upper() == "CHARSET":
        words = words[2:]
    tests = []
    i = 0
    while i < len(words):
        key = words[i].upper()
        arity = _ARITY.get(key)
        if arity is None:
            sequence = parse_sequence(words[i], len(messages))
            if sequence is None:
                return None
            tests.append(lambda n, m, s=frozenset(sequence): n in s)
            i += 1
            continue
        args = words[i + 1: i + 1 + arity]
        if len(args) < arity:
            return None
        test = _criterion(key, args, seen, len(messages))
        if test is None:
            return None
        tests.append(test)
        i += 1 + arity
    return [n for n, m in enumerate(messages, start=1) if all(t(n, m) for t in tests)]


_ARITY = {"ALL": 0, "SEEN": 0, "UNSEEN": 0, "NEW": 0, "RECENT": 0, "FROM": 1, "TO": 1, "CC": 1, "SUBJECT": 1,
          "BODY": 1, "TEXT": 1, "HEADER": 2, "SINCE": 1, "BEFORE": 1, "ON": 1, "UID": 1}


def _criterion(key: str, args: list[str], seen: set[int], count: int):  # noqa: ANN202 - a predicate
    if key == "ALL":
        return lambda n, m: True
    if key == "SEEN":
        return lambda n, m: n in seen
    if key in ("UNSEEN", "NEW", "RECENT"):
        return lambda n, m: n not in seen
    if key in ("FROM", "TO", "CC", "SUBJECT"):
        return _header_contains(key, args[0])
    if key == "HEADER":
        return _header_contains(args[0], args[1])
    if key in ("BODY", "TEXT"):
        needle = args[0].lower().encode()
        return lambda n, m: needle in (m.raw if key == "TEXT" else m.raw.partition(b"\r\n\r\n")[2]).lower()
    if key == "UID":
        numbers = parse_sequence(args[0], count)
        return None if numbers is None else (lambda n, m, s=frozenset(numbers): n in s)
    day = _imap_date(args[0])
    if day is None:
        return None
    compare = {"SINCE": lambda d: d >= day, "BEFORE": lambda d: d < day, "ON": lambda d: d == day}[key]
    return lambda n, m: compare(m.received.date())


def _header_contains(field: str, needle: str):  # noqa: ANN202 - a predicate
    needle = needle.lower()
    return lambda n, m: any(needle in str(value).lower() for value in m.message.get_all(field, []) or []) or (
        needle == "" and m.message.get(field) is not None)


def _imap_date(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%d-%b-%Y").date()
    except ValueError:
        try:
            return parsedate_to_datetime(text).date()
        except (TypeError, ValueError):
            return None


__all__ = ["fetch_items", "search"]
