"""The texts mailkit shows, in the user's language, read from one GNU gettext catalogue.

The English text is the message id: tables hold `N_("English")` (marked for `pybabel extract`, nothing
done at run time) and rendering asks for the translation with `text(lang, msgid, **fields)`. Translators
work on `locale/<lang>/LC_MESSAGES/mailkit.po`; the compiled `.mo` beside it is what is read here, once
per language (see docs/translations.md). An unknown language, or None, speaks English.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from mailkit.i18n.langs import DEFAULT_LANG, normalize_lang

if TYPE_CHECKING:
    import gettext as _gettext

DOMAIN = "mailkit"
_PACKAGE = "mailkit.i18n"  # where locale/ is shipped


def N_(msgid: str) -> str:  # noqa: N802 - the name gettext tools look for
    """Mark `msgid` for extraction where it is stored, not shown; translate it later with `text`."""
    return msgid


@cache
def _translator(lang: str) -> _gettext.NullTranslations:
    import gettext  # here, not at the top: `import mailkit` stays fast, and English needs no file
    import io
    from importlib.resources import files

    if lang == DEFAULT_LANG:
        return gettext.NullTranslations()
    # Read through the package (wheel, zip or checkout alike). No fallback: a missing .mo is a broken
    # install, and English text in a Spanish report would hide it.
    compiled = files(_PACKAGE) / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not compiled.is_file():
        raise FileNotFoundError(f"mailkit/i18n/locale/{lang}/LC_MESSAGES/{DOMAIN}.mo is missing: reinstall mailkit")
    return gettext.GNUTranslations(io.BytesIO(compiled.read_bytes()))


def translator(lang: str | None) -> _gettext.NullTranslations:
    """The translations for `lang` (en, es, pl, or any tag naming them; English otherwise), cached."""
    return _translator(normalize_lang(lang) or DEFAULT_LANG)


def gettext(lang: str | None, msgid: str) -> str:
    """`msgid` in `lang`."""
    return translator(lang).gettext(msgid)


def pgettext(lang: str | None, context: str, msgid: str) -> str:
    """`msgid` in `lang` as meant in `context`, for an English text that needs two translations."""
    return translator(lang).pgettext(context, msgid)


def ngettext(lang: str | None, singular: str, plural: str, n: int) -> str:
    """The form for `n` things in `lang` (Polish has three)."""
    return translator(lang).ngettext(singular, plural, n)


def text(lang: str | None, msgid: str, /, **fields: object) -> str:
    """`msgid` in `lang` with its {fields} filled in."""
    return gettext(lang, msgid).format(**fields)


__all__ = ["DOMAIN", "N_", "gettext", "ngettext", "pgettext", "text", "translator"]
