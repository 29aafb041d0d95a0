"""The panels' language: chosen once per workspace, remembered in its settings, changeable from any panel.

Every panel of a workspace listens to one `Language` object: picking Español in one panel's picker
relabels every panel of that workspace in this kernel and is written to the workspace's settings
(`ui.language`), so the next notebook, kernel or app opens in Spanish too. MAILKIT_LANG, when set,
still wins over the remembered choice (as it does for the CLI).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import traitlets

from mailkit.errors import MailkitError
from mailkit.i18n import normalize_lang, resolve_lang
from mailkit.workspace import Workspace

log = logging.getLogger("mailkit.ui")

SETTING = "ui.language"


def remembered_lang(workspace: Workspace) -> str:
    """MAILKIT_LANG, else the workspace's remembered choice, else the locale's language, else English."""
    try:
        saved = workspace.setting(SETTING)
    except MailkitError:  # a settings file that does not parse: the CLI says so; the panels still open
        saved = None
    return normalize_lang(os.environ.get("MAILKIT_LANG")) or normalize_lang(str(saved or "")) or resolve_lang(None)


class Language(traitlets.HasTraits):
    """The language every panel of one workspace shows; `lang` is observable."""

    lang = traitlets.Unicode("en")

    def __init__(self, workspace: Workspace):
        super().__init__(lang=remembered_lang(workspace))
        self.workspace = workspace

    def choose(self, lang: str) -> None:
        """Switch every listening panel to `lang` and remember it for the workspace."""
        lang = normalize_lang(lang) or self.lang
        if lang == self.lang:
            return
        self.lang = lang
        try:
            self.workspace.set_setting(SETTING, lang)
        except (MailkitError, OSError) as exc:  # the panels switch anyway; only the memory is lost
            log.warning("could not remember the language in %s: %s", self.workspace.settings_path, exc)


_SHARED: dict[Path, Language] = {}


def language_of(workspace: Workspace) -> Language:
    """The one `Language` of a workspace in this kernel."""
    key = Path(workspace.home).expanduser().resolve()
    if key not in _SHARED:
        _SHARED[key] = Language(workspace)
    return _SHARED[key]


__all__ = ["SETTING", "Language", "language_of", "remembered_lang"]
