"""The notebook widgets driven headless: set values, click(), assert on the model and on what the
panel shows. Real inventory, real sandbox (SMTP, IMAP, OAuth pages), in-memory keyring."""

from __future__ import annotations

import asyncio
import base64
import html
import os
import re
import socket
import string
import time
from pathlib import Path
from urllib.parse import urlsplit

import ipywidgets as w
import pandas as pd
import pytest

from mailkit.audit import DEFAULT_CONCURRENCY, AuditOptions
from mailkit.errors import UsageError
from mailkit.i18n import LANGS, gettext
from mailkit.inventory import Inventory
from mailkit.oauth.flow import ConsentFlow, ConsentResult
from mailkit.reports import plots as report_plots
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.twostep import state as twostep
from mailkit.ui import (
    AppPasswordForm,
    BulkPanel,
    OAuthPanel,
    ReportView,
    SetupForm,
    TroubleshootWizard,
    TwoStepPanel,
    session,
)
from mailkit.ui.base import LABEL_WIDTH, Panel, busy
from mailkit.ui.consent_box import ConsentBox
from mailkit.ui.hints import remedy_hint, remedy_html
from mailkit.ui.i18n_ui import LABELS, t
from mailkit.ui.oauth_panel import countdown_html, format_left
from mailkit.workspace import Workspace
from tests.browser_fixtures import approve_consent, consent_link, deliver

APP_PASSWORD = "qwhk pznr tvbe lmsa"  # facturas.lupita@gmail.com's fake one in mailkit/assets/sandbox/accounts.toml
VENTAS = "ventas@ferreteria-delnorte.example"


@pytest.fixture
def sample(sandbox_env: object, workspace: Workspace) -> Workspace:
    """The sample inventory and the sandbox's fake secrets in a fresh workspace."""
    assert session.load_sample(workspace) == 13
    return workspace


@pytest.fixture
def ca(sandbox_env: object) -> Path:
    return Path(sandbox_env.info["ca_cert"])  # type: ignore[attr-defined]


# --- labels ---------------------------------------------------------------------------------------
def test_every_label_has_three_languages_with_the_same_fields() -> None:
    fields = string.Formatter()
    for key, msgid in LABELS.items():
        texts = [gettext(lang, msgid) for lang in LANGS]
        assert all(text.strip() for text in texts), key
        names = [{f for _, f, _, _ in fields.parse(text) if f} for text in texts]
        assert names[0] == names[1] == names[2], key
    assert t("save_account", "pl") == "Zapisz konto" and t("save_account", "fr") == "Save account"


def test_language_picker_relabels_the_form(sample: Workspace) -> None:
    form = SetupForm(sample, lang="en")
    assert form.save.description == "Save account"
    form.language.value = "es"
    assert form.save.description == "Guardar cuenta" and form.email.description == "Correo"
    assert "Configuración" in form.title.value


def test_default_language_comes_from_the_environment(sample: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILKIT_LANG", "pl")
    assert SetupForm(sample).save_company.description == "Zapisz firmę"


# --- the busy decorator ---------------------------------------------------------------------------
class _Probe(Panel):
    title_key = "setup_title"

    def build(self) -> list[w.Widget]:
        self.button = w.Button(description="Go")
        return [self.button]

    @busy
    def fail_known(self, button: w.Button | None = None) -> None:
        assert button is not None and button.disabled and button.description == self.t("working")
        raise UsageError("bad input: password=hunter22")

    @busy
    def fail_bug(self, button: w.Button | None = None) -> None:
        raise KeyError("oops")

    @busy
    async def later(self, button: w.Button | None = None) -> str:
        await asyncio.sleep(0)
        return "done"


def test_busy_shows_mailkit_errors_redacted_and_restores_the_button(workspace: Workspace) -> None:
    probe = _Probe(workspace)
    probe.fail_known(probe.button)
    assert probe.alert.kind == "error" and "hunter22" not in probe.alert.value and "[redacted]" in probe.alert.text
    assert not probe.button.disabled and probe.button.description == "Go"


def test_busy_reraises_programming_errors_after_showing_them(workspace: Workspace) -> None:
    probe = _Probe(workspace)
    with pytest.raises(KeyError):
        probe.fail_bug(probe.button)
    assert "KeyError" in probe.alert.text and not probe.button.disabled


def test_busy_schedules_coroutines_on_a_running_loop(workspace: Workspace) -> None:
    probe = _Probe(workspace)

    async def main() -> str:
        task = probe.later(probe.button)
        assert isinstance(task, asyncio.Task) and probe.button.disabled  # returned at once, still working
        return await task

    assert asyncio.run(main()) == "done" and not probe.button.disabled
    assert probe.later(probe.button) == "done"  # no running loop: run to the end


# --- setup form -----------------------------------------------------------------------------------
def test_setup_form_adds_company_and_workspace_account(sandbox_env: object, workspace: Workspace) -> None:
    form = SetupForm(workspace, lang="en")
    form.company_name.value = "Ferretería del Norte SA"
    assert form.company_slug.value == "ferreteria-del-norte-sa"
    form.save_company.click()
    assert form.alert.kind == "success" and form.company.value == "ferreteria-del-norte-sa"

    form.email.value = "no-at-sign"
    assert "not an email address" in form.email_message.value
    form.email.value = VENTAS  # a Workspace domain of the sandbox: Google's servers, not smtp.<domain>
    assert form.provider.value == "workspace" and "Google Workspace" in form.email_message.value
    assert (form.smtp_host.value, form.smtp_port.value, form.security.value) == ("smtp.gmail.com", 587, "starttls")
    assert form.imap_host.value == "imap.gmail.com"
    form.display_name.value = "Ventas"
    form.save.click()
    assert form.alert.kind == "success" and "added" in form.alert.text
    assert VENTAS in form.accounts_list.value
    with Inventory.open(workspace) as inventory:
        stored = inventory.account(VENTAS)
    assert (stored.company, stored.provider, stored.display_name) == ("ferreteria-del-norte-sa", "workspace", "Ventas")


def test_setup_form_reports_bad_fields_in_the_alert(workspace: Workspace) -> None:
    form = SetupForm(workspace, lang="en")
    form.save_company.click()
    assert form.alert.kind == "error" and form.alert.text == "Give the company's name."
    form.email.value = "x@gmail.com"
    form.save.click()  # no company yet
    assert form.alert.kind == "error" and "company" in form.alert.text
    form.company_name.value = "Taller"
    form.save_company.click()
    form.provider.value = "custom"
    assert form.smtp_host.value == ""
    form.email.value = "ventas@taller.example"
    form.provider.value = "custom"
    form.save.click()
    assert form.alert.kind == "error" and form.alert.text.startswith("SMTP host: ")


def test_setup_form_speaks_words_folds_servers_and_empties_after_saving(sandbox_env: object,
                                                                        workspace: Workspace) -> None:
    form = SetupForm(workspace, lang="en")
    assert ("OAuth 2.0 (recommended)", "oauth2") in form.auth.options
    assert ("STARTTLS (port 587)", "starttls") in form.security.options
    assert form.smtp_host in form.advanced.children[0].children and form.advanced.selected_index is None
    form.company_name.value, form.tax_id.value = "Ferretería del Norte SA", "FNO150315QX2"
    form.save_company.click()
    assert form.company.options == (("Ferretería del Norte SA", "ferreteria-del-norte-sa"),)  # the name, no slug
    assert "Ferretería del Norte SA" in form.alert.text and "ferreteria-del-norte-sa" not in form.alert.text
    assert (form.company_name.value, form.company_slug.value, form.tax_id.value) == ("", "", "")
    assert form.alert in form._slots[form.save_company].children  # the message under the button pressed
    form.email.value, form.display_name.value = VENTAS, "Ventas"
    form.save.click()
    assert form.alert in form._slots[form.save].children and form.alert.kind == "success"
    assert "Google Workspace" in form.alert.text and "OAuth 2.0 (recommended)" in form.alert.text
    assert (form.email.value, form.display_name.value, form.email_message.value) == ("", "", "")
    assert "Accounts of Ferretería del Norte SA" in form.accounts_title.value
    assert "STARTTLS (port 587)" in form.accounts_list.value


def test_setup_form_in_spanish_translates_errors_notes_and_options(sandbox_env: object, workspace: Workspace) -> None:
    form = SetupForm(workspace, lang="es")
    form.email.value = "no-at-sign"
    assert "no es una dirección de correo" in form.email_message.value
    form.email.value = VENTAS
    assert "dominio de Google Workspace en el sandbox" in form.email_message.value
    assert ("OAuth 2.0 (recomendado)", "oauth2") in form.auth.options
    form.save_company.click()
    assert form.alert.text == "Escribe el nombre de la empresa."
    form.language.value = "pl"
    assert "domena Google Workspace" in form.email_message.value and form.auth.value == "oauth2"


def test_setup_form_moves_an_account_of_another_company_with_a_button(sandbox_env: object,
                                                                      workspace: Workspace) -> None:
    form = SetupForm(workspace, lang="en")
    for name in ("Taller Uno", "Taller Dos"):
        form.company_name.value = name
        form.save_company.click()
    form.company.value = "taller-uno"
    form.email.value = VENTAS
    form.save.click()
    form.company.value = "taller-dos"
    form.email.value = VENTAS
    form.save.click()
    assert form.alert.kind == "warning" and "belongs to Taller Uno" in form.alert.text
    assert "--move" not in form.alert.text and list(form.move.buttons) == ["move"]
    assert f"mailkit account add {VENTAS} --company taller-dos --move" in form.move.links.value
    with Inventory.open(workspace) as inventory:
        assert inventory.account(VENTAS).company == "taller-uno"  # nothing moved before the click
    form.move.buttons["move"].click()
    with Inventory.open(workspace) as inventory:
        assert inventory.account(VENTAS).company == "taller-dos"
    assert form.alert.kind == "success" and "Moved" in form.alert.text and not form.move.buttons
    assert VENTAS in form.accounts_list.value


# --- OAuth panel ----------------------------------------------------------------------------------
def _connect(sample: Workspace, email: str = VENTAS) -> OAuthPanel:
    panel = OAuthPanel(sample, email=email, open_browser=False, timeout=30, lang="en")
    panel.connect.click()
    assert panel.flow is not None and not panel.cancel.disabled and panel.connect.disabled
    return panel


def _finish(panel: OAuthPanel) -> None:
    panel.waiting.join(20)
    assert not panel.waiting.is_alive()


def test_oauth_consent_ok_shows_the_authorized_account(sample: Workspace, ca: Path) -> None:
    panel = _connect(sample)
    assert "Open this link" in panel.link.value and panel.paste_box.layout.display == "flex"
    deliver(approve_consent(consent_link(panel.link.value), ca))
    _finish(panel)
    assert panel.result is not None and panel.result.ok and panel.alert.kind == "success"
    assert f"authorized (signed in as {VENTAS})" in panel.alert.text
    assert "data-status='ok'" in panel.outcome.value and f"authorized as {VENTAS}" in panel.state.value
    assert secret_store(sample).get_json(VENTAS, SecretKind.OAUTH_TOKEN) is not None
    assert "1//" not in panel.outcome.value + panel.alert.value  # no refresh token on show


def test_oauth_wrong_account_and_missing_scope_show_the_remedy(sample: Workspace, ca: Path) -> None:
    panel = _connect(sample)
    deliver(approve_consent(consent_link(panel.link.value), ca, as_email="facturacion@ferreteria-delnorte.example"))
    _finish(panel)
    assert panel.result.outcome == "wrong_account" and panel.alert.kind == "error"
    assert "oauth_wrong_account" in panel.outcome.value and VENTAS in panel.outcome.value  # the remedy names it

    panel.language.value = "es"
    panel.connect.click()
    deliver(approve_consent(consent_link(panel.link.value), ca, untick=("https://mail.google.com/",)))
    _finish(panel)
    assert panel.result.outcome == "scope_missing"
    assert "oauth_scope_missing" in panel.outcome.value and "Qué hacer" in panel.outcome.value
    assert "<code>mailkit oauth login" in panel.outcome.value and "`" not in panel.outcome.value
    assert list(panel.actions.buttons) == ["oauth"]
    assert panel.actions.buttons["oauth"].description == "Conectar con Google"
    assert "Al consentimiento le falta" in panel.alert.text  # the library's English message, said in Spanish
    assert panel.cancel.layout.display == "none"  # Cancel shows only while a consent is waited for
    assert secret_store(sample).get(VENTAS, SecretKind.OAUTH_TOKEN) is None


def test_oauth_cancel_and_paste_fallback(sample: Workspace, ca: Path) -> None:
    panel = _connect(sample)
    shown = panel.countdown.value  # read once: the countdown's own thread rewrites it meanwhile
    assert re.search(r"Waiting for the browser: \d:\d\d left", shown) or shown == ""
    panel.cancel.click()
    _finish(panel)
    assert panel.result.outcome == "cancelled" and panel.alert.kind == "info" and not panel.connect.disabled
    assert panel.outcome.value == "" and not panel.actions.buttons  # a cancel is a neutral note, not a remedy

    panel.connect.click()
    location = approve_consent(consent_link(panel.link.value), ca)  # the browser could not reach the kernel
    panel.paste.value = "not an address"
    panel.finish.click()
    assert panel.alert.kind == "error" and "not the address" in panel.alert.text
    panel.paste.value = location
    panel.finish.click()
    _finish(panel)
    assert panel.result.ok and panel.alert.kind == "success"


# --- the consent box both panels use --------------------------------------------------------------
class _Host(Panel):
    """The smallest panel around a consent box: a connect button, and the results it hears."""

    title_key = "oauth_title"

    def build(self) -> list[w.Widget]:
        self.connect, self.heard = w.Button(description="Go"), []
        self.box = ConsentBox(self, self.connect, self.heard.append, timeout=30, open_browser=False)
        return [self.connect, self.box.cancel, self.box]

    def relabel(self) -> None:
        self.box.relabel()


def _start(host: _Host, workspace: Workspace) -> ConsentFlow:
    with Inventory.open(workspace) as inventory:
        flow = ConsentFlow(inventory.account(VENTAS), workspace)
    host.box.start(flow, "Open this link <now>")
    assert host.box.flow is flow and host.connect.disabled and host.connect in host.held
    assert host.box.cancel.layout.display == "" and host.box.paste_box.layout.display == "flex"
    return flow


def _heard(host: _Host) -> list[ConsentResult]:
    host.box.waiting.join(20)
    assert not host.box.waiting.is_alive()
    return host.heard


def _port_is_free(flow: ConsentFlow) -> bool:
    try:
        socket.create_connection(("127.0.0.1", urlsplit(flow.redirect_uri).port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_consent_box_completes_from_a_pasted_address(sample: Workspace, ca: Path) -> None:
    host = _Host(sample, lang="es")
    assert host.box.finish.description == "Terminar" and host.box.cancel.layout.display == "none"
    flow = _start(host, sample)
    assert "Open this link &lt;now&gt;" in host.box.link.value and "mailkit-consent-link" in host.box.link.value
    host.box.paste.value = "not an address"
    host.box.finish.click()  # the error goes to the panel's alert; the consent goes on
    assert host.alert.kind == "error" and "not the address" in host.alert.text and not flow.done
    host.box.paste.value = approve_consent(consent_link(host.box.link.value), ca)
    host.box.finish.click()
    assert [result.ok for result in _heard(host)] == [True]  # heard once, from the wait
    assert host.box.link.value == host.box.countdown.value == "" and host.box.paste_box.layout.display == "none"
    assert not host.connect.disabled and host.connect not in host.held and _port_is_free(flow)


def test_consent_box_cancel_hides_cancel_and_frees_the_flow(sample: Workspace) -> None:
    host = _Host(sample, lang="en")
    replaced = _start(host, sample)
    first_wait = host.box.waiting
    flow = _start(host, sample)  # a newer consent: the older one is cancelled and not shown
    first_wait.join(20)
    assert replaced.done and _port_is_free(replaced) and host.heard == [] and host.box.flow is flow
    host.box.cancel.click()
    assert [result.outcome for result in _heard(host)] == ["cancelled"]
    assert host.box.cancel.layout.display == "none" and host.box.cancel.disabled and not host.connect.disabled
    assert flow.done and _port_is_free(flow)
    host.box.close_flow()
    assert host.box.flow is None


def test_cancel_stays_disabled_when_the_wait_ends_before_the_click_does(sample: Workspace,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The interleaving seen under load: the background wait stops the box (Cancel hidden and disabled)
    before the Cancel click's own wrapper puts its button back; the button must stay disabled."""
    host = _Host(sample, lang="en")
    flow = _start(host, sample)
    real_cancel = flow.cancel

    def cancel_then_wait_ends_first(*args):
        result = real_cancel(*args)
        host.box.waiting.join(20)  # the wait has shown the result and stopped the box
        return result

    monkeypatch.setattr(flow, "cancel", cancel_then_wait_ends_first)
    host.box.cancel.click()
    assert host.box.cancel.disabled and host.box.cancel.layout.display == "none" and not host.connect.disabled
    assert [result.outcome for result in _heard(host)] == ["cancelled"]


def test_countdown_format() -> None:
    assert (format_left(420), format_left(61.5), format_left(-3)) == ("7:00", "1:01", "0:00")


# --- 2SV and app passwords ------------------------------------------------------------------------
def test_twostep_check_reads_the_directory_and_records_manual_confirmation(sample: Workspace) -> None:
    panel = TwoStepPanel(sample, company="ferreteria-delnorte", lang="en")
    assert "Google Workspace" in panel.steps.value and "myaccount.google.com/apppasswords" in panel.steps.value
    panel.check.click()
    assert panel.alert.kind == "info"
    sources = {s.email: (s.state, s.source) for s in panel.results}
    assert sources["facturacion@ferreteria-delnorte.example"] == ("on", "directory")
    assert sources[VENTAS] == ("off", "directory")
    assert "directory" in panel.table.value

    panel.account.value = VENTAS
    assert panel.state.value is None  # "on" is never assumed
    panel.confirm.click()
    assert panel.alert.kind == "error" and "Choose what the Security page shows" in panel.alert.text
    panel.state.value = "on"
    panel.confirm.click()  # nobody named
    assert panel.alert.kind == "error" and "who looked" in panel.alert.text
    panel.confirmed_by.value = "Ana"
    panel.confirm.click()
    with Inventory.open(sample) as inventory:
        found = twostep.stored(inventory, VENTAS)
    assert (found.state, found.source, found.confirmed_by) == ("on", "manual", "Ana") and "Ana" in panel.table.value


def test_twostep_choices_follow_the_language_and_keep_the_selection(sample: Workspace) -> None:
    panel = TwoStepPanel(sample, company="ferreteria-delnorte", lang="en", open_browser=False)
    assert panel.company.options[0] == ("(all)", "") and panel.state.options == (("on", "on"), ("off", "off"))
    panel.state.value = "off"
    panel.language.value = "es"
    assert panel.company.options[0] == ("(todas)", "") and panel.company.value == "ferreteria-delnorte"
    assert panel.state.options == (("activada", "on"), ("desactivada", "off")) and panel.state.value == "off"
    assert panel.connect_admin.description == "Conectar como administrador de Workspace"  # i18n_ui's labels
    assert "Acceso al directorio" in panel.directory_state.value
    panel.company.value = ""
    panel.language.value = "pl"
    assert panel.company.options[0] == ("(wszystkie)", "") and panel.company.value == ""
    assert len(panel.account.options) == 13  # "(all)" still means every company


def test_twostep_layout_matches_the_other_panels(sample: Workspace) -> None:
    panel = TwoStepPanel(sample, lang="es", open_browser=False)
    oauth = OAuthPanel(sample, lang="es", open_browser=False)
    assert panel.company.layout.width == panel.account.layout.width == oauth.account.layout.width == "660px"
    # the Status label beside its buttons, in the description column every labelled widget has
    assert "widget-inline-hbox" in panel.state._dom_classes and panel.state.style.description_width == LABEL_WIDTH
    assert panel.connect_admin.layout.width == "auto"  # as wide as "Conectar como administrador de Workspace"
    rows = [box for box in panel.children[5].children if isinstance(box, w.HBox)]
    assert panel.connect_admin in rows[0].children and rows[0].layout.flex_flow == "row wrap"
    for lang in LANGS:  # mailkit's own example address, escaped but not redacted
        panel.language.value = oauth.language.value = lang
        shown = html.unescape(panel.paste_help.value)
        assert "code=…" in shown and "redacted" not in shown and panel.paste_help.value == oauth.paste_help.value


def test_twostep_cancel_shows_only_while_the_admin_consent_waits(sample: Workspace) -> None:
    panel = TwoStepPanel(sample, lang="en", open_browser=False, timeout=30)
    assert panel.cancel_admin.layout.display == "none" and panel.cancel_admin.disabled
    panel.admin.value = "admin@ferreteria-delnorte.example"
    panel.connect_admin.click()
    assert panel.cancel_admin.layout.display == "" and not panel.cancel_admin.disabled
    deadline = time.monotonic() + 5
    while not panel.countdown.value and time.monotonic() < deadline:
        time.sleep(0.02)
    assert "mailkit-spinner" in panel.countdown.value and "Waiting for the browser" in panel.countdown.value
    panel.cancel_admin.click()
    panel.waiting.join(20)
    assert panel.consent.outcome == "cancelled" and panel.cancel_admin.layout.display == "none"
    assert panel.countdown.value == "" and not panel.connect_admin.disabled


def test_countdown_has_no_emoji() -> None:
    shown = countdown_html("Waiting for the browser: 6:59 left <now>")
    assert "mailkit-spinner" in shown and "&lt;now&gt;" in shown
    assert all(ord(c) < 0x2300 for c in shown)  # no emoji or symbol a plain font lacks


def test_app_password_form_validates_tests_stores_and_clears(sample: Workspace) -> None:
    form = AppPasswordForm(sample, email="facturas.lupita@gmail.com", lang="en")
    assert isinstance(form.secret, w.Password)
    form.secret.value = "qwhk pznr"
    assert "8" in form.feedback.value and "qwhk" not in form.feedback.value
    form.secret.value = "qwhk pznr tvbe lmsz"  # well formed, but not this account's
    assert "mailkit-apppw-ok" in form.feedback.value
    form.save.click()
    assert form.secret.value == "" and form.alert.kind == "error" and "(Wrong password)" in form.alert.text
    assert form.alert.text.lower().count("did not sign in") == 1  # the form's headline, not the library's again
    assert form.alert in form._slots[form.save].children  # under the button
    assert form.actions.fixes == ("twostep", "troubleshoot") and "mailkit twostep confirm" in form.actions.links.value
    assert secret_store(sample).get("facturas.lupita@gmail.com", SecretKind.APP_PASSWORD) == "qwhkpznrtvbelmsa"

    secret_store(sample).delete("facturas.lupita@gmail.com", SecretKind.APP_PASSWORD)
    form.secret.value = APP_PASSWORD.upper()
    form.save.click()
    assert form.secret.value == "" and form.alert.kind == "success" and form.outcome.stored
    assert APP_PASSWORD.replace(" ", "") not in form.alert.value
    assert secret_store(sample).get("facturas.lupita@gmail.com", SecretKind.APP_PASSWORD) == "qwhkpznrtvbelmsa"


# --- bulk, report, troubleshooting ----------------------------------------------------------------
def test_bulk_panel_fills_the_table_and_report_shows_it(sample: Workspace, tmp_path: Path) -> None:
    bulk = BulkPanel(sample, companies=["abarrotes-lupita"], lang="en")
    assert set(bulk.accounts.value) == {"facturas.lupita@gmail.com", "recuperacion.lupita@gmail.com"}
    bulk.attachments.value = True
    bulk.start.click()
    assert bulk.progress.value == bulk.progress.max == 2 and "2 of 2 done" in bulk.progress_label.value
    statuses = {r.email: r.status.value for r in bulk.results}
    assert statuses == {"facturas.lupita@gmail.com": "ok", "recuperacion.lupita@gmail.com": "app_password_required"}
    body = bulk.table.body.value
    assert body.count("<tr data-status=") == 2 and "app password" in body.lower()
    assert body.index("data-status='app_password_required'") < body.index("data-status='ok'")  # problems first
    assert "Step: <a class='mailkit-step-link' href='02_gmail_oauth.ipynb'" in body  # by `oauth login`
    assert ">Connect with Google</a>" in body and "<code>mailkit oauth login EMAIL</code>" in body
    assert "Abarrotes" in body and "abarrotes-lupita" not in body  # the company's name, not its id
    assert bulk.alert.text == "Finished: 1 ok, 1 need attention."
    bulk.language.value = "es"  # the rows already shown follow the picker
    body = bulk.table.body.value
    assert "Respuesta del servidor" in body and "Paso:" in body and "Step:" not in body

    default = ReportView(sample, lang="en")  # the workspace's own reports/ folder, created on the first export
    default.exports["csv"].click()
    assert default.exported[-1].parent == sample.home / "reports" and default.exported[-1].stat().st_size > 0
    report = ReportView(sample, lang="en", export_dir=tmp_path)
    assert report.table.body.value.count("<tr data-status=") == 13 and "mailkit-report" in report.table.body.value
    report.status.value = "app_password_required"
    assert list(report.shown["email"]) == ["recuperacion.lupita@gmail.com"]
    report.status.value, report.company.value = "", "abarrotes-lupita"
    assert len(report.shown) == 2
    for fmt, button in report.exports.items():
        button.click()
        assert report.exported[-1].suffix == f".{fmt}" and report.exported[-1].stat().st_size > 0
    assert bytes(report.plot_company.value)[:4] == bytes(report.plot_trend.value)[:4] == b"\x89PNG"
    report.language.value = "pl"
    assert "Eksportuj" in report.exports["csv"].description
    assert "Nie trzeba nic robić." in report.table.body.value  # causes and remedies follow the picker too
    assert "Ostatnie sprawdzenie" in report.table.body.value  # the panel's own short headings
    report.all_columns.value = True
    assert "odpowiedź serwera" in report.table.body.value  # every column, with the report's headings
    assert report.empty.layout.display == "none"


def test_bulk_panel_shows_an_account_waiting_to_retry(sample: Workspace) -> None:
    """kontakt.nowak@ is told "try again later" once: its row says so until the retry's result replaces it."""
    # 3 s: the countdown has two ticks to be seen even when a busy machine delays one
    bulk = BulkPanel(sample, companies=["sklep-nowak"], lang="es", audit_options=AuditOptions(later_delay=3.0))
    bulk.accounts.value = ("kontakt.nowak@gmail.com", "wysylka.nowak@gmail.com")
    waiting: list[str] = []

    async def main() -> None:
        bulk.start.click()
        while not bulk.task.done():
            if "mailkit-retry" in bulk.waiting.value and bulk.waiting.value not in waiting:
                waiting.append(bulk.waiting.value)
            await asyncio.sleep(0.02)
        await bulk.task

    asyncio.run(main())
    # 3 s with up to 25 % jitter (audit.retry_delay): shown first as 3 or 4 s, then counting down
    said = r"reintento en ([\d.]+) s: Demasiados intentos por ahora"  # the status in words, its code kept in data-retry
    left = [float(m.group(1)) for seen in waiting for m in [re.search(said, seen)] if m]
    assert waiting and left and left[0] in (3.0, 4.0) and "data-retry='rate_limited'" in waiting[0]
    assert any(later < left[0] for later in left[1:])  # the countdown ticks
    assert "kontakt.nowak@<wbr>gmail.com" in waiting[0]
    assert [(n.email, n.attempt) for n in bulk.retries] == [("kontakt.nowak@gmail.com", 1)]
    assert bulk.waiting.value == "" and bulk.table.body.value.count("<tr data-status=") == 2
    assert {r.email: r.attempts for r in bulk.results}["kontakt.nowak@gmail.com"] == 2


def test_bulk_panel_selects_every_company(sample: Workspace) -> None:
    bulk = BulkPanel(sample, lang="en")
    assert bulk.companies.value == ("abarrotes-lupita",)
    bulk.all_companies.click()
    assert len(bulk.companies.value) == 5 and len(bulk.accounts.value) == 13


def test_empty_report_offers_to_run_the_audit(sample: Workspace) -> None:
    report = ReportView(sample, lang="en", audit_options=AuditOptions(later_delay=0.1))  # no 20 s rate-limit wait
    assert report.unchecked and report.empty.layout.display == "flex"
    assert "Run the audit now" in report.empty_note.value and report.run_audit.description == "Run the audit now"
    assert "mailkit-hint" not in report.table.body.value  # the note says it once, not on every row
    assert report.plot_company.layout.display == "none"  # grey bars and no runs say nothing
    report.run_audit.click()
    assert report.summary.state == "finished" and not report.unchecked
    assert report.empty.layout.display == "none" and report.alert.text.startswith("Finished:")
    assert report.plot_trend.layout.display == "" and bytes(report.plot_trend.value)[:4] == b"\x89PNG"
    assert "href='02_gmail_oauth.ipynb' target='_blank'>Connect with Google</a>" in report.table.body.value
    assert set(report.frame["status"]) >= {"ok", "app_password_required", "not_configured"}


def test_remedy_hints_point_to_the_panel_with_the_button() -> None:
    both = "run `mailkit secret set x@y.z` ... or `mailkit oauth login x@y.z`"
    assert remedy_hint(both, "en") == ("Step: Connect with Google, button “Connect with Google”; "
                                       "2-Step Verification and app passwords, the app-password form.")
    assert remedy_hint(both, "es", here="hint_oauth").startswith("O haz clic en “Conectar con Google” arriba. Paso: ")
    assert remedy_hint("lower concurrency (`mailkit audit --concurrency 2`)", "pl") == \
        "Krok: Masowa wysyłka testowa, mniejsza wartość „Naraz”."
    assert remedy_hint("Nothing to do.", "en") == "" and remedy_html("a <b>", "en") == "a &lt;b&gt;"
    assert remedy_html("run `mailkit audit`", "en").startswith("run <code>mailkit audit</code>")


def test_trend_of_a_single_run_is_two_bars_from_zero() -> None:
    axes = report_plots.trend(pd.DataFrame({"run_id": [3], "ok": [4], "broken": [10]})).axes[0]
    assert len(axes.patches) == 2 and axes.get_ylim()[0] == 0 and axes.get_xlabel() == "audit run 3"
    assert all(float(tick).is_integer() for tick in axes.get_yticks())
    lines = report_plots.trend(pd.DataFrame({"run_id": [1, 2], "ok": [1, 2], "broken": [3, 1]})).axes[0]
    assert len(lines.lines) == 2 and not lines.patches and lines.get_ylim()[0] == 0


def test_bulk_stop_ends_the_run(sample: Workspace) -> None:
    bulk = BulkPanel(sample, companies=["taller-ruiz", "abarrotes-lupita"], lang="en")
    bulk.concurrency.value = 1

    async def main() -> None:
        task = bulk.start.click() or bulk.task
        while not bulk.results:
            await asyncio.sleep(0.01)
        bulk.stop.click()
        await task

    asyncio.run(main())
    assert bulk.summary.state == "interrupted" and bulk.alert.kind == "warning"
    assert len(bulk.results) < len(bulk.accounts.value) and "Stopped after" in bulk.alert.text
    checked = {r.email for r in bulk.results}
    assert bulk.skipped == [e for e in bulk.accounts.value if e not in checked] and bulk.skipped
    assert all(html.unescape(e.replace("@", "@<wbr>")) in html.unescape(bulk.outcome.value) for e in bulk.skipped)
    assert bulk.resume.layout.display == "" and "Resume" in bulk.resume.description
    run_id = bulk.summary.run_id
    bulk.resume.click()  # the same run finishes: only the skipped accounts are checked
    assert bulk.summary.state == "finished" and bulk.summary.run_id == run_id
    assert sorted(r.email for r in bulk.results) == sorted(bulk.accounts.value)
    assert bulk.progress.value == bulk.progress.max and bulk.resume.layout.display == "none"
    assert bulk.outcome.value == "" and bulk.alert.text.startswith("Finished:")
    assert bulk.table.body.value.count("<tr data-status=") == len(bulk.accounts.value)
    bulk.alert.warning("the last run's summary")
    seen: list[tuple[str, str]] = []

    async def again() -> None:
        bulk.start.click()
        await asyncio.sleep(0)
        seen.append((bulk.alert.text, bulk.outcome.value))
        await bulk.task

    asyncio.run(again())  # a new run starts from a clean slate: no summary of the previous one
    assert seen == [("", "")] and bulk.alert.text.startswith("Finished:")
    assert len(bulk.results) == len(bulk.accounts.value)


def test_bulk_at_once_starts_at_the_cli_default_and_is_wide(sample: Workspace) -> None:
    bulk = BulkPanel(sample, lang="en")
    assert bulk.concurrency.value == DEFAULT_CONCURRENCY == 32 and bulk.concurrency.max >= 32
    assert bulk.concurrency.layout.width == "440px"
    assert bulk.companies.options[0][0] == "Abarrotes Lupita SA de CV"  # names, not ids


def test_report_filters_reach_the_table_the_plot_and_the_downloads(sample: Workspace, tmp_path: Path) -> None:
    bulk = BulkPanel(sample, lang="en", audit_options=AuditOptions(later_delay=0.1))
    bulk.select_all()
    bulk.start.click()
    report = ReportView(sample, lang="en", export_dir=tmp_path)
    everything = bytes(report.plot_company.value)
    report.table.problems_only.value = True
    problems = set(report.shown["email"])
    assert 0 < len(problems) < 13 and "ok" not in set(report.shown["status"])
    assert report.table.body.value.count("<tr data-status=") == len(problems)
    assert bytes(report.plot_company.value) != everything  # the plot follows the filter
    report.exports["csv"].click()
    path = report.exported[-1]
    assert set(pd.read_csv(path, encoding="utf-8-sig")["email"]) == problems  # so does the export
    note = report.export_note.value
    found = re.search(r"download='([^']+)' href='data:text/csv;base64,([^']+)'", note)
    assert found and found.group(1) == path.name and base64.b64decode(found.group(2)) == path.read_bytes()
    assert "Written:" in note and any(report.export_note in box.children and report.exports["csv"] in box.children
                                      for box in report.children if isinstance(box, w.HBox))
    report.table.problems_only.value = False
    report.company.value = "abarrotes-lupita"
    report.exports["xlsx"].click()
    from openpyxl import load_workbook

    sheet = load_workbook(report.exported[-1]).worksheets[0]
    emails = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert emails == {"facturas.lupita@gmail.com", "recuperacion.lupita@gmail.com"}
    assert "Abarrotes Lupita SA de CV" in report.table.body.value and "abarrotes-lupita" not in report.table.body.value


def test_troubleshoot_shows_steps_transcript_cause_and_remedy(sample: Workspace) -> None:
    wizard = TroubleshootWizard(sample, email="recuperacion.lupita@gmail.com", lang="en")
    assert wizard.steps.value.count("data-state='not-run'") == 7
    wizard.run.click()
    states = dict(re.findall(r"data-step='(\w+)' data-state='([\w-]+)'", wizard.steps.value))
    assert states == {"dns": "ok", "tcp": "ok", "tls": "ok", "ehlo": "ok", "auth": "failed", "send": "not-run",
                      "imap": "failed"}
    assert "data-status='app_password_required'" in wizard.verdict.value and "What to do" in wizard.verdict.value
    assert "<code>mailkit secret set" in wizard.verdict.value and wizard.send_to.layout.display == "none"
    assert wizard.actions.fixes == ("app_password", "twostep", "oauth")
    assert "href='03_two_step_and_app_passwords.ipynb'" in wizard.actions.links.value
    opened = wizard.actions.run("app_password")  # the button opens the fixing panel, on this account
    assert isinstance(opened, AppPasswordForm) and opened.account.value == "recuperacion.lupita@gmail.com"
    assert wizard.actions.opened.children == (opened,)
    assert len(wizard.transcript.children) == 2 and wizard.transcript.selected_index is None
    assert "EHLO" in wizard.transcript.children[0].value and "Recupera-2020" not in wizard.transcript.children[0].value

    wizard.account.value = "facturas.lupita@gmail.com"
    wizard.send.value = True
    assert wizard.send_to.layout.display == ""  # the recipient field comes with the tick
    wizard.run.click()
    states = dict(re.findall(r"data-step='(\w+)' data-state='([\w-]+)'", wizard.steps.value))
    assert set(states.values()) == {"ok"} and "Everything works" in wizard.verdict.value
    assert "qwhkpznrtvbelmsa" not in "".join(c.value for c in wizard.transcript.children)


# --- the session ----------------------------------------------------------------------------------
def test_session_with_a_running_sandbox_uses_it(sandbox_env: object, workspace: Workspace,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "_SESSION", None)
    started = session.start(lang="es")
    assert started.mode == "sandbox" and started.sandbox is None and started.loaded == 13
    assert started.banner().startswith("Modo sandbox") and session.current_workspace() == workspace
    assert session.start() is started  # running the cell again
    assert started.workspace.setting("directory.admin") == "admin@ferreteria-delnorte.example"


def test_session_starts_its_own_sandbox_when_nothing_is_configured(workspace: Workspace,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "_SESSION", None)
    started = session.start(lang="en")
    shared = started.sandbox
    try:
        assert started.sandboxed and shared is not None
        assert started.workspace.home == workspace.home / "sandbox"
        # the workspace's background sandbox, in its own process, its state in the workspace
        assert shared.pid != os.getpid() and shared.info_path == workspace.home / "sandbox" / "sandbox" / "sandbox.json"
        assert "Sandbox mode" in started._repr_html_()
        with Inventory.open(started.workspace) as inventory:
            assert len(inventory.accounts()) == 13
    finally:
        started.stop()
        if shared is not None:
            shared.stop()
    assert "MAILKIT_SANDBOX" not in os.environ


def test_session_in_google_mode_starts_nothing(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session, "_SESSION", None)
    workspace.oauth_client_path.write_text("{}", encoding="utf-8")
    started = session.start(lang="en")
    assert started.mode == "google" and started.sandbox is None and started.loaded == 0
    assert started.banner().startswith("Google mode")
    monkeypatch.setattr(session, "_SESSION", None)
