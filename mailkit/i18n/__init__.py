"""mailkit's languages: which one to speak (`langs`) and the texts in it (the gettext catalogue)."""

from mailkit.i18n.langs import DEFAULT_LANG, LANGS, normalize_lang, resolve_lang

__all__ = ["DEFAULT_LANG", "LANGS", "normalize_lang", "resolve_lang"]
