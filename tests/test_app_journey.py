"""The admin's whole journey in `mailkit app`, in Spanish, by clicking only.

A fresh workspace in sandbox mode: the home page, a company and two accounts in the setup step, one connected
with Google on the sandbox's consent page (plain HTTP, no certificate warning), an app password for the other,
a bulk send that is stopped and resumed until every account has a result, the report filtered and downloaded as
xlsx, and the troubleshooting step's diagnosis of an account. The sandbox answers each reply a little late, so
that the run is still going when Stop is pressed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from mailkit.app.steps import TITLES
from mailkit.i18n import text
from mailkit.sandbox import supervisor
from mailkit.ui.i18n_ui import t
from tests.browser_fixtures import browser, kernel_environment, screenshot, screenshot_path  # noqa: F401 - fixture
from tests.test_app import assert_no_code, interrupt, open_page, start_app, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

ES = "es"
COMPANY = "Papelería Sol"
OAUTH_EMAIL = "avisos.tallerruiz@gmail.com"  # in the sample inventory (Taller Ruiz), OAuth 2.0: moved, then connected
APP_EMAIL = "admin@ferreteria-delnorte.example"  # a sandbox account not in the inventory: 2SV on, this app password
APP_PASSWORD = "pkdf jsle wqrb ntxa"


def es(key: str, **fields: object) -> str:
    """A panel's word in Spanish; checked to be a translation, not the English fallback."""
    word = t(key, ES, **fields)
    assert word != t(key, "en", **fields), f"{key!r} is not translated"
    return word


def title(notebook: str) -> str:
    return text(ES, TITLES[notebook])


def start_slow_sandbox(home: Path) -> subprocess.Popen[bytes]:
    """The workspace's sandbox with 250 ms before each reply, started before the app (which then reuses it)."""
    state = supervisor.state_dir_of(home / "sandbox")
    state.mkdir(parents=True)
    env = kernel_environment(home)
    process = subprocess.Popen([sys.executable, "-m", "mailkit", "--home", str(home), "sandbox", "--state-dir",
                                str(state), "--latency-ms", "250"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    wait_until(lambda: supervisor.find(state) is not None, 60, "the sandbox is up")
    return process


def go(page, notebook: str) -> None:
    """Click the step in the navigation and wait for its widgets."""
    page.locator("nav.mailkit-nav a", has_text=title(notebook)).click()
    page.wait_for_url(f"**/voila/render/{notebook}")
    page.wait_for_selector("#rendered_cells .jupyter-widgets", state="visible")
    assert page.locator("nav.mailkit-nav a[aria-current=page]").inner_text() == title(notebook)
    assert_no_code(page)


def field(page, label: str, kind: str = ".widget-text", last: bool = False):
    """The input of the (first, or last) widget whose description is `label`."""
    exactly = re.compile(f"^{re.escape(label)}$")
    found = page.locator(kind).filter(has=page.locator("label.widget-label", has_text=exactly)).locator(
        "input, select")
    return found.last if last else found.first


def choose(select, containing: str) -> None:
    """Pick the option whose words contain `containing` (accounts are shown with their company's name; a list box
    shows its spaces as no-break spaces)."""
    def options() -> list[str]:
        return [o.replace("\xa0", " ") for o in select.locator("option").all_text_contents()]

    wait_until(lambda: any(containing in o for o in options()), 20, f"an option with {containing}")
    select.select_option(index=next(i for i, o in enumerate(options()) if containing in o))


def button(page, label: str):
    return page.locator("button.jupyter-button", has_text=label)


def alert(page, kind: str = "success"):
    return page.locator(f".mailkit-alert-{kind}")


def test_the_whole_journey_in_spanish_by_clicking_only(tmp_path: Path, browser) -> None:  # noqa: F811
    began = time.monotonic()
    sandbox = start_slow_sandbox(tmp_path / "home")
    app = start_app(tmp_path, "--lang", ES)
    try:
        page = open_page(browser, app.url)
        assert page.locator("nav.mailkit-nav a[aria-current=page]").inner_text() == text(ES, "Home")
        assert_no_code(page)
        page.set_default_timeout(20_000)
        page.context.on("page", lambda popup: popup.set_default_timeout(20_000))

        # 01: a new company; a new Workspace account in it, and an existing Gmail one moved into it
        go(page, "01_company_setup.ipynb")
        field(page, es("company_name")).fill(COMPANY)
        field(page, es("company_name")).press("Tab")
        button(page, es("save_company")).click()
        page.wait_for_selector(".mailkit-alert-success")
        assert field(page, es("company"), ".widget-dropdown").input_value() == COMPANY  # the saved one, selected
        field(page, es("email")).fill(APP_EMAIL)
        field(page, es("email")).press("Tab")
        page.get_by_text("Google Workspace").first.wait_for()  # detected: the provider and servers filled in
        field(page, es("auth"), ".widget-dropdown").select_option(label=es("auth_app_password"))
        button(page, es("save_account")).click()
        page.locator(".mailkit-table td", has_text=APP_EMAIL).wait_for()
        field(page, es("email")).fill(OAUTH_EMAIL)  # already in another company: moved here with a click
        field(page, es("email")).press("Tab")
        button(page, es("save_account")).click()  # it says which company has it, and offers the move
        button(page, es("act_move")).click()
        page.locator(".mailkit-table td", has_text=OAUTH_EMAIL).wait_for()
        screenshot(page, "journey-setup-es")

        # 02: connect with Google, approved on the sandbox's consent page
        go(page, "02_gmail_oauth.ipynb")
        choose(field(page, es("account"), ".widget-dropdown"), OAUTH_EMAIL)
        button(page, es("connect")).click()
        link = page.locator("a.mailkit-consent-link")
        with page.expect_popup() as opened:
            link.click()
        consent = opened.value
        consent.wait_for_selector("#consent-continue")
        assert consent.url.startswith("http://127.0.0.1:"), consent.url  # plain HTTP: no certificate warning
        assert consent.locator("#consent-account").inner_text() == OAUTH_EMAIL
        consent.click("#consent-continue")
        page.wait_for_selector(".mailkit-oauth-result[data-status=ok]")
        consent.close()
        screenshot(page, "journey-oauth-es")

        # 03: the app password of the password account
        go(page, "03_two_step_and_app_passwords.ipynb")
        choose(field(page, es("account"), ".widget-dropdown", last=True), APP_EMAIL)  # the app password form's
        field(page, es("app_password"), ".widget-inline-hbox").fill(APP_PASSWORD)
        button(page, es("test_and_save")).click()
        page.wait_for_selector(".mailkit-alert-success")
        assert APP_PASSWORD not in page.content()

        # 04: bulk send, one account at a time: Start, Stop, then Resume until every account has a result
        go(page, "04_bulk_test_send.ipynb")
        assert button(page, es("select_all")).count() == 1
        choose(field(page, es("companies"), ".widget-inline-hbox"), COMPANY)
        accounts = field(page, es("accounts"), ".widget-inline-hbox")

        def listed() -> str:
            return " ".join(accounts.locator("option").all_text_contents()).replace("\xa0", " ")

        wait_until(lambda: OAUTH_EMAIL in listed() and APP_EMAIL in listed(), 20, "the company's accounts are listed")
        assert accounts.locator("option").count() == 2
        assert f"{APP_EMAIL} ({es('auth_app_password')})" in listed()  # the sign-in in words, not `app_password`
        accounts.select_option(index=[0, 1])
        readout = page.locator(".widget-slider .widget-readout")  # "at once": one account at a time

        def one_at_once() -> bool:
            if readout.inner_text().strip() != "1":
                readout.fill("1")
                readout.press("Enter")
            return readout.inner_text().strip() == "1"

        wait_until(one_at_once, 20, "the slider says one at a time")
        button(page, es("start")).click()
        page.locator(".mailkit-progress", has_text=es("progress", done=0, total=2)).wait_for()
        stop = button(page, es("stop"))
        stop.click()
        resume = button(page, es("resume"))
        resume.wait_for(state="visible")
        page.wait_for_selector(".mailkit-skipped")
        page.wait_for_selector(".mailkit-alert-warning")
        screenshot(page, "journey-bulk-stopped-es")
        resume.click()
        page.locator(".mailkit-progress", has_text=es("progress", done=2, total=2)).wait_for()
        page.wait_for_selector(".mailkit-alert-success, .mailkit-alert-warning")
        for email in (OAUTH_EMAIL, APP_EMAIL):
            page.locator(".mailkit-bulk td", has_text=email).first.wait_for()
        screenshot(page, "journey-bulk-resumed-es")

        # 05: the report, filtered, downloaded as xlsx
        go(page, "05_status_report.ipynb")
        # the report view's picker: the first on the page (the domains panel below it has one too)
        choose(field(page, es("company"), ".widget-dropdown"), COMPANY)
        page.locator(".mailkit-table td, .mailkit-report td", has_text=OAUTH_EMAIL).first.wait_for()
        cells_of = page.locator(".mailkit-table td, .mailkit-report td", has_text="facturas.lupita@gmail.com")
        wait_until(lambda: cells_of.count() == 0, 30, "the company filter applied to the table")
        export = button(page, es("export", fmt="xlsx"))
        export.click()
        download_link = page.locator("a.mailkit-download").last
        with page.expect_download() as arrived:
            download_link.click()
        saved = tmp_path / arrived.value.suggested_filename
        arrived.value.save_as(saved)
        assert saved.suffix == ".xlsx"
        book = openpyxl.load_workbook(saved, read_only=True)
        cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
        assert OAUTH_EMAIL in cells and APP_EMAIL in cells
        assert "facturas.lupita@gmail.com" not in cells  # another company's account: the filter is followed
        screenshot(page, "journey-report-es")

        # 06: the troubleshooting step diagnoses an account
        go(page, "06_troubleshooting.ipynb")
        choose(field(page, es("account"), ".widget-dropdown"), APP_EMAIL)
        button(page, es("run_checks")).click()
        verdict = page.locator(".mailkit-verdict")
        verdict.wait_for()
        assert verdict.get_attribute("data-status") == "ok"
        assert page.locator(".mailkit-step[data-state=ok]").count() >= 2
        screenshot(page, "journey-troubleshoot-es")
        page.context.close()
        assert time.monotonic() - began < 120  # measured ≈ 40 s
    except Exception:
        for open_page_ in browser.contexts[-1:] and browser.contexts[-1].pages:
            screenshot(open_page_, "journey-failed")
            Path(screenshot_path("journey-failed")).with_suffix(".txt").write_text(
                open_page_.inner_text("body") + "\n" + "\n".join(open_page_.locator(".widget-label").evaluate_all(
                    "els => els.map(e => e.parentElement.outerHTML.slice(0, 400))")), encoding="utf-8")
        raise
    finally:
        interrupt(app)
        sandbox.terminate()
        sandbox.wait(30)
