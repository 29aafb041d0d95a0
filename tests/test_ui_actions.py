"""Fixes as actions, the workspace's language and the home page, driven headless: real inventory, real
audit results in SQLite, real sandbox for the panels that sign in; set values, click(), assert on what shows."""

from __future__ import annotations

import pytest

from mailkit.audit_store import AuditStore, ResultRow
from mailkit.inventory import Inventory
from mailkit.status import Status
from mailkit.twostep.state import TwoStepStatus
from mailkit.ui import AppPasswordForm, HomePage, OAuthPanel, SetupForm, TroubleshootWizard, TwoStepPanel, session
from mailkit.ui.actions import ACTIONS, OPENERS, ActionBar, actions_for, command_for, remedy_text_html
from mailkit.ui.home import STEPS, fleet_health
from mailkit.ui.language import SETTING, language_of, remembered_lang
from mailkit.ui.twostep_panel import twostep_table
from mailkit.workspace import Workspace

VENTAS = "ventas@ferreteria-delnorte.example"


@pytest.fixture
def sample(sandbox_env: object, workspace: Workspace) -> Workspace:
    assert session.load_sample(workspace) == 13
    return workspace


def _record(workspace: Workspace, statuses: dict[str, str]) -> None:
    """Store one finished run with these latest statuses, as an audit would."""
    store = AuditStore.open(workspace)
    try:
        ids = store.account_ids()
        run = store.start_run({}, {}, [ids[e.lower()] for e in statuses])
        for email, status in statuses.items():
            store.record(run.id, ResultRow(ids[email.lower()], status))
        store.finish(run.id, "finished")
    finally:
        store.close()


# --- the mapping ----------------------------------------------------------------------------------
def test_every_status_has_fixes_that_exist_and_follow_the_sign_in_method() -> None:
    for status in Status:
        for auth in ("oauth2", "app_password", "password"):
            fixes = actions_for(status.value, auth)
            assert set(fixes) <= set(ACTIONS) and len(fixes) == len(set(fixes)), (status, auth)
            assert (fixes == ()) == (status is Status.OK), status
            if auth == "oauth2":
                assert not {"app_password", "twostep"} & set(fixes), status
    assert actions_for("not_configured", "oauth2") == ("oauth",)
    assert actions_for("not_configured", "app_password") == ("app_password",)
    assert actions_for("rate_limited", "app_password") == ("retry",)
    assert actions_for("tls_error", "oauth2") == ("troubleshoot",)  # a word not listed: look step by step
    assert set(OPENERS) == set(ACTIONS) - {"move"}  # the move is the setup form's own


def test_commands_are_secondary_text_and_backticks_become_code() -> None:
    assert command_for("move", "a@x.example", "dos") == "mailkit account add a@x.example --company dos --move"
    assert command_for("app_password", "a@x.example") == "mailkit secret set a@x.example"
    shown = remedy_text_html("Run `mailkit oauth login a@x.example` <now>")
    assert shown == "Run <code>mailkit oauth login a@x.example</code> &lt;now&gt;"


def test_action_bar_opens_the_fixing_panel_on_the_account_in_the_panel_language(sample: Workspace) -> None:
    host = SetupForm(sample, lang="es")
    bar = ActionBar(host)
    bar.show(("oauth", "twostep", "app_password"), VENTAS, "ferreteria-delnorte")
    assert [b.description for b in bar.buttons.values()] == [
        "Conectar con Google", "Confirmar la verificación en 2 pasos", "Guardar la contraseña de aplicación"]
    assert "href='02_gmail_oauth.ipynb'" in bar.links.value and "Línea de comandos" in bar.links.value
    assert f"mailkit oauth login {VENTAS}" in bar.links.value
    bar.buttons["oauth"].click()
    oauth = bar.opened.children[0]
    assert isinstance(oauth, OAuthPanel) and oauth.account.value == VENTAS and oauth.lang == "es"
    bar.buttons["twostep"].click()  # the previous panel is closed, the next one opens on the same account
    twostep = bar.opened.children[0]
    assert isinstance(twostep, TwoStepPanel) and twostep.account.value == VENTAS and oauth.consent_box.flow is None
    bar.show(("oauth", "twostep", "app_password"), VENTAS, "ferreteria-delnorte")  # a relabel keeps it open
    assert bar.opened.children == (twostep,)
    bar.clear()
    assert bar.opened.children == () and bar.row.children == () and bar.links.value == ""


def test_retry_runs_the_checks_again(sample: Workspace) -> None:
    bar = ActionBar(AppPasswordForm(sample, lang="en"))
    bar.show(("retry",), "facturas.lupita@gmail.com")
    bar.buttons["retry"].click()
    wizard = bar.opened.children[0]
    assert isinstance(wizard, TroubleshootWizard) and wizard.found is not None
    assert "data-status='ok'" in wizard.verdict.value


# --- the language ---------------------------------------------------------------------------------
def test_language_is_chosen_once_per_workspace_and_remembered(sample: Workspace) -> None:
    setup, report = SetupForm(sample), TwoStepPanel(sample, open_browser=False)
    assert setup.lang == report.lang == "en"
    setup.language.value = "pl"  # picked in one panel...
    assert report.lang == "pl" and report.check.description == "Sprawdź 2SV"  # ...all follow
    assert sample.setting(SETTING) == "pl"
    assert remembered_lang(Workspace(sample.home)) == "pl"  # the next kernel opens in Polish
    report.close()
    setup.language.value = "es"
    assert report.lang == "pl"  # a closed panel listens no more
    assert HomePage(sample).lang == "es"


def test_mailkit_lang_wins_over_the_remembered_choice(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace.set_setting(SETTING, "pl")
    assert remembered_lang(workspace) == "pl"
    monkeypatch.setenv("MAILKIT_LANG", "es")
    assert remembered_lang(workspace) == "es"
    language_of(workspace).choose("xx")  # not a language: nothing changes
    assert workspace.setting(SETTING) == "pl"


# --- the 2SV table --------------------------------------------------------------------------------
def test_twostep_table_names_columns_and_speaks_sources_and_details_in_words(sample: Workspace) -> None:
    with Inventory.open(sample) as inventory:
        ventas = inventory.account(VENTAS)
    probe = TwoStepStatus(VENTAS, "unknown", None, "signin_probe", "2026-12-01T10:00:00+00:00",
                          detail="454 4.7.0 Temporary System Problem. Try again later. " + "x" * 200)
    manual = TwoStepStatus(VENTAS, "on", None, "manual", "2026-12-01T10:00:00+00:00", confirmed_by="Ana")
    shown = twostep_table([(ventas, probe), (ventas, manual)], {"ferreteria-delnorte": "Ferretería del Norte"}, "es")
    assert "<th" in shown and "Cómo se supo" in shown and "Cuándo" in shown and "<th style='text-align:left;" \
        "padding:3px 8px;vertical-align:top'></th>" not in shown  # every column named
    assert "Prueba de inicio de sesión" in shown and "Confirmado a mano" in shown and ">signin_probe<" not in shown
    assert "desconocido" in shown and "activada" in shown and "Ferretería del Norte" in shown
    assert "<details><summary><small>Respuesta</small></summary>" in shown and "454 4.7.0" in shown  # folded
    assert "white-space:normal" in shown and "2026-12-01 10:00" in shown


# --- the home page --------------------------------------------------------------------------------
def test_home_page_shows_health_per_company_next_steps_and_links(sample: Workspace) -> None:
    home = HomePage(sample, lang="en")
    assert "13 accounts" in home.summary.value and "No check has run yet" in home.summary.value
    assert "Check every account" in home.next.value and "href='04_bulk_test_send.ipynb'" in home.next.value
    for notebook, _ in STEPS:
        assert f"href='{notebook}'" in home.steps.value
    with Inventory.open(sample) as inventory:
        company = inventory.account("facturas.lupita@gmail.com").company
        name = inventory.company(company).name
    _record(sample, {"facturas.lupita@gmail.com": "ok", VENTAS: "not_configured",
                     "recuperacion.lupita@gmail.com": "bad_credentials"})
    health = fleet_health(sample)
    assert (health.count("ok"), health.count("broken"), health.count("unchecked")) == (1, 2, 10)
    assert health.companies[0].broken >= 1 and health.last_check is not None
    home.reload.click()
    assert "1 ok, 2 need attention, 10 not checked yet" in home.summary.value and "Last check: 20" in home.summary.value
    assert name in home.table.value and f"data-company='{company}'" in home.table.value
    assert "data-action='oauth'" in home.next.value or "data-action='app_password'" in home.next.value
    assert "href='03_two_step_and_app_passwords.ipynb'" in home.next.value or "02_gmail_oauth" in home.next.value
    home.language.value = "es"
    assert "1 bien, 2 necesitan atención" in home.summary.value and "Qué hacer ahora" in home.next.value


def test_account_lists_show_company_names_and_sign_in_words_in_the_language(sample: Workspace) -> None:
    wizard = TroubleshootWizard(sample, lang="en", email="recuperacion.lupita@gmail.com")
    labels = {value: label for label, value in wizard.account.options}
    assert labels["recuperacion.lupita@gmail.com"] == ("recuperacion.lupita@gmail.com (Abarrotes Lupita SA de CV, "
                                                        "Account password (not recommended))")
    wizard.language.value = "es"
    labels = {value: label for label, value in wizard.account.options}
    assert labels["recuperacion.lupita@gmail.com"].endswith("Contraseña de la cuenta (no recomendado))")
    assert wizard.account.value == "recuperacion.lupita@gmail.com"  # the choice survives the relabel
    oauth = OAuthPanel(sample, lang="en", open_browser=False)
    assert (f"{VENTAS} (Ferretería del Norte SA de CV)", VENTAS) in oauth.account.options
