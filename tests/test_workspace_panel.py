"""The "Google Workspace domains" panel driven in-process on a sandbox Workspace domain of 300 users: the key
uploaded (never on disk, never in the widget tree), a delegation lacking the mail scope naming what to paste,
connect, list and import users, list app passwords and revoke two after a confirmation, disconnect; and every
visible word in Spanish and Polish."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import ipywidgets as w
import pytest

from mailkit.google_workspace import connected_domains, revocation_record
from mailkit.google_workspace.keys import load_key
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.scopes import DIRECTORY_SCOPE, DIRECTORY_SECURITY_SCOPE, MAIL_SCOPE
from mailkit.sandbox.runner import SandboxThread
from mailkit.ui.home import HomePage
from mailkit.ui.workspace_panel import PAGE, WorkspacePanel
from tests.sandbox_fixtures import smtp_login_code
from tests.test_ui_i18n_panels import assert_no_english
from tests.workspace_domain import ADMIN, DOMAIN, OTHER, DomainFile, running_domain, user, write_domain

ADMIN_CONSOLE = ("In the Admin console of {domain} open Security → Access and data control → API controls → "
                 "Domain-wide delegation → Add new; Client ID: {client_id}; OAuth scopes: ")


@pytest.fixture(scope="module")
def domain(tmp_path_factory: pytest.TempPathFactory) -> DomainFile:
    return write_domain(tmp_path_factory.mktemp("grande-panel"))


@pytest.fixture
def grande(domain: DomainFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxThread]:
    yield from running_domain(domain, tmp_path / "sandbox", monkeypatch)


@pytest.fixture
def company(workspace):
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("grande", "Grande SA"))
        inventory.upsert_account(build_account(user(1), "grande", provider_key="workspace", auth="app_password"))
    return workspace


def key_text(sandbox: SandboxThread) -> bytes:
    return (sandbox.state_dir / "service_account.json").read_bytes()


def upload(panel: WorkspacePanel, content: bytes, name: str = "grande-key.json") -> None:
    """What the browser's file picker hands the kernel."""
    panel.key_upload.value = ({"name": name, "type": "application/json", "size": len(content),
                               "content": memoryview(content),
                               "last_modified": datetime.now(UTC)},)


def connected_panel(workspace, sandbox: SandboxThread, lang: str = "en") -> WorkspacePanel:
    panel = WorkspacePanel(workspace, lang=lang)
    upload(panel, key_text(sandbox))
    panel.domain.value, panel.mailbox.value, panel.admin.value = DOMAIN, user(2), ADMIN
    panel.connect.click()
    assert panel.outcome is not None and panel.outcome.ok, panel.alert.text
    return panel


def widget_states(root: w.Widget) -> str:
    """Every widget state of the tree, as the front end (and a saved notebook) gets it."""
    states, stack = [], [root]
    while stack:
        item = stack.pop()
        states.append(json.dumps(item.get_state(), default=lambda value: bytes(value).decode("latin-1")))
        stack.extend(getattr(item, "children", ()))
    return "\n".join(states)




def test_connect_refused_then_connected_users_imported_two_app_passwords_revoked_disconnected(
        company, grande, domain) -> None:
    workspace = company
    client_id = json.loads(key_text(grande))["client_id"]
    panel = WorkspacePanel(workspace, lang="en")
    assert "Domain-wide delegation → Add new" in panel.steps.value and client_id not in panel.steps.value
    upload(panel, key_text(grande))
    assert panel.key_upload.value == ()  # the upload is emptied at once
    assert f"data-copy='{client_id}'" in panel.steps.value and f"data-copy='{MAIL_SCOPE}'" in panel.steps.value
    panel.domain.value, panel.mailbox.value, panel.admin.value = DOMAIN, user(2), ADMIN
    wanted = ",".join([MAIL_SCOPE, DIRECTORY_SCOPE, DIRECTORY_SECURITY_SCOPE])
    assert f"data-copy='{wanted}'" in panel.steps.value

    grande.delegations.grant(DOMAIN, [DIRECTORY_SCOPE, DIRECTORY_SECURITY_SCOPE])  # the mail scope never added
    panel.connect.click()
    assert panel.outcome is not None and panel.outcome.status == "delegation_unauthorized"
    assert panel.alert.kind == "error" and ADMIN_CONSOLE.format(domain=DOMAIN, client_id=client_id) in panel.alert.text
    assert connected_domains(workspace) == [] and load_key(workspace, DOMAIN) is None  # nothing kept

    grande.delegations.grant(DOMAIN, [MAIL_SCOPE, DIRECTORY_SCOPE, DIRECTORY_SECURITY_SCOPE])
    panel.connect.click()
    assert panel.outcome.ok and panel.alert.kind == "success", panel.alert.text
    assert f"{DOMAIN} is connected: {user(2)} signed in" in panel.alert.text
    assert load_key(workspace, DOMAIN) is not None and panel.chosen.value == DOMAIN
    assert client_id in panel.domains_table.value and ADMIN in panel.domains_table.value

    panel.list_users.click()
    assert len(panel.users) == 295 and panel.alert.text == f"295 user(s) of {DOMAIN}."
    assert panel.users_table.value.count("<tr>") == PAGE + 1 and panel.page_label.value == "Page 1 of 6"
    panel.next.click()
    assert user(PAGE + 1) in panel.users_table.value and user(1) not in panel.users_table.value

    panel.import_button.click()
    assert panel.alert.kind == "error" and "Pick users first" in panel.alert.text
    panel.pick.value = (user(1), user(2), user(3))
    panel.import_button.click()
    lines = panel.import_lines.value
    assert lines.count("<li") == 3 and panel.alert.text.startswith("2 added, 1 already in the inventory")
    assert f"skipped: {user(1)} is already in the inventory" in lines and f"added: {user(2)} to grande" in lines
    with Inventory.open(workspace) as inventory:
        assert inventory.find_account(user(1)).auth == "app_password"  # untouched
        assert inventory.find_account(user(3)).auth == "oauth2"

    panel.pick.value = tuple(user(n) for n in range(1, 6))
    panel.list_security.click()
    assert len(panel.app_passwords) == 8 and len(panel.tokens) == 4, panel.alert.text  # users 1-5; ERP tokens 1-4
    assert "ERP facturas 1" in panel.security_table.value and "Scanner 1" in panel.security_table.value
    two = [key for key in (value for _, value in panel.revoke_pick.options) if key.startswith("asp:")][:2]
    panel.revoke_pick.value = tuple(two)
    panel.revoke.click()
    assert panel.revoke_confirm.layout.display is None and "Revoke these 2?" in panel.revoke_ask.value
    assert revocation_record(workspace) == []  # asked, nothing revoked yet
    panel.revoke_no.click()
    assert panel.alert.text.startswith("Cancelled") and revocation_record(workspace) == []
    panel.revoke.click()
    before = domain.app_passwords[user(1)]
    panel.chosen.options = [(DOMAIN, DOMAIN), (OTHER, OTHER)]
    panel.chosen.value = OTHER  # another domain picked meanwhile: the revocation still goes to the listed one
    panel.revoke_yes.click()
    done = revocation_record(workspace)
    assert [(r.outcome, r.kind, r.email, r.domain) for r in done] == [("revoked", "app_password", user(1), DOMAIN)] * 2
    panel.refresh()
    assert panel.alert.text.startswith("2 revoked, 0 already gone, 0 failed")
    assert panel.revocation_lines.value.count("<li") == 2
    assert f"revoked: app password “ERP facturas 1” of {user(1)}" in panel.revocation_lines.value
    assert len(panel.app_passwords) == 6  # the revoked ones left the listing
    assert {smtp_login_code(grande, user(1), secret) for secret in before} == {535}  # Google refuses them now

    panel.disconnect.click()
    assert panel.disconnect_confirm.layout.display is None and connected_domains(workspace)  # asked first
    panel.disconnect_yes.click()
    assert connected_domains(workspace) == [] and load_key(workspace, DOMAIN) is None
    assert panel.alert.text == f"{DOMAIN} is disconnected: its key is no longer in keyring."
    assert "No domain is connected yet." in panel.domains_table.value


def test_a_bad_upload_is_one_line_and_the_private_key_is_in_no_widget(company, grande) -> None:
    workspace = company
    key = json.loads(key_text(grande))
    pem_lines = [line for line in key["private_key"].splitlines() if line and "PRIVATE KEY" not in line]
    panel = WorkspacePanel(workspace, lang="en")
    damaged = json.dumps({**key, "private_key": key["private_key"].replace("A", "B", 40)}).encode()
    upload(panel, damaged)
    assert panel.alert.kind == "error" and "the private_key cannot be read" in panel.alert.text
    upload(panel, b"{not json")
    assert panel.alert.text.startswith("grande-key.json: not a JSON file")
    panel = connected_panel(workspace, grande)
    panel.list_users.click()
    states = widget_states(panel)
    assert panel.key_upload.value == () and DOMAIN in states
    assert not [line for line in pem_lines if line in states]
    assert key["private_key_id"] not in states and key["private_key"][:60] not in repr(panel.outcome)
    written = [p for p in workspace.home.rglob("*") if p.is_file() and pem_lines[3].encode() in p.read_bytes()]
    assert not written  # never on disk in the workspace (keyring holds it)


@pytest.mark.parametrize("lang", ["es", "pl"])
def test_the_panel_with_every_section_filled_speaks_only_the_chosen_language(company, grande, lang) -> None:
    panel = connected_panel(company, grande, lang)
    panel.list_users.click()
    panel.pick.value = (user(1), user(2))
    panel.import_button.click()
    panel.list_security.click()
    panel.revoke_pick.value = (panel.revoke_pick.options[0][1],)
    panel.revoke.click()
    shown = assert_no_english(panel, lang)
    assert "Add new" not in panel.steps.value and "Client ID" not in shown
    grande.delegations.grant(DOMAIN, [DIRECTORY_SCOPE])
    refused = WorkspacePanel(company, lang=lang)
    upload(refused, key_text(grande))
    refused.domain.value, refused.mailbox.value = DOMAIN, user(3)
    refused.connect.click()
    assert refused.alert.kind == "error" and json.loads(key_text(grande))["client_id"] in refused.alert.text
    assert_no_english(refused, lang)


def test_the_home_page_links_the_workspace_step_only_when_an_account_is_on_workspace(workspace) -> None:
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("grande", "Grande SA"))
        inventory.upsert_account(build_account("caja@gmail.com", "grande", provider_key="gmail", auth="oauth2"))
    assert "08_workspace_domains" not in HomePage(workspace, lang="en").steps.value
    with Inventory.open(workspace) as inventory:
        inventory.upsert_account(build_account(user(7), "grande", provider_key="workspace", auth="oauth2"))
    steps = HomePage(workspace, lang="es").steps.value
    assert "href='08_workspace_domains.ipynb'" in steps and "Dominios de Google Workspace" in steps
