"""The "Google Workspace domains" panel connecting a domain without a key, driven in-process on the sandbox: the
signer signed in with Google through the consent box (the final address pasted), picked, the service account
typed; the Admin console's missing entry named with the client ID IAM gave, then connected with no key in keyring,
in a file or in the widget state; a signer without the role told which role to grant; every word in es and pl."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailkit.google_workspace import connected_domains, has_signer
from mailkit.google_workspace.keys import has_key
from mailkit.inventory import Inventory
from mailkit.models import Company, build_account
from mailkit.oauth.clients import active_client, declare_publishing
from mailkit.oauth.scopes import DIRECTORY_SCOPE, MAIL_SCOPE
from mailkit.sandbox.consent_robot import approve
from mailkit.sandbox.delegation import DELEGATED_SCOPES
from mailkit.sandbox.runner import SandboxThread
from mailkit.ui.workspace_panel import WorkspacePanel
from tests.test_ui_i18n_panels import assert_no_english
from tests.test_workspace_keyless import ADMIN, CLIENT, INTERN, SIGNER_EMAIL, USERS, accounts_file
from tests.test_workspace_panel import ADMIN_CONSOLE, widget_states


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxThread]:
    folder = tmp_path_factory.mktemp("keyless-panel")
    with SandboxThread(accounts_file(folder / "accounts.toml"), folder / "state") as running:
        yield running


@pytest.fixture
def sur(sandbox: SandboxThread, workspace, monkeypatch: pytest.MonkeyPatch):
    """The client's company with its Workspace users, on the sandbox; the domain's delegation as it came."""
    monkeypatch.setenv("MAILKIT_SANDBOX", str(sandbox.info_path))
    sandbox.reset()
    with Inventory.open(workspace) as inventory:
        inventory.upsert_company(Company("sur", "Panadería del Sur"))
        for email in USERS:
            inventory.upsert_account(build_account(email, "sur", provider_key="workspace", auth="oauth2"))
    yield workspace
    sandbox.delegations.grant(CLIENT, DELEGATED_SCOPES)


def service_account(sandbox: SandboxThread) -> dict:
    return json.loads((sandbox.state_dir / "service_account.json").read_text(encoding="utf-8"))


def sign_in_signer(panel: WorkspacePanel, email: str) -> None:
    """The signer's consent on the sandbox's page (the consent robot), its final address pasted in the box."""
    box = panel.keyless
    box.signer_email.value = email
    box.sign_in.click()
    assert panel.flow is not None and box.sign_in.disabled and not box.consent_box.cancel.disabled
    assert f"Sign in as {email}" in box.consent_box.link.value or panel.lang != "en"
    box.consent_box.paste.value = approve(panel.flow.authorization_url)
    box.consent_box.finish.click()
    panel.waiting.join(20)
    assert not panel.waiting.is_alive() and not box.sign_in.disabled
    assert box.consent is not None and box.consent.ok, panel.alert.text


def keyless_panel(workspace, sandbox: SandboxThread, signer: str, lang: str = "en") -> WorkspacePanel:
    panel = WorkspacePanel(workspace, lang=lang, open_browser=False, timeout=30)
    panel.mode.value = "keyless"
    sign_in_signer(panel, signer)
    panel.domain.value, panel.mailbox.value = CLIENT, USERS[1]
    panel.keyless.service_account.value = service_account(sandbox)["client_email"]
    return panel


def test_a_domain_connected_keyless_through_the_panel_keeps_no_key(sur, sandbox) -> None:
    workspace = sur
    sa = service_account(sandbox)
    panel = WorkspacePanel(workspace, lang="en", open_browser=False, timeout=30)
    assert panel.mode.value == "key" and panel.keyless.layout.display == "none"  # the key form stays the default
    panel.mode.value = "keyless"
    assert panel.key_row.layout.display == "none" and panel.keyless.layout.display is None
    assert "no key is kept anywhere" in panel.mode_hint.value and "No signer yet" in panel.keyless.signer_state.value
    assert panel.keyless.signer.disabled
    assert "Connect once: Google Cloud then gives the service account's client ID" in html.unescape(panel.steps.value)

    panel.domain.value = CLIENT
    panel.connect.click()
    assert panel.alert.kind == "error" and "Type the service account's email" in panel.alert.text
    panel.keyless.service_account.value = sa["client_email"]
    panel.connect.click()
    assert panel.alert.kind == "error" and "Pick a signer, or sign one in with Google first." in panel.alert.text

    sign_in_signer(panel, SIGNER_EMAIL)
    assert panel.alert.kind == "success" and f"{SIGNER_EMAIL} signed in" in panel.alert.text
    assert has_signer(workspace, SIGNER_EMAIL) and panel.keyless.signer.value == SIGNER_EMAIL
    assert not panel.keyless.signer.disabled
    assert "Pick one of the signers who consented" in panel.keyless.signer_state.value
    assert panel.keyless.signer_email.value == ""

    sandbox.delegations.grant(CLIENT, [DIRECTORY_SCOPE])  # the mail scope never added in the Admin console
    panel.mailbox.value = USERS[1]
    panel.connect.click()
    assert panel.outcome is not None and panel.outcome.status == "delegation_unauthorized", panel.alert.text
    assert panel.alert.kind == "error" and f"Google refused the delegation of {CLIENT}" in panel.alert.text
    assert ADMIN_CONSOLE.format(domain=CLIENT, client_id=sa["client_id"]) in panel.alert.text
    assert f"data-copy='{sa['client_id']}'" in panel.steps.value and f"data-copy='{MAIL_SCOPE}'" in panel.steps.value
    assert connected_domains(workspace) == []  # nothing kept

    sandbox.delegations.grant(CLIENT, DELEGATED_SCOPES)
    panel.admin.value = ADMIN
    panel.connect.click()
    assert panel.outcome.ok and panel.alert.kind == "success", panel.alert.text
    assert panel.alert.text == (f"{CLIENT} is connected without a key: {USERS[1]} signed in through domain-wide "
                                f"delegation, Google signing for {sa['client_email']} when {SIGNER_EMAIL} asks.")
    [row] = connected_domains(workspace)
    assert (row.domain, row.signer, row.client_id) == (CLIENT, SIGNER_EMAIL, sa["client_id"])
    assert f"keyless: Google signs when {SIGNER_EMAIL} asks" in panel.domains_table.value
    assert panel.chosen.value == CLIENT and not has_key(workspace, CLIENT)
    assert f"data-copy='{sa['client_id']}'" in panel.steps.value  # still there, to add scopes later

    panel.list_users.click()  # the Directory read keyless, as the admin
    assert USERS[0] in {u.email for u in panel.users}, panel.alert.text
    states = widget_states(panel)
    pem_lines = [line for line in sa["private_key"].splitlines() if len(line) > 40]
    assert CLIENT in states and not [line for line in pem_lines if line in states]
    assert sa["private_key_id"] not in states
    written = [p for p in workspace.home.rglob("*") if p.is_file() and pem_lines[3].encode() in p.read_bytes()]
    assert not written

    panel.disconnect.click()
    asked = panel.disconnect_ask.value
    assert "It is keyless, so there is no key to delete" in asked and "Its key is deleted" not in asked
    panel.disconnect_yes.click()
    assert panel.alert.text == f"{CLIENT} is disconnected: it was keyless, so there was no key to delete."
    assert connected_domains(workspace) == [] and has_signer(workspace, SIGNER_EMAIL)  # the signer stays


def test_a_signer_without_the_role_is_an_error_naming_the_role(sur, sandbox) -> None:
    panel = keyless_panel(sur, sandbox, INTERN)
    panel.connect.click()
    assert panel.outcome is not None and panel.outcome.status == "delegation_unauthorized"
    assert panel.alert.kind == "error" and panel.alert.text.startswith(f"Google refused the signer {INTERN}")
    assert "Service Account Token Creator" in panel.alert.text and f"New principals: {INTERN}" in panel.alert.text
    assert connected_domains(sur) == [] and not has_key(sur, CLIENT)
    panel.keyless.service_account.value = "nadie@otro-proyecto.iam.gserviceaccount.com"
    panel.connect.click()  # not the signer's fault: no "refused the signer" there
    assert panel.alert.kind == "error" and panel.alert.text.startswith(f"{CLIENT} is not connected"), panel.alert.text
    assert "nadie@otro-proyecto.iam.gserviceaccount.com" in panel.alert.text


def test_a_signer_through_a_testing_client_is_warned_and_a_forgotten_one_named(sur, sandbox) -> None:
    from mailkit.google_workspace import forget_signer

    declare_publishing(sur, active_client(sur), "testing")
    panel = WorkspacePanel(sur, lang="en", open_browser=False, timeout=30)
    panel.mode.value = "keyless"
    sign_in_signer(panel, SIGNER_EMAIL)
    assert panel.alert.kind == "warning" and f"{SIGNER_EMAIL} signed in" in panel.alert.text
    assert "the OAuth client is in Testing" in panel.alert.text
    forget_signer(sur, SIGNER_EMAIL)
    panel.domain.value = CLIENT
    panel.keyless.service_account.value = service_account(sandbox)["client_email"]
    panel.connect.click()  # still picked in the list, its consent gone meanwhile
    assert panel.alert.kind == "error" and f"mailkit holds no consent of {SIGNER_EMAIL} any more" in panel.alert.text


def test_a_bad_signer_address_is_one_line(sur) -> None:
    panel = WorkspacePanel(sur, lang="en", open_browser=False, timeout=30)
    panel.keyless.signer_email.value = "not an address"
    panel.keyless.sign_in.click()
    assert panel.alert.kind == "error" and panel.flow is None
    assert panel.alert.text == "Type the signer's Google account, e.g. ops@your-company.example."


@pytest.mark.parametrize("lang", ["es", "pl"])
def test_the_keyless_form_speaks_only_the_chosen_language(sur, sandbox, lang: str, tmp_path: Path) -> None:
    panel = WorkspacePanel(sur, lang=lang, open_browser=False, timeout=30)
    panel.mode.value = "keyless"
    assert_no_english(panel, lang)
    panel.keyless.signer_email.value = SIGNER_EMAIL
    panel.keyless.sign_in.click()
    assert_no_english(panel, lang)  # the prompt, link, countdown and paste box of the signer's consent
    panel.consent_box.paste.value = approve(panel.flow.authorization_url)
    panel.consent_box.finish.click()
    panel.waiting.join(20)
    assert panel.keyless.consent is not None and panel.keyless.consent.ok
    panel.domain.value, panel.mailbox.value = CLIENT, USERS[1]
    panel.keyless.service_account.value = service_account(sandbox)["client_email"]
    panel.connect.click()
    assert panel.outcome is not None and panel.outcome.ok, panel.alert.text
    panel.disconnect.click()
    shown = assert_no_english(panel, lang)
    assert SIGNER_EMAIL in shown and "keyless" not in shown.replace(".iam.gserviceaccount", "")
