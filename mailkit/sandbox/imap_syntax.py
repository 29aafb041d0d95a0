"""IMAP argument syntax for the sandbox's IMAP server: words, quoted strings, sequence sets.

Pure functions, so the server's parsing is tested without sockets.
"""

from __future__ import annotations


def quote(text: str) -> str:
    """An IMAP quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tokenize(text: str) -> list[str]:
    """Split arguments into words: quoted strings unquoted; `(...)` and `[...]` kept whole.

    >>> tokenize('"a b" INBOX (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
    ['a b', 'INBOX', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])']
    """
    words: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == " ":
            i += 1
        elif text[i] == '"':
            word, i = _quoted(text, i + 1)
            words.append(word)
        else:
            word, i = _atom(text, i)
            words.append(word)
    return words


def _quoted(text: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    while i < len(text) and text[i] != '"':
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out), i + 1


def _atom(text: str, i: int) -> tuple[str, int]:
    """An atom, or a parenthesised list, up to the next space outside brackets and parentheses."""
    start, depth = i, 0
    while i < len(text) and not (text[i] == " " and depth == 0):
        if text[i] in "([":
            depth += 1
        elif text[i] in ")]":
            depth -= 1
        i += 1
    return text[start:i], i


def parse_sequence(text: str, count: int) -> list[int] | None:
    """A sequence set (`1`, `2:4`, `3:*`, `1,5`) -> the existing message numbers, ascending.

    >>> parse_sequence("1,3:*", 4)
    [1, 3, 4]
    """
    numbers: set[int] = set()
    for part in text.split(","):
        low_text, _, high_text = part.partition(":")
        low, high = _seq_number(low_text, count), _seq_number(high_text or low_text, count)
        if low is None or high is None:
            return None
        low, high = min(low, high), max(low, high)
        numbers.update(n for n in range(low, high + 1) if 1 <= n <= count)
    return sorted(numbers)


def _seq_number(text: str, count: int) -> int | None:
    if text == "*":
        return max(count, 1)
    return int(text) if text.isdigit() and int(text) > 0 else None


__all__ = ["parse_sequence", "quote", "tokenize"]
