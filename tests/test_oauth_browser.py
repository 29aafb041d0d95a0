"""What a person sees: Google's consent page (the sandbox's) in headless Chromium, one box unticked.

The page is the sandbox's plain-HTTP one on 127.0.0.1, which Chromium opens as it is: no CA to trust,
no certificate flag; mailkit's own token exchange stays on verified HTTPS.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.client import MAIL_SCOPE
from mailkit.oauth.flow import ConsentFlow
from mailkit.oauth.store import load_bundle
from mailkit.sandbox.runner import SandboxThread
from mailkit.status import Status
from mailkit.workspace import Workspace

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
FACTURACION = "facturacion@ferreteria-delnorte.example"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)")
def test_unticking_the_mail_box_in_chromium_is_scope_missing(workspace: Workspace,
                                                             sandbox_env: SandboxThread) -> None:
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("ferreteria-delnorte", "Ferretería del Norte"))
        inventory.upsert_account(build_account(FACTURACION, "ferreteria-delnorte", provider_key="workspace",
                                               auth="oauth2"))
        account = inventory.account(FACTURACION)
    flow = ConsentFlow(account, workspace)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(flow.authorization_url, timeout=15_000)
            assert page.locator("#consent-account").inner_text() == FACTURACION
            mail_box = page.locator(f'input[name=scope][value="{MAIL_SCOPE}"]')
            assert mail_box.is_checked()
            mail_box.uncheck()
            page.screenshot(path=str(ARTIFACTS / "oauth-consent-mail-unticked.png"), full_page=True)
            page.click("#consent-continue")
            page.wait_for_url(flow.redirect_uri + "**", timeout=15_000)
            assert "mailkit received Google's answer" in page.content()
            page.screenshot(path=str(ARTIFACTS / "oauth-consent-loopback.png"))
        finally:
            browser.close()
    result = flow.run(timeout=10)
    assert result.status is Status.OAUTH_SCOPE_MISSING and not result.stored, result.message
    assert "Read, compose, send" in result.message
    assert load_bundle(workspace, FACTURACION) is None
