"""The gettext catalogue: every message extracted from the sources is translated in es and pl, none is left
over, the shipped .mo files say what the .po files say, and translations keep their msgid's placeholders."""

from __future__ import annotations

import fnmatch
import gettext as stdlib_gettext
import io
import re
import string
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from mailkit.i18n import LANGS, N_, gettext, ngettext, pgettext, text
from mailkit.i18n import catalog as i18n_catalog

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "mailkit"
LOCALE = PACKAGE / "i18n" / "locale"
TRANSLATED = [lang for lang in LANGS if lang != "en"]
Key = tuple[str | None, str | tuple[str, ...]]


def _key(context: str | None, msgid: str | tuple[str, ...] | list[str]) -> Key:
    return context, msgid if isinstance(msgid, str) else tuple(msgid)


def extracted() -> dict[Key, list[str]]:
    """msgid -> where it is used, as `pybabel extract -F mailkit/i18n/babel.cfg` finds them."""
    with (PACKAGE / "i18n" / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[Key, list[str]] = {}
    for filename, lineno, msgid, _comments, context in extract_from_dir(
            PACKAGE, method_map=method_map, options_map=options_map, keywords={}):
        found.setdefault(_key(context, msgid), []).append(f"mailkit/{filename}:{lineno}")
    return found


def po(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def messages(catalog: Catalog) -> dict[Key, Message]:
    return {_key(m.context, m.id): m for m in catalog if m.id}


def forms(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.fixture(scope="module")
def found() -> dict[Key, list[str]]:
    return extracted()


# --- complete and nothing left over ----------------------------------------------------------------------
@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_extracted_message_has_a_translation(found: dict[Key, list[str]], lang: str) -> None:
    catalog = messages(po(LOCALE / lang / "LC_MESSAGES" / "mailkit.po"))
    missing = [f"{where[0]}: {key[1]!r}" for key, where in found.items()
               if key not in catalog or catalog[key].fuzzy or not all(forms(catalog[key]))]
    assert missing == [], f"untranslated in {lang}.po (run the update command in docs/translations.md):\n" + \
        "\n".join(missing)


@pytest.mark.parametrize("name", [*(f"{lang}/LC_MESSAGES/mailkit.po" for lang in TRANSLATED), "mailkit.pot"])
def test_no_catalogue_holds_a_message_the_sources_no_longer_use(found: dict[Key, list[str]], name: str) -> None:
    unused = [repr(key[1]) for key in messages(po(LOCALE / name)) if key not in found]
    assert unused == [], f"{name} holds messages no source uses:\n" + "\n".join(unused)


def test_the_template_lists_every_extracted_message(found: dict[Key, list[str]]) -> None:
    assert set(found) <= set(messages(po(LOCALE / "mailkit.pot")))


# --- the shipped .mo files -------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_shipped_mo_says_what_the_po_says(lang: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, po(LOCALE / lang / "LC_MESSAGES" / "mailkit.po"))
    expected = stdlib_gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))
    shipped = files("mailkit.i18n") / "locale" / lang / "LC_MESSAGES" / "mailkit.mo"
    actual = stdlib_gettext.GNUTranslations(io.BytesIO(shipped.read_bytes()))
    assert actual._catalog == expected._catalog, "run the compile command in docs/translations.md"


def test_the_wheel_ships_every_catalogue_file() -> None:
    """pyproject's package-data names each .pot, .po and .mo (tests/test_wheel.py runs the installed wheel)."""
    with (REPO / "pyproject.toml").open("rb") as handle:
        globs = tomllib.load(handle)["tool"]["setuptools"]["package-data"]["mailkit"]
    shipped = [path.relative_to(PACKAGE).as_posix() for path in LOCALE.rglob("*") if path.is_file()]
    assert len(shipped) == 1 + 2 * len(TRANSLATED)
    assert [name for name in shipped if not any(fnmatch.fnmatch(name, glob) for glob in globs)] == []


# --- placeholders ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_translation_uses_exactly_the_placeholders_of_its_msgid(lang: str) -> None:
    wrong = []
    for key, message in messages(po(LOCALE / lang / "LC_MESSAGES" / "mailkit.po")).items():
        ids = [key[1]] if isinstance(key[1], str) else list(key[1])
        wanted = set().union(*(fields(msgid) for msgid in ids))
        optional = [sorted(fields(segment)) for segment in re.findall(r"\[\[(.*?)\]\]", ids[-1], re.S)]
        for form in forms(message):
            if fields(form) != wanted or sorted(sorted(fields(s)) for s in re.findall(r"\[\[(.*?)\]\]", form,
                                                                                     re.S)) != sorted(optional):
                wrong.append(f"{ids[0]!r} -> {form!r}")
        if fields(ids[0]) and "python-brace-format" not in message.flags:
            wrong.append(f"{ids[0]!r} is not flagged python-brace-format")
    assert wrong == []


# --- the API ---------------------------------------------------------------------------------------------
def test_english_is_the_msgid_and_unknown_languages_speak_english() -> None:
    assert N_("Save account") == "Save account"
    assert gettext("en", "Save account") == gettext("fr", "Save account") == gettext(None, "Save account")
    assert gettext("es", "Save account") == "Guardar cuenta"
    assert gettext("pl_PL.UTF-8", "Save account") == "Zapisz konto"
    assert text("es", "Accounts of {company}", company="Acme") == "Cuentas de Acme"


def test_pgettext_reads_the_columns_context() -> None:
    assert pgettext("es", "column", "status") == "estado"
    assert pgettext("es", "column", "ok") == "correctas"
    assert gettext("es", "ok") == "ok"  # the same word outside the context is not the column's


def test_ngettext_has_polish_three_forms() -> None:
    def rows(lang: str, n: int) -> str:
        return ngettext(lang, "{file}: {rows} account row", "{file}: {rows} account rows", n).format(file="f",
                                                                                                   rows=n)

    assert [rows("pl", n) for n in (1, 3, 5, 22, 112)] == [
        "f: 1 wiersz kont", "f: 3 wiersze kont", "f: 5 wierszy kont", "f: 22 wiersze kont", "f: 112 wierszy kont"]
    assert [rows("en", n) for n in (1, 2)] == ["f: 1 account row", "f: 2 account rows"]
    assert rows("es", 2) == "f: 2 filas de cuentas"


def test_each_language_is_loaded_once() -> None:
    assert i18n_catalog.translator("es") is i18n_catalog.translator("es-MX")


def test_a_missing_compiled_catalogue_is_an_error_not_silent_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n_catalog, "_PACKAGE", "mailkit.assets")  # a package without locale/
    i18n_catalog._translator.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match=r"locale/es/LC_MESSAGES/mailkit.mo is missing"):
            gettext("es", "Save account")
    finally:
        i18n_catalog._translator.cache_clear()


# --- the extractor ---------------------------------------------------------------------------------------
def test_the_extractor_takes_only_real_calls() -> None:
    source = (b'def text(self):\n    """Not a message."""\n'
              b'x = text[0:2], "nor this"\n'
              b'y = text(lang, "A message " "in two parts", n=1)\n'
              b'z = pgettext(lang, "column", "kind")\n')
    keywords = {"text": (2,), "pgettext": ((2, "c"), 3)}
    got = [(m, ctx) for _, m, _, ctx in extract("mailkit.i18n.extract:extract_python", io.BytesIO(source),
                                                keywords=keywords)]
    assert got == [("A message in two parts", None), ("kind", "column")]


# --- one register in Spanish, one term per concept in Polish ---------------------------------------------
#: Usted forms of the verbs mailkit's texts use, where they open a sentence or an alternative ("o ...");
#: mailkit says *tú* (as CONTPAQi's own documents do): "Verifica", "Ingresa", "haz clic".
_USTED_VERBS = ("abra|active|agregue|asegúrese|baje|borre|busque|cambie|cámbielo|compruebe|configure|consulte|copie|"
                "corríjalas|cree|créela|ejecute|elija|envíe|escriba|espere|guarde|haga|importe|ingrese|inicie|intente|"
                "introdúzcala|pegue|pida|póngale|pulse|revise|seleccione|use|verifique|vuelva")
USTED = re.compile(rf"\busted(?:es)?\b|\b(?:su|sus) (?:cliente|equipo|cuenta|correo)\b|"
                   rf"(?:^|[.:;!?(“]\s*|\bo |, )(?:{_USTED_VERBS})\b", re.I | re.M)
#: Polish: Google's own "hasło do aplikacji" (app password), "hasło do konta", "weryfikacja dwuetapowa".
POLISH_REJECTED = re.compile(r"\bhasł\w* (?:aplikacji|konta)\b|\blogowani\w* dwuetapow", re.I)


def translations(lang: str) -> list[str]:
    return [form for message in messages(po(LOCALE / lang / "LC_MESSAGES" / "mailkit.po")).values()
            for form in forms(message)]


def test_spanish_says_tu_never_usted() -> None:
    assert [t for t in translations("es") if USTED.search(t)] == []
    for usted in ("Verifique la contraseña.", "Aún no hay cuentas: agregue una.", "O pulse “Iniciar”.",
                  "Modo Google con su cliente OAuth", "ejecute `mailkit audit`", "Abra este enlace"):
        assert USTED.search(usted), usted
    for tu in ("Asegúrate de que la cuenta inicie sesión y use el puerto 587", "hasta que alguien inicie sesión",
               "Google rechaza su contraseña normal", "Verifica que el firewall deje salir los puertos"):
        assert not USTED.search(tu), tu


def test_polish_names_each_concept_one_way() -> None:
    assert [t for t in translations("pl") if POLISH_REJECTED.search(t)] == []
    assert POLISH_REJECTED.search("wpisz nowe hasło aplikacji") and POLISH_REJECTED.search("zwykłe hasło konta")
    assert not POLISH_REJECTED.search("wpisz nowe hasło do aplikacji, nie hasło do konta")
    assert sum("hasło do aplikacji" in t or "hasła do aplikacji" in t for t in translations("pl")) > 20
