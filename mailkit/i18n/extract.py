"""A Babel extractor for mailkit's sources that reads calls from the syntax tree.

Babel's own Python extractor works on tokens: it takes `text[i]` and `def text(...)` for calls of the
`text` keyword and extracts strings that are not messages. Here only real calls with a string literal at
a message position count (adjacent literals are joined by the parser). Used through
mailkit/i18n/babel.cfg by `pybabel extract` and by the catalogue's tests.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def calls(source: str, keywords: Collection[str]) -> Iterator[tuple[int, str, tuple[str | None, ...]]]:
    """(line, function, positional arguments as literals or None) for each call of a keyword function."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in keywords:
            args = tuple(_literal(arg) for arg in node.args)
            if any(arg is not None for arg in args):
                yield node.lineno, node.func.id, args


def extract_python(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
                   options: Mapping[str, Any]) -> Iterator[tuple[int, str, tuple[str | None, ...], list[str]]]:
    """Babel's extractor interface: (line, function, messages, translator comments)."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for lineno, funcname, args in sorted(calls(source, keywords), key=lambda call: call[0]):
        yield lineno, funcname, args, []


__all__ = ["calls", "extract_python"]
