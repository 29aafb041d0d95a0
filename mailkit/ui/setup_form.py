"""Company and account setup: a form over `SetupModel`, which does the work with the inventory.

The email field validates as the admin leaves it; a valid address triggers provider detection
(Gmail by domain, Workspace / Microsoft 365 by MX) and fills in the hosts, ports and TLS mode —
a Workspace domain gets smtp.gmail.com, never a host guessed from the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from mailkit.errors import ValidationError
from mailkit.inventory import Change, Inventory
from mailkit.models import Account, Company, build_account, normalize_email, slugify
from mailkit.providers import PROVIDERS, SECURITY_MODES, Detection, detect_provider, provider
from mailkit.ui.base import FIELD_INDENT, Panel, busy, escape, fill, labelled, table_html
from mailkit.workspace import Workspace


@dataclass
class SetupModel:
    """The setup form's logic: plain calls on the inventory, testable without widgets."""

    workspace: Workspace
    detect_timeout: float = 2.0

    def companies(self) -> list[Company]:
        with Inventory.open(self.workspace) as inventory:
            return inventory.companies()

    def save_company(self, name: str, slug: str = "", tax_id: str = "") -> tuple[Company, Change]:
        if not name.strip():
            raise ValidationError("company_name", "give the company's name")
        company = Company(slug=slug.strip() or slugify(name), name=name.strip(), tax_id=tax_id.strip() or None)
        with Inventory.open(self.workspace) as inventory:
            change = inventory.upsert_company(company)
            return inventory.company(company.slug), change

    def detect(self, email: str) -> Detection:
        return detect_provider(normalize_email(email), timeout=self.detect_timeout)

    def save_account(self, company: str, email: str, **fields: Any) -> tuple[Account, Change]:
        """Build (validate) and store an account; the error names the field."""
        if not company:
            raise ValidationError("company", "choose or add a company first")
        account = build_account(email, company, detect_timeout=self.detect_timeout, **fields)
        with Inventory.open(self.workspace) as inventory:
            inventory.rename_check(account.email, company)
            return account, inventory.upsert_account(account)

    def accounts(self, company: str) -> list[Account]:
        with Inventory.open(self.workspace) as inventory:
            return inventory.accounts(company) if company else []


class SetupForm(Panel):
    """Add a company, then its accounts; lists the company's accounts."""

    title_key = "setup_title"

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None):
        self.detection: Detection | None = None
        super().__init__(workspace, lang=lang)
        self.refresh_companies()

    def build(self) -> list[w.Widget]:
        self.model = SetupModel(self.workspace)
        text = {"continuous_update": False, "layout": w.Layout(width="490px")}
        self.company = labelled(w.Dropdown(options=[], layout=w.Layout(width="560px")))
        self.company_name = labelled(w.Text(**text))
        self.company_slug = labelled(w.Text(**text))
        self.tax_id = labelled(w.Text(**text))
        self.save_company = w.Button(button_style="primary")
        self.company_name.observe(self._name_changed, "value")
        self.save_company.on_click(self.on_save_company)

        self.email = labelled(w.Text(placeholder="facturas@empresa.com", **text))
        self.email_message = w.HTML()
        self.display_name = labelled(w.Text(**text))
        self.provider = labelled(w.Dropdown(options=[(p.label, p.key) for p in PROVIDERS.values()],
                                            value="gmail", layout=w.Layout(width="490px")))
        self.auth = labelled(w.Dropdown(options=list(PROVIDERS["gmail"].auth_methods), value="oauth2",
                                        layout=w.Layout(width="340px")))
        self.smtp_host = labelled(w.Text(value="smtp.gmail.com", **text))
        self.smtp_port = labelled(w.BoundedIntText(value=587, min=1, max=65535, layout=w.Layout(width="300px")))
        self.security = labelled(w.Dropdown(options=list(SECURITY_MODES), value="starttls",
                                            layout=w.Layout(width="340px")))
        self.imap_host = labelled(w.Text(value="imap.gmail.com", **text))
        self.imap_port = labelled(w.BoundedIntText(value=993, min=1, max=65535, layout=w.Layout(width="300px")))
        self.save = w.Button(button_style="primary")
        self.accounts_title = w.HTML()
        self.accounts_list = w.HTML()
        self.email.observe(self._email_changed, "value")
        self.provider.observe(self._provider_changed, "value")
        self.company.observe(lambda _: self.refresh_accounts(), "value")
        self.save.on_click(self.on_save)

        new_company = w.VBox([self.company_name, self.company_slug, self.tax_id, self.save_company])
        account = w.VBox([self.company, self.email, self.email_message, self.display_name, self.provider,
                          self.auth, self.smtp_host, self.smtp_port, self.security, self.imap_host, self.imap_port,
                          self.save])
        return [new_company, w.HTML("<hr>"), account, self.accounts_title, self.accounts_list]

    def relabel(self) -> None:
        for widget, key in ((self.company, "company"), (self.company_name, "company_name"),
                            (self.company_slug, "company_slug"), (self.tax_id, "tax_id"), (self.email, "email"),
                            (self.display_name, "display_name"), (self.provider, "provider"), (self.auth, "auth"),
                            (self.smtp_host, "smtp_host"), (self.smtp_port, "smtp_port"),
                            (self.security, "security"), (self.imap_host, "imap_host"),
                            (self.imap_port, "imap_port")):
            widget.description = self.t(key)
        self.save_company.description = self.t("save_company")
        self.save.description = self.t("save_account")
        self.refresh_accounts()

    # --- companies ---------------------------------------------------------------------
    def _name_changed(self, change: dict[str, Any]) -> None:
        if not self.company_slug.value or self.company_slug.value == slugify(change["old"] or ""):
            self.company_slug.value = slugify(change["new"])

    @busy
    def on_save_company(self, _button: w.Button | None = None) -> None:
        company, change = self.model.save_company(self.company_name.value, self.company_slug.value,
                                                  self.tax_id.value)
        self.refresh_companies(select=company.slug)
        self.alert.success(self.t("company_saved", slug=company.slug, change=self.t(change)))

    def refresh_companies(self, select: str | None = None) -> None:
        companies = self.model.companies()
        fill(self.company, [(f"{c.name} ({c.slug})", c.slug) for c in companies], select)
        self.refresh_accounts()

    # --- accounts ----------------------------------------------------------------------
    def _email_changed(self, change: dict[str, Any]) -> None:
        text = change["new"].strip()
        self.detection = None
        if not text:
            self.email_message.value = ""
            return
        try:
            self.detection = self.model.detect(text)
        except ValidationError as exc:
            self.email_message.value = _note("error", exc.reason)
            return
        if self.detection.provider is None:
            self.email_message.value = _note("warning", self.t("not_detected", reason=self.detection.reason))
            return
        preset = provider(self.detection.provider)
        self.provider.value = preset.key
        self._fill(preset.key)
        self.email_message.value = _note("success", self.t("detected", label=preset.label,
                                                             reason=self.detection.reason))

    def _provider_changed(self, change: dict[str, Any]) -> None:
        self._fill(change["new"])

    def _fill(self, key: str) -> None:
        """Put the provider's hosts, ports, TLS mode and sign-in methods in the fields."""
        preset = provider(key)
        self.auth.options = list(preset.auth_methods)
        self.auth.value = preset.default_auth
        self.smtp_host.value, self.smtp_port.value = preset.smtp_host, preset.smtp_port
        self.security.value = preset.security
        self.imap_host.value, self.imap_port.value = preset.imap_host, preset.imap_port

    @busy
    def on_save(self, _button: w.Button | None = None) -> None:
        account, change = self.model.save_account(
            self.company.value or "", self.email.value, provider_key=self.provider.value, auth=self.auth.value,
            smtp_host=self.smtp_host.value or None, smtp_port=self.smtp_port.value, security=self.security.value,
            imap_host=self.imap_host.value or None, imap_port=self.imap_port.value,
            display_name=self.display_name.value.strip() or None)
        self.refresh_accounts()
        saved = self.t("account_saved", email=account.email, change=self.t(change),
                       provider=provider(account.provider).label, auth=account.auth)
        if account.provider == "microsoft365":  # the way to sign in that survives basic auth's retirement
            saved += " " + self.t("next_microsoft" if account.auth == "oauth2" else "password_microsoft",
                                  email=account.email)
        self.alert.success(saved)

    def refresh_accounts(self) -> None:
        slug = self.company.value or ""
        self.accounts_title.value = f"<h4>{escape(self.t('accounts_of', company=slug))}</h4>" if slug else ""
        accounts = self.model.accounts(slug)
        if not accounts:
            self.accounts_list.value = f"<i>{escape(self.t('none_yet'))}</i>" if slug else ""
            return
        headers = [self.t(k) for k in ("email", "display_name", "provider", "auth", "smtp_host", "security")]
        rows = [[a.email, a.display_name, a.provider, a.auth, f"{a.smtp_host}:{a.smtp_port}", a.security]
                for a in accounts]
        self.accounts_list.value = table_html(headers, rows, css_class="mailkit-accounts")


def _note(kind: str, text: str) -> str:
    colors = {"success": "#146c2e", "warning": "#7a4a00", "error": "#b3261e"}
    return (f"<div class='mailkit-note-{kind}' style='color:{colors[kind]};margin-left:{FIELD_INDENT};"
            f"font-size:90%;line-height:1.4'>"
            f"{escape(text)}</div>")


__all__ = ["SetupForm", "SetupModel"]
