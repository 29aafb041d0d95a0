"""What the admin sees: JupyterLab in headless Chromium runs the notebooks, the forms are filled, the
sandbox's consent page is completed in its own tab, every company gets a test send and the report
shows the mix. Screenshots go to test-artifacts/ (setup form filled, OAuth panel after consent,
report view: the picture in README.md is docs/report-view.png, taken from that one).

Waits are on what the page shows, never on time: the kernel named idle in the status bar (the
toolbar's execution indicator says idle before any kernel exists), the Run menu's item enabled,
every cell queued, then every cell numbered."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from mailkit.app.steps import TITLES
from mailkit.i18n import text
from tests.browser_fixtures import Lab, browser, lab, screenshot, screenshot_path  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]

TIMEOUT = 20_000  # one step on the page (ms)
RUN_TIMEOUT = 45_000  # a notebook's cells, kernel start and sandbox included (ms)
VENTAS = "ventas@ferreteria-delnorte.example"
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\) \| Idle")


def _every_prompt(pattern: str) -> str:
    """A page function: true once every code cell of the visible notebook shows a prompt matching `pattern`."""
    return ("() => { const p = [...document.querySelectorAll("
            "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];"
            f" return p.length > 0 && p.every(e => /{pattern}/.test(e.textContent)); }}")


QUEUED = _every_prompt(r"\[(\*|\d+)\]")  # the kernel took the Run All: every cell queued or done
DONE = _every_prompt(r"\[\d+\]")  # every cell has run


@pytest.fixture
def page(browser: object, lab: Lab) -> Iterator[object]:  # noqa: F811 - the fixtures above
    """A fresh browser context (the sandbox's own CA: HTTPS errors ignored there); kernels closed after."""
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    context.set_default_timeout(TIMEOUT)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/]).*"), lambda route: route.abort())
    yield context.new_page()
    context.close()
    for session in requests.get(f"{lab.url}/api/sessions", params={"token": lab.token}, timeout=10).json():
        requests.delete(f"{lab.url}/api/sessions/{session['id']}", params={"token": lab.token}, timeout=10)


def run_notebook(page: object, lab: Lab, name: str, ready: str) -> None:  # noqa: F811
    """Open a notebook, Run All Cells once its kernel is idle, wait until every cell has run and the
    button `ready` shows. A screenshot of the page is kept when it does not get there."""
    page.goto(lab.page_url(name))  # type: ignore[attr-defined]
    try:
        page.wait_for_selector(".jp-NotebookPanel-toolbar")  # type: ignore[attr-defined]
        chooser = page.locator(".jp-Dialog button", has_text="Select")  # type: ignore[attr-defined]
        if chooser.count():  # JupyterLab asks for the kernel when it cannot pick one by itself
            chooser.first.click()
        page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).first.wait_for(timeout=RUN_TIMEOUT)  # type: ignore[attr-defined]
        run_all(page)
        page.wait_for_function(DONE, timeout=RUN_TIMEOUT)  # type: ignore[attr-defined]
        page.locator(".jp-StatusBar-TextItem", has_text=KERNEL_IDLE).first.wait_for()  # type: ignore[attr-defined]
        button(page, ready).wait_for()
    except Exception:
        screenshot(page, f"failed-{name}")
        raise


def run_all(page: object, attempts: int = 3) -> None:
    """Run ▸ Run All Cells, clicked only while the menu offers it enabled; clicked again if the cells were
    not queued (a click that lands while JupyterLab is still making the notebook current does nothing)."""
    label = page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$"))  # type: ignore[attr-defined]
    item = page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has=label)  # type: ignore[attr-defined]
    for attempt in range(attempts):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()  # type: ignore[attr-defined]
        item.first.click()
        try:
            page.wait_for_function(QUEUED, timeout=5_000)  # type: ignore[attr-defined]
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            warnings.warn("Run All Cells was not taken by the notebook: clicked again", stacklevel=2)
            page.keyboard.press("Escape")  # type: ignore[attr-defined]


def button(page: object, text: str) -> object:
    return page.locator("button.jupyter-button", has_text=text).first  # type: ignore[attr-defined]


def test_setup_form_detects_the_provider_saves_and_lists(page: object, lab: Lab) -> None:  # noqa: F811
    run_notebook(page, lab, "01_company_setup.ipynb", "Save company")
    assert page.locator(".jp-OutputArea-output", has_text="Sandbox mode").count() >= 1  # type: ignore[attr-defined]
    page.get_by_label("Company name").fill("Papelería Gómez")  # type: ignore[attr-defined]
    page.get_by_label("Company name").press("Tab")  # type: ignore[attr-defined]
    page.get_by_label("Tax id").fill("PGO010101AA1")  # type: ignore[attr-defined]
    page.get_by_label("Tax id").press("Tab")  # type: ignore[attr-defined]
    button(page, "Save company").click()
    page.locator(".mailkit-alert-success", has_text="Papelería Gómez").wait_for()  # type: ignore[attr-defined]

    email = page.get_by_label("Email", exact=True)  # type: ignore[attr-defined]
    email.fill("compras@ferreteria-delnorte.example")
    email.press("Tab")
    page.locator(".mailkit-note-success", has_text="Google Workspace").wait_for()  # type: ignore[attr-defined]
    assert page.get_by_label("SMTP host").input_value() == "smtp.gmail.com"  # type: ignore[attr-defined]
    page.get_by_label("Display name").fill("Papelería Gómez - Compras")  # type: ignore[attr-defined]
    page.get_by_label("Display name").press("Tab")  # type: ignore[attr-defined]
    button(page, "Save account").click()
    page.locator(".mailkit-alert-success", has_text="Account compras@ferreteria-delnorte.example added").wait_for()  # type: ignore[attr-defined]
    listed = page.locator("table.mailkit-accounts tbody tr")  # type: ignore[attr-defined]
    assert listed.count() == 1 and "compras@ferreteria-delnorte.example" in listed.first.inner_text()
    assert "Google Workspace" in listed.first.inner_text() and "STARTTLS (port 587)" in listed.first.inner_text()
    screenshot(page, "setup-form")

    page.locator("select", has=page.locator("option", has_text="Español")).first.select_option(label="Español")  # type: ignore[attr-defined]
    button(page, "Guardar cuenta").wait_for()  # the language picker relabels the form in the page
    assert page.get_by_label("Nombre de la empresa").count() == 1  # type: ignore[attr-defined]


def test_oauth_consent_in_a_new_tab_ends_ok(page: object, lab: Lab) -> None:  # noqa: F811
    run_notebook(page, lab, "02_gmail_oauth.ipynb", "Connect with Google")
    page.get_by_label("Account").select_option(label=f"{VENTAS} (Ferretería del Norte SA de CV)")  # type: ignore[attr-defined]
    button(page, "Connect with Google").click()
    link = page.locator("a.mailkit-consent-link")  # type: ignore[attr-defined]
    link.wait_for()
    page.locator(".mailkit-countdown").wait_for()  # type: ignore[attr-defined]
    with page.context.expect_page() as opened:  # type: ignore[attr-defined]
        link.click()
    consent = opened.value
    consent.wait_for_selector("#consent-continue")
    assert consent.locator("#consent-account").inner_text().strip() == VENTAS
    scopes = consent.locator("input[name=scope]")
    assert scopes.count() == 3 and all(scopes.nth(i).is_checked() for i in range(3))
    consent.click("#consent-continue")
    consent.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/\?"))
    consent.get_by_text("mailkit received Google's answer").wait_for()
    consent.close()

    result = page.locator(".mailkit-oauth-result[data-status=ok]")  # type: ignore[attr-defined]
    result.wait_for()
    assert VENTAS in result.inner_text()
    assert page.locator(".mailkit-alert-success", has_text=f"signed in as {VENTAS}").count() == 1  # type: ignore[attr-defined]
    assert page.locator(".mailkit-oauth-state", has_text=f"authorized as {VENTAS}").count() == 1  # type: ignore[attr-defined]
    screenshot(page, "oauth-after-consent")


def test_bulk_send_to_every_company_then_report_view(page: object, lab: Lab) -> None:  # noqa: F811
    page.set_viewport_size({"width": 1500, "height": 2600})  # type: ignore[attr-defined]  # the whole report
    run_notebook(page, lab, "04_bulk_test_send.ipynb", "Start")
    button(page, "All companies").click()
    accounts = page.locator("select[multiple]").nth(1).locator("option")  # type: ignore[attr-defined]
    page.wait_for_function("n => document.querySelectorAll('select[multiple]')[1].options.length >= n", arg=13)  # type: ignore[attr-defined]
    total = accounts.count()
    button(page, "Start").click()
    # a rate-limited account waits out Google's "try again later" (20 s), counting down: Stop leaves it unchecked
    page.locator(".mailkit-retry", has_text="kontakt.nowak@").wait_for(timeout=RUN_TIMEOUT)  # type: ignore[attr-defined]
    button(page, "Stop").click()
    skipped = page.locator(".mailkit-skipped")  # type: ignore[attr-defined]
    skipped.wait_for()
    assert "kontakt.nowak@" in skipped.inner_text()  # the accounts the Stop left, by address
    button(page, "Resume").click()  # the same run goes on with them
    page.locator(".mailkit-progress", has_text=f"{total} of {total} done").wait_for(timeout=RUN_TIMEOUT)  # type: ignore[attr-defined]
    assert skipped.count() == 0 or not skipped.is_visible()
    page.locator(".mailkit-alert-warning", has_text="Finished").wait_for()  # type: ignore[attr-defined]
    rows = page.locator("table.mailkit-bulk tbody tr[data-status]")  # type: ignore[attr-defined]
    shown = "n => document.querySelectorAll('table.mailkit-bulk tbody tr[data-status]').length == n"
    page.wait_for_function(shown, arg=total)  # type: ignore[attr-defined]  # the last batch follows within a redraw
    statuses = [rows.nth(i).get_attribute("data-status") for i in range(total)]
    assert {"ok", "app_password_required", "not_configured"} <= set(statuses)  # a realistic mix, not one status
    assert statuses.index("ok") > max(i for i, s in enumerate(statuses) if s != "ok")  # problems first
    hint = page.locator("table.mailkit-bulk .mailkit-hint a[href='02_gmail_oauth.ipynb']")  # type: ignore[attr-defined]
    assert hint.count() >= 1  # a remedy naming `mailkit oauth login` links the OAuth step, by its title
    assert hint.first.inner_text() == TITLES["02_gmail_oauth.ipynb"]  # English: the msgid
    slider = page.locator(".widget-slider", has_text="At once").locator(".slider-container").first  # type: ignore[attr-defined]
    assert slider.bounding_box()["width"] > 200  # a usable track, not a 14 px stub
    screenshot(page, "bulk-all-companies")

    run_notebook(page, lab, "05_status_report.ipynb", "Export xlsx")
    rows = page.locator("table.mailkit-report tbody tr[data-status]")  # type: ignore[attr-defined]
    assert rows.count() == total
    text = page.locator("table.mailkit-report").inner_text()  # type: ignore[attr-defined]
    assert "app_password_required" in text and "facturas.lupita@gmail.com" in text
    assert "not checked yet" not in text and page.locator(".mailkit-empty").count() == 0  # type: ignore[attr-defined]
    plots = page.locator("img.widget-image")  # type: ignore[attr-defined]
    plots.nth(1).wait_for()
    page.wait_for_function("() => [...document.querySelectorAll('img.widget-image')].every(i => i.naturalWidth)")  # type: ignore[attr-defined]
    button(page, "Export xlsx").click()
    link = page.locator("a.mailkit-download", has_text=".xlsx")  # type: ignore[attr-defined]
    link.wait_for()  # next to the button, with "Written: …"
    with page.expect_download() as download:  # type: ignore[attr-defined]
        link.click()
    saved = download.value.path()
    assert download.value.suggested_filename.endswith(".xlsx") and saved.read_bytes()[:2] == b"PK"  # the file arrives
    report = page.locator(".mailkit-panel").first  # type: ignore[attr-defined]
    report.evaluate("e => e.scrollIntoView({block: 'start'})")  # the notebook scrolls inside the page
    panel, first_plot = report.bounding_box(), plots.first.bounding_box()
    bottom = min(first_plot["y"] + first_plot["height"] + 2, page.viewport_size["height"])  # type: ignore[attr-defined]
    clip = {"x": panel["x"], "y": panel["y"], "width": panel["width"], "height": bottom - panel["y"]}
    page.screenshot(path=str(screenshot_path("report-view")), clip=clip)  # type: ignore[attr-defined]  # docs/report-view.png


def test_a_remedy_button_opens_the_panel_that_fixes_it_in_spanish(page: object, lab: Lab) -> None:  # noqa: F811
    """Troubleshooting in Spanish: an account that signs in with its account password fails; the fix is a button
    that opens the app-password form right there, on that account, in Spanish."""
    run_notebook(page, lab, "06_troubleshooting.ipynb", "Run the checks")
    page.locator("select", has=page.locator("option", has_text="Español")).first.select_option(label="Español")  # type: ignore[attr-defined]
    button(page, "Ejecutar las comprobaciones").wait_for()
    account = page.get_by_label("Cuenta")  # type: ignore[attr-defined]
    account.select_option(label=account.locator("option", has_text="recuperacion.lupita@gmail.com").inner_text())
    button(page, "Ejecutar las comprobaciones").click()
    page.locator(".mailkit-verdict[data-status=app_password_required]").wait_for()  # type: ignore[attr-defined]
    assert page.locator(".mailkit-verdict code", has_text="mailkit secret set").count() >= 1  # type: ignore[attr-defined]
    fix = page.locator("button.mailkit-action-app_password")  # type: ignore[attr-defined]
    assert fix.inner_text().strip() == "Guardar la contraseña de aplicación"
    fix.click()
    opened = page.locator(".mailkit-actions .mailkit-panel")  # type: ignore[attr-defined]
    opened.locator("h3", has_text="Contraseña de aplicación").wait_for()
    chosen = opened.locator("select").nth(1)  # the language picker first, then the account
    shown = chosen.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")  # ipywidgets' spaces
    assert shown == ("recuperacion.lupita@gmail.com (Abarrotes Lupita SA de CV, "
                     "Contraseña de la cuenta (no recomendado))")
    assert opened.locator(".widget-text input[type=password]").count() == 1
    assert opened.locator("button.jupyter-button", has_text="Probar y guardar").count() == 1
    page.locator(".mailkit-command summary").first.click()  # type: ignore[attr-defined]  # the command, second
    command = page.locator(".mailkit-command code").first  # type: ignore[attr-defined]
    command.wait_for()
    assert "mailkit secret set recuperacion.lupita@gmail.com" in command.inner_text()
    assert "clipboard" in (page.locator("button.mailkit-copy").first.get_attribute("onclick") or "")  # type: ignore[attr-defined]
    title = text("es", TITLES["03_two_step_and_app_passwords.ipynb"])  # the step by its title, not its file
    link = page.locator(".mailkit-actions a.mailkit-step-link", has_text=title).first  # type: ignore[attr-defined]
    assert link.get_attribute("href") == "03_two_step_and_app_passwords.ipynb"
    screenshot(page, "remedy-action-es")


def test_home_page_shows_the_fleet_and_its_links_open_the_steps(page: object, lab: Lab) -> None:  # noqa: F811
    run_notebook(page, lab, "00_start_here.ipynb", "Refresh")
    page.locator(".mailkit-home-summary", has_text=re.compile(r"1\d accounts in \d companies")).wait_for()  # type: ignore[attr-defined]
    assert page.locator("table.mailkit-home tbody tr").count() >= 3  # type: ignore[attr-defined]
    assert page.locator("table.mailkit-home", has_text="Ferretería del Norte SA de CV").count() == 1  # type: ignore[attr-defined]
    screenshot(page, "home-page")
    link = page.locator("ol.mailkit-home-steps a", has_text="Companies and accounts")  # type: ignore[attr-defined]
    with page.context.expect_page() as opened:  # type: ignore[attr-defined]
        link.click()
    step = opened.value
    step.wait_for_url(re.compile(r"/lab/.*tree/01_company_setup\.ipynb"))
    step.wait_for_selector(".jp-NotebookPanel-toolbar", timeout=RUN_TIMEOUT)  # JupyterLab opened that notebook
    step.close()
