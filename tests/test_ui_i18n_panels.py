"""Every visible word in Polish (and Spanish): each panel rendered under `pl` on the sample workspace and walked
widget by widget (labels, options, placeholders, HTML), with no English message of the catalogue left in it;
the session banner following the workspace's language; the plots' words; a refused app password naming the step
by its title, the command only as the secondary copy."""

from __future__ import annotations

import re
from pathlib import Path

import ipywidgets as w
import pandas as pd
import pytest
from babel.messages.pofile import read_po

from mailkit.app.steps import TITLES
from mailkit.diagnose_texts import status_label
from mailkit.i18n import pgettext, text
from mailkit.reports import plots
from mailkit.secrets import SecretKind, secret_store
from mailkit.status import Status
from mailkit.ui import (
    AppPasswordForm,
    BulkPanel,
    DomainsPanel,
    HomePage,
    OAuthPanel,
    ReportView,
    SetupForm,
    TroubleshootWizard,
    TwoStepPanel,
    WorkspacePanel,
    session,
)
from mailkit.ui.intro import INTROS, Intro, heading
from mailkit.ui.language import language_of
from mailkit.workspace import Workspace
from tests.test_ui_actions import _record

LOCALE = Path(__file__).resolve().parent.parent / "mailkit" / "i18n" / "locale"
LUPITA = "facturas.lupita@gmail.com"


def english_phrases(lang: str) -> list[str]:
    """The English of every catalogue message translated differently in `lang`, as its literal pieces of three
    words or more (placeholders and optional segments cut out): none may show on a panel in `lang`."""
    with (LOCALE / lang / "LC_MESSAGES" / "mailkit.po").open("rb") as handle:
        catalog = read_po(handle)
    pieces: set[str] = set()
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or message.string == message.id:
            continue
        for piece in re.split(r"\{[^}]*\}|\[\[|\]\]|<[^>]+>|`[^`]*`|https?://\S+", message.id):
            piece = piece.strip(" .,:;()“”\"'—-…")
            if len(re.findall(r"[A-Za-z]{2,}", piece)) >= 3 and piece not in message.string:
                pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


def visible_text(widget: w.Widget) -> str:
    """What a panel shows: every description, option label, placeholder, tooltip and HTML text, tags removed."""
    parts: list[str] = []
    stack = [widget]
    while stack:
        item = stack.pop()
        for name in ("description", "placeholder", "tooltip"):
            value = getattr(item, name, None)
            if isinstance(value, str):
                parts.append(value)
        if isinstance(item, (w.HTML, w.Label, w.HTMLMath)):
            parts.append(re.sub(r"<style>.*?</style>|<[^>]+>", " ", item.value, flags=re.S))
        labels = getattr(item, "_options_labels", None)
        if labels:
            parts.extend(labels)
        stack.extend(getattr(item, "children", ()))
    return re.sub(r"\s+", " ", " ".join(parts))


def assert_no_english(widget: w.Widget, lang: str = "pl") -> str:
    shown = visible_text(widget)
    left = [phrase for phrase in english_phrases(lang) if phrase in shown]
    assert not left, f"English left in {type(widget).__name__} under {lang}: {left[:5]}"
    return shown


@pytest.fixture
def sample(sandbox_env: object, workspace: Workspace) -> Workspace:
    assert session.load_sample(workspace) == 13
    return workspace


def test_the_phrase_list_catches_english() -> None:
    phrases = english_phrases("pl")
    assert "did not sign in" in " ".join(phrases) and len(phrases) > 300
    label = w.Label("Not stored: someone did not sign in (bad_credentials).")
    with pytest.raises(AssertionError, match="English left"):
        assert_no_english(w.VBox([label]))


def test_every_panel_speaks_polish_only(sample: Workspace) -> None:
    _record(sample, {LUPITA: "ok", "recuperacion.lupita@gmail.com": "app_password_required",
                     "ventas@ferreteria-delnorte.example": "bad_credentials"})
    panels = [HomePage(sample, lang="pl"), SetupForm(sample, lang="pl"), OAuthPanel(sample, lang="pl"),
              TwoStepPanel(sample, lang="pl"), AppPasswordForm(sample, lang="pl"), BulkPanel(sample, lang="pl"),
              ReportView(sample, lang="pl"), DomainsPanel(sample, lang="pl"), TroubleshootWizard(sample, lang="pl"),
              WorkspacePanel(sample, lang="pl")]
    for panel in panels:
        assert_no_english(panel)
    assert_no_english(WorkspacePanel(sample, lang="es"), "es")


def test_app_password_saved_and_refused_in_polish_name_steps_not_files(sample: Workspace) -> None:
    secret_store(sample).delete(LUPITA, SecretKind.APP_PASSWORD)
    form = AppPasswordForm(sample, email=LUPITA, lang="pl")
    form.secret.value = "qwhk pznr tvbe lmsz"  # well formed, not this account's
    form.save.click()
    shown = assert_no_english(form)
    assert form.alert.kind == "error" and "mailkit secret set" not in form.alert.text
    links = form.actions.links.value
    assert text("pl", TITLES["03_two_step_and_app_passwords.ipynb"]) in links
    assert ">03_two_step_and_app_passwords<" not in links and "href='03_two_step_and_app_passwords.ipynb'" in links
    assert "mailkit-command" in links and links.index("mailkit-step-link") < links.index("mailkit-command")
    assert "Test and save" not in shown and text("pl", "Test and save") in form.alert.text  # the form's own step

    form.secret.value = "qwhk pznr tvbe lmsa"
    form.save.click()
    assert form.alert.kind == "success" and form.alert.text == text("pl", "✓ {email} signed in; the app password is "
                                                                    "in the keyring.", email=LUPITA)
    assert_no_english(form)
    assert "signed in and" not in form.alert.text and "stored the" not in form.alert.text


def test_session_banner_follows_the_workspaces_language(sample: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "_SESSION", None)
    monkeypatch.delenv("MAILKIT_LANG", raising=False)
    started = session.start()
    language = language_of(started.workspace)
    language.choose("pl")
    assert started.lang == "pl" and started.banner().startswith("Tryb sandbox")
    banner = session.Banner(started)
    language.choose("es")  # picked in any panel: the banner shown already follows
    assert banner.value.count("Modo sandbox") == 1 and "Sandbox mode" not in banner.value
    bundle = started._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "Modo sandbox" in bundle["text/plain"]
    language.choose("en")


def test_intro_follows_the_language_and_names_the_step_as_the_navigation_does(sample: Workspace) -> None:
    language = language_of(sample)
    language.choose("pl")
    intro = Intro("04_bulk_test_send", sample)
    assert heading("04_bulk_test_send", "pl") == text("pl", TITLES["04_bulk_test_send.ipynb"]) != "Bulk test send"
    assert text("pl", TITLES["04_bulk_test_send.ipynb"]) in intro.value and "Choose companies" not in intro.value
    language.choose("es")
    assert text("es", INTROS["04_bulk_test_send"])[:40] in intro.value.replace("&#x27;", "'")
    assert set(INTROS) >= {p.stem for p in (Path(__file__).resolve().parent.parent / "notebooks").glob("0[0-6]*")}
    language.choose("en")


def test_plot_titles_axes_and_legends_are_translated() -> None:
    companies = pd.DataFrame({"company": ["a", "b"], "company_name": ["A", "B"], "accounts": [3, 2], "broken": [1, 0],
                              "ok": [2, 2], "bad_credentials": [1, 0], "not_checked": [0, 1]})
    axes = plots.status_by_company(companies, lang="pl").axes[0]
    words = [axes.get_title(), axes.get_xlabel(), *[t.get_text() for t in axes.get_legend().get_texts()]]
    assert words == [text("pl", plots.COMPANY_TITLE), "konta", "Działa", "Błędne hasło", "niesprawdzone"]
    assert words[2:4] == [status_label("ok", "pl"), status_label("bad_credentials", "pl")]  # statuses in words
    runs = pd.DataFrame({"run_id": [1, 2], "ok": [1, 2], "broken": [3, 1]})
    axes = plots.trend(runs, lang="es").axes[0]
    assert axes.get_title() == text("es", plots.TREND_TITLE) != plots.TREND_TITLE
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert legend == [pgettext("es", "column", "ok"), pgettext("es", "column", "broken")] != ["ok", "broken"]
    assert axes.get_ylabel() == "cuentas" and axes.get_xlabel() == text("es", plots.AUDIT_RUN) != "audit run"
    empty = plots.trend(pd.DataFrame(columns=["run_id", "ok", "broken"]), lang="pl").axes[0]
    assert empty.texts[0].get_text() == text("pl", plots.NO_RUNS) != plots.NO_RUNS


def test_one_remedy_per_status_not_per_company_and_steps_named_by_title(sample: Workspace) -> None:
    from mailkit.ui.table import generic

    remedy = "Create one named after the company (Empresa Uno SA), then run `mailkit secret set a@b.mx`."
    assert generic(remedy, "a@b.mx", "Empresa Uno SA") == "Create one named after the company, then run " \
                                                          "`mailkit secret set EMAIL`."
    unchecked = ReportView(sample, lang="es")  # nothing checked yet: the note names the bulk step by its title
    assert text("es", TITLES["04_bulk_test_send.ipynb"]) in unchecked.empty_note.value
    assert "04_bulk_test_send" not in unchecked.empty_note.value
    _record(sample, {"ventas@ferreteria-delnorte.example": "bad_credentials",
                     "facturas.lupita@gmail.com": "bad_credentials"})  # two companies, one status
    report = ReportView(sample, lang="pl")
    body = report.table.body.value
    assert body.count("data-group='bad_credentials'") == 1 and "Ferretería del Norte SA de CV)" not in body
    assert "<code>mailkit secret set EMAIL</code>" in body and "`" not in body
    assert f">{text('pl', TITLES['03_two_step_and_app_passwords.ipynb'])}</a>" in body
    assert "03_two_step_and_app_passwords<" not in body and "03_two_step_and_app_passwords," not in body
    assert_no_english(report)
    lupita = body.split("facturas.lupita@gmail.com")[1].split("</tr>")[0]  # the sign-in method in words
    assert text("pl", "App password") in lupita and ">app_password<" not in body


def test_a_fleet_of_small_companies_keeps_its_bars_readable_beside_the_shared_one() -> None:
    rows = [{"company": f"e{c}", "company_name": f"Empresa {c}", "accounts": 17, "broken": 2 * (c % 12 == 5),
             "ok": 17 - 2 * (c % 12 == 5), "bad_credentials": 2 * (c % 12 == 5)} for c in range(60)]
    axes = plots.status_by_company(pd.DataFrame(rows), top=15, lang="pl").axes[0]
    assert axes.get_xlim()[1] < 30  # not 765: the named companies' 17 accounts fill most of the width
    assert [t.get_text() for t in axes.texts] == ["765 →"]  # the shared bar, cut, says its total
    few = plots.status_by_company(pd.DataFrame(rows[:10]), top=15, lang="pl").axes[0]
    assert not few.texts and few.get_xlim()[1] >= 17


#: Every status string of the contract, as a whole word (a raw code an admin should not have to decode).
RAW_STATUS = re.compile(r"(?<![\w-])(" + "|".join(sorted((s.value for s in Status), key=len, reverse=True))
                        + r")(?![\w-])")


def words_shown(html_value: str) -> str:
    """An HTML value as read: tags, tooltips and the grey `.mailkit-status-code` hints (the code beside the words,
    for matching the CLI) removed."""
    html_value = re.sub(r"<span class='mailkit-status-code'>[^<]*</span>", " ", html_value)
    return re.sub(r"<style>.*?</style>|<[^>]+>", " ", html_value, flags=re.S)


def test_every_status_has_a_short_label_in_each_language() -> None:
    for status in Status:
        en, es, pl = (status_label(status, lang) for lang in ("en", "es", "pl"))
        assert en != status.value and not RAW_STATUS.search(en) and len(en) <= 45, status
        assert es != en and pl != en, status  # translated, not the English kept
    assert status_label("bad_credentials", "pl") == "Błędne hasło" and status_label("ok", "es") == "Funciona"
    assert status_label("something_newer", "pl") == "something_newer"  # a word this mailkit does not know: as is


@pytest.mark.parametrize("lang", ["es", "pl"])
def test_chips_headings_and_filters_name_statuses_in_words(sample: Workspace, lang: str) -> None:
    statuses = {LUPITA: "ok", "recuperacion.lupita@gmail.com": "app_password_required",
                "ventas@ferreteria-delnorte.example": "bad_credentials"}
    _record(sample, statuses)
    report = ReportView(sample, lang=lang)
    chips, body = report.table.counters.value, report.table.body.value
    groups = re.findall(r"<tr class='mailkit-group'.*?</tr>", body)
    assert len(groups) == 4 and len(re.findall("class='mailkit-count'", chips)) == 4  # and the not checked
    for shown in (words_shown(chips), *[words_shown(g).split(text(lang, "Cause"))[0] for g in groups]):
        assert not RAW_STATUS.search(shown), shown
    for status in set(statuses.values()):
        assert status_label(status, lang) in words_shown(chips) and status_label(status, lang) in words_shown(body)
        assert f"title='{status}'" in chips  # the code stays at hand: the chip's tooltip, grey beside the heading
        assert f"<span class='mailkit-status-code'>{status}</span>" in body
    assert dict(report.status.options) == {text(lang, "(all)"): "", **{status_label(s, lang): s for s in
                                                                       ("app_password_required", "bad_credentials",
                                                                        "ok")}}
    home = HomePage(sample, lang=lang)
    assert not RAW_STATUS.search(words_shown(home.next.value + home.steps.value + home.table.value))
    assert f">{text(lang, 'Bulk test send')}</a>" in home.steps.value and ">04_bulk" not in home.steps.value


def test_each_step_shows_its_title_once(sample: Workspace) -> None:
    language_of(sample).choose("es")
    for key, make in (("04_bulk_test_send", BulkPanel), ("05_status_report", ReportView),
                      ("06_troubleshooting", TroubleshootWizard), ("08_workspace_domains", WorkspacePanel)):
        alone = make(sample, lang="es")  # without an intro above, a panel keeps its own title
        assert alone.t(alone.title_key) in alone.title.value
        page = w.VBox([Intro(key, sample), make(sample, lang="es")])
        title = heading(key, "es")
        assert visible_text(page).count(title) == 1, (key, visible_text(page)[:200])
        assert "<style>" in page.children[1].title.value  # the panel's stylesheet stays
    Intro("03_two_step_and_app_passwords", sample)
    twostep, apppw = TwoStepPanel(sample, lang="pl"), AppPasswordForm(sample, lang="pl")
    assert "<h3" not in twostep.title.value  # under the step's heading
    assert text("pl", "App password") in apppw.title.value  # the step's second part keeps its own heading
    language_of(sample).choose("en")
