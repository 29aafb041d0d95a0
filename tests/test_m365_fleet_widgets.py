"""Microsoft 365 mailboxes in the fixing widgets, beside a Gmail account: the fixes and hints follow the provider
("Connect with Microsoft", the device-code command, no app password nor 2SV), and the bulk panel, the report view
and the troubleshooting wizard show Microsoft's statuses with Microsoft's remedies, driven on the sandbox."""

from __future__ import annotations

import re

import pytest

from mailkit.inventory import Inventory
from mailkit.models import build_account
from mailkit.sandbox.consent_robot import approve
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.status import Status
from mailkit.ui import BulkPanel, HomePage, OAuthPanel, ReportView, TroubleshootWizard
from mailkit.ui.actions import ACTIONS, actions_for, command_for
from mailkit.ui.app_password_form import form_fixes
from mailkit.ui.hints import remedy_hint
from mailkit.ui.home import STEPS
from mailkit.workspace import Workspace
from tests import m365_fixtures
from tests.m365_fixtures import DEFAULTS, FACTURAS, LEGACY, RETIRED, SMTPOFF, arrive

m365, mws = m365_fixtures.m365, m365_fixtures.mws  # the fixtures, for this module

GMAIL = "facturas.lupita@gmail.com"
GMAIL_APP_PASSWORD = "qwhk pznr tvbe lmsa"
FLAGGED = {SMTPOFF: "smtp_auth_disabled", DEFAULTS: "security_defaults", RETIRED: "basic_auth_disabled"}


@pytest.fixture
def mixed(mws: Workspace) -> Workspace:
    """Contoso's Microsoft 365 mailboxes and a Gmail account with an app password, in one company."""
    with Inventory.open(mws) as inventory:
        inventory.upsert_account(build_account(GMAIL, "contoso", provider_key="gmail", auth="app_password"))
    secret_store(mws).set(GMAIL, SecretKind.APP_PASSWORD, GMAIL_APP_PASSWORD)
    return mws


# --- the mapping ----------------------------------------------------------------------------------
def test_microsoft_mailboxes_connect_with_microsoft_and_never_get_googles_fixes() -> None:
    for status in Status:
        for auth in ("oauth2", "password", "app_password"):
            fixes = actions_for(status.value, auth, "microsoft365")
            assert set(fixes) <= set(ACTIONS) and not {"app_password", "twostep", "oauth"} & set(fixes), status
            assert (fixes == ()) == (status is Status.OK), status
    assert actions_for("app_password_required", "password", "microsoft365") == ("oauth_microsoft",)
    assert actions_for("bad_credentials", "password", "microsoft365") == ("oauth_microsoft", "retry")
    for status in ("smtp_auth_disabled", "security_defaults", "basic_auth_disabled"):
        assert actions_for(status, "password", "microsoft365")[0] == "oauth_microsoft"
    assert actions_for("smtp_auth_disabled", "oauth2", "microsoft365") == ("retry",)  # OAuth is refused too
    assert actions_for("app_password_required", "password", "gmail") == ("app_password", "twostep", "oauth")
    assert command_for("oauth_microsoft", FACTURAS, "contoso", "oauth2") == \
        f"mailkit oauth login {FACTURAS} --device-code"
    assert command_for("oauth_microsoft", SMTPOFF, "contoso", "password").splitlines() == [
        f"mailkit account add {SMTPOFF} --company contoso --provider microsoft365 --auth oauth2",
        f"mailkit oauth login {SMTPOFF} --device-code"]  # a password mailbox is switched first, as the CLI asks
    assert ACTIONS["oauth_microsoft"].notebook == "07_microsoft_365.ipynb"
    assert form_fixes("bad_credentials", "app_password", "microsoft365") == ["oauth_microsoft", "retry"]
    assert form_fixes("bad_credentials", "app_password", "gmail") == ["twostep", "troubleshoot"]


def test_hints_point_microsoft_remedies_to_connect_with_microsoft() -> None:
    remedy = "Authorize the account with OAuth: `mailkit oauth login EMAIL` (or `mailkit secret set EMAIL`)."
    assert remedy_hint(remedy, "en") == ("Step: Connect with Google, button “Connect with Google”; "
                                         "2-Step Verification and app passwords, the app-password form.")
    microsoft = remedy_hint(remedy, "en", provider="microsoft365")
    assert microsoft == "Step: Microsoft 365 and basic auth, button “Connect with Microsoft”."
    assert remedy_hint(remedy, "en", here="hint_oauth", provider="microsoft365").startswith(
        "Or press “Connect with Microsoft” above.")
    assert "Google" not in remedy_hint(remedy, "es", provider="microsoft365")


# --- the widgets on a mixed fleet -----------------------------------------------------------------
def test_bulk_panel_shows_microsoft_statuses_with_microsoft_remedies(mixed: Workspace) -> None:
    bulk = BulkPanel(mixed, companies=["contoso"], lang="en")
    bulk.start.click()
    statuses = {r.email: r.status.value for r in bulk.results}
    assert {e: statuses[e] for e in FLAGGED} == FLAGGED and statuses[GMAIL] == statuses[LEGACY] == "ok"
    assert statuses[FACTURAS] == "not_configured"  # an OAuth mailbox nobody connected yet
    body = bulk.table.body.value
    for status in FLAGGED.values():
        group = body.split(f"data-group='{status}'")[1].split("</tr>")[0]
        assert "Microsoft" in group and "mailkit oauth login EMAIL" in group, status
        assert "href='07_microsoft_365.ipynb'" in group and "button “Connect with Microsoft”" in group, status
        assert "Google" not in group, status
    assert "Set-CASMailbox" in body and "security defaults" in body
    bulk.language.value = "es"
    assert "07_microsoft_365" in bulk.table.body.value and "02_gmail_oauth" not in bulk.table.body.value


def test_report_view_lists_the_readiness_and_microsoft_remedies(mixed: Workspace) -> None:
    BulkPanel(mixed, companies=["contoso"], lang="en").start.click()
    report = ReportView(mixed, lang="en")
    body = report.table.body.value
    assert all(f"data-group='{status}'" in body for status in FLAGGED.values())
    assert "“Connect with Microsoft”" in body
    readiness = report.readiness.value
    found = {email: kind for kind, email in re.findall(r"data-readiness='(\w+)' data-email='([^']+)'", readiness)}
    assert len(found) == 6 and GMAIL not in found  # Microsoft 365 mailboxes only
    assert {found[e] for e in FLAGGED} == {"blocked"} and found[LEGACY] == "will_break" and found[FACTURAS] == "ready"
    assert "3 blocked already, 1 will break, 2 ready" in readiness and "2026-12-31" in readiness
    assert readiness.index(SMTPOFF) < readiness.index(LEGACY) < readiness.index(FACTURAS)  # worst first
    assert "<code>mailkit oauth login" in readiness
    report.language.value = "pl"
    assert "Microsoft 365" in report.readiness.value and "blocked already" not in report.readiness.value


def test_report_view_without_microsoft_mailboxes_has_no_readiness(workspace: Workspace) -> None:
    from mailkit.models import Company

    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("lupita", "Abarrotes Lupita"))
        inventory.upsert_account(build_account(GMAIL, "lupita", provider_key="gmail", auth="app_password"))
    assert ReportView(workspace, lang="en").readiness.value == ""


@pytest.mark.parametrize("email", sorted(FLAGGED))
def test_troubleshooting_a_flagged_mailbox_offers_connect_with_microsoft(mixed: Workspace, email: str) -> None:
    wizard = TroubleshootWizard(mixed, email=email, lang="en")
    wizard.imap.value = False
    wizard.run.click()
    verdict = wizard.verdict.value
    assert f"data-status='{FLAGGED[email]}'" in verdict and "Microsoft" in verdict and "Google" not in verdict
    assert wizard.actions.fixes == ("oauth_microsoft", "retry")
    button = wizard.actions.buttons["oauth_microsoft"]
    assert button.description == "Connect with Microsoft" and button.icon == "windows"
    links = wizard.actions.links.value
    assert "href='07_microsoft_365.ipynb'" in links and f"mailkit oauth login {email} --device-code" in links
    assert f"mailkit account add {email} --company contoso --provider microsoft365 --auth oauth2" in links
    assert "02_gmail_oauth" not in links and "03_two_step" not in links
    opened = wizard.actions.run("oauth_microsoft")  # the OAuth panel, on this mailbox, speaking Microsoft's words
    assert isinstance(opened, OAuthPanel) and opened.account.value == email and opened.moving == email
    assert opened.connect.description == "Connect with Microsoft"
    opened.close()
    wizard.language.value = "es"
    assert "Microsoft" in wizard.actions.buttons["oauth_microsoft"].description


def test_troubleshooting_a_gmail_account_keeps_googles_fixes(mixed: Workspace) -> None:
    secret_store(mixed).set(GMAIL, SecretKind.APP_PASSWORD, "aaaa bbbb cccc dddd")
    wizard = TroubleshootWizard(mixed, email=GMAIL, lang="en")
    wizard.imap.value = False
    wizard.run.click()
    assert "oauth_microsoft" not in wizard.actions.fixes and wizard.actions.fixes[0] == "app_password"


def test_home_page_counts_microsoft_fixes_and_links_the_microsoft_notebook(mixed: Workspace) -> None:
    BulkPanel(mixed, companies=["contoso"], lang="en").start.click()
    home = HomePage(mixed, lang="en")
    assert home.health.todo["oauth_microsoft"] == 5 and "oauth" not in home.health.todo  # 3 flagged, 2 unconnected
    assert "data-action='oauth_microsoft'" in home.next.value and "07_microsoft_365" in home.next.value
    assert ("07_microsoft_365.ipynb", "step_07") in STEPS and "href='07_microsoft_365.ipynb'" in home.steps.value



def test_connect_with_microsoft_on_a_password_mailbox_moves_it_to_oauth(mixed: Workspace) -> None:
    panel = OAuthPanel(mixed, email=RETIRED, open_browser=False, timeout=30, lang="en")  # as the fix opens it
    assert panel.moving == RETIRED and panel.account.value == RETIRED
    panel.connect.click()
    arrive(approve(panel.flow.authorization_url))
    panel.waiting.join(20)
    assert panel.result is not None and panel.result.ok, panel.outcome.value
    assert "now signs in with OAuth 2.0 instead of its password" in panel.alert.text
    with Inventory.open(mixed) as inventory:
        assert inventory.account(RETIRED).auth == "oauth2"
    wizard = TroubleshootWizard(mixed, email=RETIRED, lang="en")
    wizard.imap.value = False
    wizard.run.click()
    assert "data-status='ok'" in wizard.verdict.value  # Microsoft takes the token where it refused the password
    report = ReportView(mixed, lang="en")
    assert f"data-readiness='ready' data-email='{RETIRED}'" in report.readiness.value


def test_the_oauth_panel_still_refuses_a_password_account_nobody_asked_to_move(mixed: Workspace) -> None:
    panel = OAuthPanel(mixed, open_browser=False, lang="en")
    assert LEGACY not in [value for _label, value in panel.account.options] and panel.moving == ""


def test_a_refused_microsoft_consent_offers_connect_with_microsoft_again(mixed: Workspace) -> None:
    from urllib.parse import quote

    from tests.m365_fixtures import VENTAS

    panel = OAuthPanel(mixed, email=FACTURAS, open_browser=False, timeout=30, lang="en")
    panel.connect.click()
    arrive(approve(panel.flow.authorization_url.replace(quote(FACTURAS, safe=""), quote(VENTAS, safe=""))))
    panel.waiting.join(20)
    assert panel.result.outcome == "wrong_account" and panel.actions.fixes == ("oauth_microsoft",)
    assert panel.actions.buttons["oauth_microsoft"].description == "Connect with Microsoft"
    assert "Google" not in panel.outcome.value + panel.actions.links.value
    panel.actions.run("oauth_microsoft")  # the panel's own button: a new consent at Microsoft, no second panel
    assert panel.actions.opened.children == () and "/oauth2/v2.0/authorize" in panel.flow.authorization_url
    panel.close()
