"""mailkit's languages: which one to speak (`langs`) and the texts in it (`catalog`, a gettext catalogue)."""

from mailkit.i18n.catalog import N_, gettext, ngettext, pgettext, text
from mailkit.i18n.langs import DEFAULT_LANG, LANGS, normalize_lang, resolve_lang

__all__ = ["DEFAULT_LANG", "LANGS", "N_", "gettext", "ngettext", "normalize_lang", "pgettext", "resolve_lang", "text"]
