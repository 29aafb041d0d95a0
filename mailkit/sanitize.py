"""Text from files and servers made safe to show: control characters become visible escapes.

A company name from a spreadsheet or a server's reply can carry terminal escape sequences
(`ESC]0;title BEL` renames the window, `ESC[2J` clears the screen, `ESC]52;c;...` writes the
clipboard) or bidirectional overrides that reorder what the admin reads. Shown raw they act;
shown as `\\x1b]0;title\\x07` they are just text. Every place that prints or exports such text
passes it through `for_terminal` (or `for_export`), after redaction.

    >>> for_terminal("Acme\\x1b[2J SA")
    'Acme\\\\x1b[2J SA'
    >>> one_line("two\\nlines")
    'two\\\\nlines'
"""

from __future__ import annotations

import re

#: C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), bidi embeddings,
#: overrides and isolates, and the line/paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: What `json.dumps(ensure_ascii=False)` leaves raw (it escapes C0 itself; its own line breaks are layout).
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _sanitize(text: object, keep: str) -> str:
    return _CONTROL.sub(lambda m: m.group(0) if m.group(0) in keep else _escape(m.group(0)), str(text))


def for_terminal(text: object) -> str:
    """A message for the terminal: line breaks and tabs stay, every other control character is escaped."""
    return _sanitize(text, "\n\t")


def one_line(text: object) -> str:
    """One value (a name, a reply) on one line: line breaks are escaped too, so it cannot fake another line."""
    return _sanitize(text, "")


def for_export(text: object) -> str:
    """A cell of a CSV, Excel or HTML export: line breaks and tabs stay (cells may hold them), others escaped."""
    return _sanitize(text, "\n\t")


def json_safe(text: str) -> str:
    """JSON text with the controls `json.dumps(ensure_ascii=False)` leaves raw (C1, bidi) as \\uXXXX escapes.

    Those characters can only occur inside JSON strings, where a \\uXXXX escape means the same character.
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def has_controls(text: str) -> bool:
    """Whether `text` holds a character the functions above would escape (line breaks and tabs included)."""
    return _CONTROL.search(text) is not None


__all__ = ["for_export", "for_terminal", "has_controls", "json_safe", "one_line"]
