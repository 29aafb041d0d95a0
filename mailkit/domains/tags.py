"""The `tag=value; tag=value` lists DKIM keys (RFC 6376 3.2) and DMARC records (RFC 7489 6.4) are made of."""

from __future__ import annotations

import re

_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class TagSyntaxError(ValueError):
    """A tag list receivers would refuse: a piece without `=`, a bad tag name, a tag given twice."""


def parse_tags(text: str) -> dict[str, str]:
    """Tags in order of appearance, names lower-cased, values with surrounding whitespace removed.

    >>> parse_tags("v=DMARC1; p=none; rua=mailto:d@example.com;")
    {'v': 'DMARC1', 'p': 'none', 'rua': 'mailto:d@example.com'}
    """
    tags: dict[str, str] = {}
    for piece in text.split(";"):
        if not piece.strip():
            continue  # a trailing ';' (or an empty piece) is allowed
        name, sep, value = piece.partition("=")
        name = name.strip()
        if not sep or not _TAG.match(name):
            raise TagSyntaxError(f"{piece.strip()!r} is not tag=value")
        if name.lower() in tags:
            raise TagSyntaxError(f"{name} appears twice")
        tags[name.lower()] = value.strip()
    return tags


__all__ = ["TagSyntaxError", "parse_tags"]
