"""Which language causes and remedies are shown in: en, es or pl.

Admins in Mexico and Poland run mailkit on machines set to their own locale, so the language
follows an explicit choice first, then MAILKIT_LANG, then the locale, and falls back to English.
"""

from __future__ import annotations

import locale
import os
import re
import sys

LANGS = ("en", "es", "pl")
DEFAULT_LANG = "en"

# Windows reports locales by name ("Spanish_Mexico", "Polish_Poland").
_NAMES = {"english": "en", "spanish": "es", "espanol": "es", "español": "es", "polish": "pl", "polski": "pl"}


def normalize_lang(value: str | None) -> str | None:
    """The supported language a tag such as "es-MX", "ES", "pl_PL.UTF-8" names, or None.

    >>> normalize_lang("es_MX.UTF-8"), normalize_lang("PL"), normalize_lang("C.UTF-8")
    ('es', 'pl', None)
    """
    if not value:
        return None
    head = re.split(r"[-_.@:]", value.strip().lower(), maxsplit=1)[0]
    lang = _NAMES.get(head, head)
    return lang if lang in LANGS else None


def _locale_tag() -> str | None:
    """The effective message locale: the first of LC_ALL, LC_MESSAGES, LANG that is set (POSIX order)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(name):
            return os.environ[name]
    if sys.platform == "win32":  # no locale variables there: ask the system
        return locale.getlocale()[0]
    return None


def resolve_lang(explicit: str | None = None) -> str:
    """The language to speak: `explicit`, else MAILKIT_LANG, else the locale, else English.

    A value naming an unsupported language is skipped, so `--lang fr` still falls back sensibly.
    """
    for candidate in (explicit, os.environ.get("MAILKIT_LANG"), _locale_tag()):
        lang = normalize_lang(candidate)
        if lang:
            return lang
    return DEFAULT_LANG


__all__ = ["DEFAULT_LANG", "LANGS", "normalize_lang", "resolve_lang"]
