"""What the admin sees: JupyterLab in headless Chromium runs the notebooks, the forms are filled, the
sandbox's consent page is completed in its own tab, the report is shown. Screenshots go to
test-artifacts/ (setup form filled, OAuth panel after consent, report view)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from tests.browser_fixtures import Lab, browser, lab, screenshot, screenshot_path  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

TIMEOUT = 20_000
VENTAS = "ventas@ferreteria-delnorte.example"


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
    """Open a notebook, Run All Cells once its kernel is idle, and wait for the button `ready` to show."""
    page.goto(lab.page_url(name))  # type: ignore[attr-defined]
    page.wait_for_selector(".jp-NotebookPanel-toolbar")  # type: ignore[attr-defined]
    chooser = page.locator(".jp-Dialog button", has_text="Select")  # type: ignore[attr-defined]
    if chooser.count():  # JupyterLab asks for the kernel when it cannot pick one by itself
        chooser.first.click()
    page.get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle")).first.wait_for()  # type: ignore[attr-defined]
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()  # type: ignore[attr-defined]
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()  # type: ignore[attr-defined]
    try:
        button(page, ready).wait_for()
    except Exception:
        screenshot(page, f"failed-{name}")
        raise
    page.wait_for_selector(".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator[data-status=idle]")  # type: ignore[attr-defined]


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
    page.locator(".mailkit-alert-success", has_text="papeleria-gomez").wait_for()  # type: ignore[attr-defined]

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
    assert "workspace" in listed.first.inner_text()
    screenshot(page, "setup-form")


def test_oauth_consent_in_a_new_tab_ends_ok(page: object, lab: Lab) -> None:  # noqa: F811
    run_notebook(page, lab, "02_gmail_oauth.ipynb", "Connect with Google")
    page.get_by_label("Account").select_option(label=f"{VENTAS} (ferreteria-delnorte)")  # type: ignore[attr-defined]
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


def test_bulk_send_then_report_view(page: object, lab: Lab) -> None:  # noqa: F811
    page.set_viewport_size({"width": 1500, "height": 2600})  # type: ignore[attr-defined]  # the whole report
    run_notebook(page, lab, "04_bulk_test_send.ipynb", "Start")
    button(page, "Start").click()
    page.locator(".mailkit-progress", has_text="2 of 2 done").wait_for()  # type: ignore[attr-defined]
    page.locator(".mailkit-alert-warning", has_text="Finished").wait_for()  # type: ignore[attr-defined]
    assert page.locator("table.mailkit-bulk tbody tr").count() == 2  # type: ignore[attr-defined]

    run_notebook(page, lab, "05_status_report.ipynb", "Export xlsx")
    rows = page.locator("table.mailkit-report tbody tr")  # type: ignore[attr-defined]
    assert rows.count() >= 13
    text = page.locator("table.mailkit-report").inner_text()  # type: ignore[attr-defined]
    assert "app_password_required" in text and "facturas.lupita@gmail.com" in text
    page.locator("img.widget-image").first.wait_for()  # type: ignore[attr-defined]
    button(page, "Export xlsx").click()
    page.locator(".mailkit-alert-success", has_text=".xlsx").wait_for()  # type: ignore[attr-defined]
    page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").first.evaluate("e => e.scrollTo(0, 0)")  # type: ignore[attr-defined]
    page.locator(".jp-NotebookPanel").first.screenshot(path=str(screenshot_path("report-view")))  # type: ignore[attr-defined]
