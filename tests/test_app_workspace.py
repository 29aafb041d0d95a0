"""`mailkit app`'s "Google Workspace domains" step in headless Chromium: reached from the navigation, the key
chosen in the browser's file picker, the domain connected with domain-wide delegation, the key never on the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailkit.app.steps import TITLES
from mailkit.sandbox import supervisor
from tests.browser_fixtures import browser, screenshot  # noqa: F401 - fixture
from tests.test_app import interrupt, open_page, start_app

pytestmark = [pytest.mark.timeout(180), pytest.mark.browser]

STEP = "08_workspace_domains.ipynb"
DOMAIN = "ferreteria-delnorte.example"


def test_the_workspace_step_connects_a_domain_with_a_key_chosen_in_the_browser(tmp_path: Path, browser) -> None:  # noqa: F811
    app = start_app(tmp_path, "--lang", "en")
    try:
        page = open_page(browser, app.url)
        page.get_by_role("navigation").get_by_role("link", name=TITLES[STEP]).click()
        page.wait_for_url(f"**/voila/render/{STEP}")
        page.wait_for_selector("#rendered_cells .jupyter-widgets", state="visible")
        page.locator(".mailkit-admin-console", has_text="Domain-wide delegation").wait_for()
        key_file = supervisor.state_dir_of(app.home / "sandbox") / "service_account.json"
        key = json.loads(key_file.read_text(encoding="utf-8"))
        with page.expect_file_chooser() as chooser:
            page.locator(".widget-upload", has_text="Service-account key (JSON)").click()
        chooser.value.set_files(str(key_file))
        page.locator(".mailkit-paste", has_text=key["client_id"]).wait_for()  # read, ready to paste
        page.get_by_placeholder("example.com", exact=True).fill(DOMAIN)
        page.get_by_placeholder("user@example.com", exact=True).fill(f"ventas@{DOMAIN}")
        page.locator("button.jupyter-button", has_text="Connect the domain").click()
        page.locator(".mailkit-alert-success", has_text=f"{DOMAIN} is connected").wait_for()
        page.locator(".mailkit-ws-domains", has_text=key["client_id"]).wait_for()
        screenshot(page, "app-workspace-connected")
        content = page.content()
        assert not [line for line in key["private_key"].splitlines() if len(line) > 40 and line in content]
    finally:
        interrupt(app)
        supervisor.stop(supervisor.state_dir_of(app.home / "sandbox"))
