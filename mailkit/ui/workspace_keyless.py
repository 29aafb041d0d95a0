"""The keyless part of the "Google Workspace domains" panel: connect a domain with no service-account key, Google
signing for the service account when the signer asks (IAM Credentials signBlob).

The admin types the service account's address and picks a signer who already consented, or signs a new one in
with Google through the same consent box the 2SV panel uses (`SIGNER` purpose: Google Cloud as that user). The
client ID the Admin console wants comes from IAM only when connecting, so the panel shows it from the outcome.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from mailkit.errors import UsageError
from mailkit.google_workspace import (
    SIGNER,
    SIGNER_DENIED,
    ConnectOutcome,
    admin_console_steps,
    connect_keyless,
    has_signer,
    signers,
    testing_warning,
)
from mailkit.i18n import N_
from mailkit.models import normalize_email
from mailkit.oauth import DEFAULT_TIMEOUT, ConsentFlow, ConsentResult
from mailkit.ui.base import FIELD_INDENT, busy, escape, fill, labelled
from mailkit.ui.consent_box import ConsentBox

if TYPE_CHECKING:
    from mailkit.ui.workspace_panel import WorkspacePanel

KEY, KEYLESS = "key", "keyless"
KEYLESS_WORDS: dict[str, str] = {
    "ws_with_key": N_("With a key file"),
    "ws_without_key": N_("Without a key (keyless)"),
    "ws_keyless_hint": N_("For organisations that may not create service-account keys: Google signs for the "
                          "service account when your signer asks; no key is kept anywhere."),
    "ws_sa_email": N_("Service account's email"),
    "ws_signer": N_("Signer"),
    "ws_signer_email": N_("New signer"),
    "ws_sign_in": N_("Sign in with Google"),
    "ws_signers_none": N_("No signer yet: type a Google account that holds the role Service Account Token Creator "
                          "on the service account, then sign it in with Google."),
    "ws_signers_known": N_("Pick one of the signers who consented, or sign in another one below."),
    "ws_signer_open": N_("Sign in as {email} on Google's page and leave the Google Cloud box ticked."),
    "ws_signer_ok": N_("{email} signed in: Google may now sign for the service accounts {email} may act as."),
    "ws_bad_signer": N_("Type the signer's Google account, e.g. ops@your-company.example."),
    "ws_need_sa": N_("Type the service account's email, e.g. mailkit@project.iam.gserviceaccount.com."),
    "ws_need_signer": N_("Pick a signer, or sign one in with Google first."),
    "ws_signer_gone": N_("mailkit holds no consent of {email} any more: sign it in with Google again."),
    "ws_steps_keyless_first": N_("Connect once: Google Cloud then gives the service account's client ID, shown "
                                 "here ready to paste."),
    "ws_connected_keyless": N_("{domain} is connected without a key: {mailbox} signed in through domain-wide "
                               "delegation, Google signing for {service_account} when {signer} asks."),
    "ws_signer_refused": N_("Google refused the signer {signer} ({status}): {fix}"),
}


class KeylessBox(w.VBox):
    """The service account's address, the signer (picked, or signed in with Google), and the keyless connect."""

    def __init__(self, panel: WorkspacePanel, *, timeout: float = DEFAULT_TIMEOUT, open_browser: bool | None = None):
        self.panel = panel
        self.client_id = ""  # as IAM gave it at the last connect, for the Admin-console steps
        self.client_of = ""  # the service account that client ID belongs to
        self.consent: ConsentResult | None = None
        self.service_account = labelled(w.Text(placeholder="mailkit@project.iam.gserviceaccount.com",
                                               layout=w.Layout(width="460px")))
        self.signer = labelled(w.Dropdown(options=[], layout=w.Layout(width="460px")))
        self.signer_state = w.HTML()
        self.signer_email = labelled(w.Text(placeholder="ops@your-company.example", layout=w.Layout(width="460px")))
        self.sign_in = w.Button(button_style="info", icon="google", layout=w.Layout(width="auto"))
        self.consent_box = ConsentBox(panel, self.sign_in, self.show_consent, timeout=timeout,
                                      open_browser=open_browser)
        self.sign_in.on_click(self.on_sign_in)
        self.service_account.observe(lambda _: panel.show_steps(), "value")
        signing = panel.beside(self.sign_in, self.consent_box.cancel)
        signing.layout.margin = f"0 0 0 {FIELD_INDENT}"  # under the fields, as the key upload is
        super().__init__([self.service_account, self.signer, self.signer_state, self.signer_email, signing,
                          self.consent_box])

    def t(self, key: str, **fields: object) -> str:
        return self.panel.t(key, **fields)

    def relabel(self) -> None:
        self.service_account.description = self.t("ws_sa_email")
        self.signer.description = self.t("ws_signer")
        self.signer_email.description = self.t("ws_signer_email")
        self.sign_in.description = self.t("ws_sign_in")
        self.consent_box.relabel()
        self.refresh()

    def refresh(self, chosen: str | None = None) -> None:
        """The signers who consented, `chosen` (else the one picked) selected."""
        known = signers(self.panel.workspace)
        fill(self.signer, [(s.email if s.status == "ok" else f"{s.email} ({s.status})", s.email) for s in known],
             chosen or self.signer.value)
        self.signer.disabled = not known  # nothing to pick until a signer has signed in
        said = self.t("ws_signers_known" if known else "ws_signers_none")
        self.signer_state.value = (f"<small class='mailkit-signers' style='margin-left:{FIELD_INDENT}'>"
                                   f"{escape(said)}</small>")

    def steps_client_id(self) -> str:
        """The client ID IAM gave for the service account typed, "" before a connect."""
        typed = self.service_account.value.strip().lower()
        return self.client_id if typed and typed == self.client_of else ""

    # --- the signer's consent ------------------------------------------------------------------------------
    @busy
    def on_sign_in(self, _button: w.Button | None = None) -> None:
        try:
            email = normalize_email(self.signer_email.value, "signer").lower()
        except UsageError:
            raise UsageError(self.t("ws_bad_signer")) from None
        self.consent_box.close_flow()
        self.consent = None
        self.panel.alert.clear()
        self.consent_box.start(ConsentFlow(email, self.panel.workspace, purpose=SIGNER),
                               self.t("ws_signer_open", email=email))

    def show_consent(self, result: ConsentResult) -> None:
        """How the signer's consent ended; granted, the signer is picked and a Testing client's end is named."""
        self.consent = result
        if not result.ok:
            self.consent_box.show_refused(result)
            return
        self.refresh(result.email)
        self.signer_email.value = ""
        flow = self.consent_box.flow
        warning = testing_warning(self.panel.workspace, result.email, flow.client.fingerprint,
                                  self.panel.lang) if flow is not None else ""
        said = self.t("ws_signer_ok", email=result.email)
        if warning:
            self.panel.alert.warning(f"{said}\n{warning}")
        else:
            self.panel.alert.success(said)

    # --- connecting -------------------------------------------------------------------------------------------
    async def connect(self, domain: str, mailbox: str | None, admin: str | None) -> ConnectOutcome:
        """Connect `domain` keyless, after checking what the admin typed and picked (in the panel's words)."""
        if not self.service_account.value.strip():
            raise UsageError(self.t("ws_need_sa"))
        signer = str(self.signer.value or "")
        if not signer:
            raise UsageError(self.t("ws_need_signer"))
        workspace = self.panel.workspace
        if not await asyncio.to_thread(has_signer, workspace, signer):
            raise UsageError(self.t("ws_signer_gone", email=signer))
        outcome = await asyncio.to_thread(connect_keyless, workspace, domain, self.service_account.value, signer,
                                          mailbox=mailbox, admin=admin, lang=self.panel.lang)
        if outcome.client_id:
            self.client_id, self.client_of = outcome.client_id, outcome.service_account.lower()
        return outcome

    def refused_by_admin_console(self, outcome: ConnectOutcome) -> bool:
        """True when the domain's Admin console lacks the delegation (its fix is the path to paste), not the
        signer refused by Google Cloud."""
        return bool(outcome.client_id) and outcome.fix == admin_console_steps(
            outcome.domain, outcome.client_id, tuple(outcome.scopes), self.panel.lang)

    def signer_refused(self, outcome: ConnectOutcome) -> bool:
        """True when Google Cloud refused the signer the service account (the role to grant is the fix)."""
        return outcome.reason == SIGNER_DENIED

    def connected_text(self, outcome: ConnectOutcome) -> str:
        return self.t("ws_connected_keyless", domain=outcome.domain, mailbox=outcome.mailbox,
                      service_account=outcome.service_account, signer=self.signer.value)

    def refused_text(self, outcome: ConnectOutcome) -> str:
        return self.t("ws_signer_refused", signer=self.signer.value, status=outcome.status, fix=outcome.fix)


def mode_options(panel: Any) -> list[tuple[str, str]]:
    """The two ways to connect, in the panel's language."""
    return [(panel.t("ws_with_key"), KEY), (panel.t("ws_without_key"), KEYLESS)]


__all__ = ["KEY", "KEYLESS", "KEYLESS_WORDS", "KeylessBox", "mode_options"]
