"""The OAuth panel with Microsoft 365 mailboxes: "Connect with Microsoft" starts Microsoft's consent (the
sandbox's), and a refused consent is explained in Microsoft's words."""

from __future__ import annotations

from urllib.parse import quote

from mailkit.sandbox.consent_robot import approve
from mailkit.secrets.store import SecretKind, secret_store
from mailkit.ui import OAuthPanel
from mailkit.workspace import Workspace
from tests import m365_fixtures
from tests.m365_fixtures import FACTURAS, LEGACY, VENTAS, arrive

m365, mws = m365_fixtures.m365, m365_fixtures.mws  # the fixtures, for this module


def _finish(panel: OAuthPanel) -> None:
    panel.waiting.join(20)
    assert not panel.waiting.is_alive()


def test_connect_with_microsoft_consents_at_microsoft(mws: Workspace) -> None:
    panel = OAuthPanel(mws, email=FACTURAS, open_browser=False, timeout=30, lang="es")
    assert (panel.connect.description, panel.connect.icon) == ("Conectar con Microsoft", "windows")
    panel.connect.click()
    url = panel.flow.authorization_url
    assert "/oauth2/v2.0/authorize" in url and "SMTP.Send" in url and FACTURAS in panel.link.value
    assert "Abrir la página de inicio de sesión de Microsoft" in panel.link.value and "Google" not in panel.link.value
    arrive(approve(url))
    _finish(panel)
    assert panel.result is not None and panel.result.ok and panel.alert.kind == "success"
    assert secret_store(mws).get_json(FACTURAS, SecretKind.OAUTH_TOKEN) is not None


def test_another_mailbox_picked_is_explained_in_microsofts_words(mws: Workspace) -> None:
    panel = OAuthPanel(mws, email=FACTURAS, open_browser=False, timeout=30, lang="en")
    panel.connect.click()
    arrive(approve(panel.flow.authorization_url.replace(quote(FACTURAS, safe=""), quote(VENTAS, safe=""))))
    _finish(panel)
    assert panel.result.outcome == "wrong_account" and "oauth_wrong_account" in panel.outcome.value
    assert "Microsoft signed in a different work or school account" in panel.outcome.value
    assert "Google" not in panel.outcome.value.replace("Connect with Google", "")  # (the hint names the button)


def test_a_google_account_keeps_connect_with_google(mws: Workspace) -> None:
    from mailkit.inventory import Inventory
    from mailkit.models import build_account

    with Inventory.open(mws) as inventory:
        inventory.upsert_account(build_account("facturas.lupita@gmail.com", "contoso", provider_key="gmail",
                                               auth="oauth2"))
    panel = OAuthPanel(mws, email="facturas.lupita@gmail.com", open_browser=False, lang="en")
    assert (panel.connect.description, panel.connect.icon) == ("Connect with Google", "google")
    panel.account.value = FACTURAS
    assert panel.connect.description == "Connect with Microsoft"
    assert LEGACY not in [value for _, value in panel.account.options]  # password mailboxes are not listed


def test_the_setup_form_points_a_microsoft_mailbox_to_oauth(mws: Workspace) -> None:
    from mailkit.ui import SetupForm

    form = SetupForm(mws, lang="en")
    form.company.value = "contoso"
    form.email.value = "avisos@contoso-mx.example"
    form.provider.value = "microsoft365"
    assert form.smtp_host.value == "smtp.office365.com" and form.auth.value == "oauth2"
    form.save.click()
    assert form.alert.kind == "success" and "“Connect with Microsoft”" in form.alert.text
    assert "`mailkit oauth login avisos@contoso-mx.example`" in form.alert.text
    form.email.value = "caja@contoso-mx.example"
    form.provider.value = "microsoft365"
    form.auth.value = "password"
    form.save.click()
    assert "end of December 2026" in form.alert.text
    assert form.email.value == ""  # cleared after saving
    form.language.value = "es"
    form.email.value = "caja@contoso-mx.example"
    form.provider.value = "microsoft365"
    form.auth.value = "password"
    form.save.click()
    assert "diciembre de 2026" in form.alert.text
