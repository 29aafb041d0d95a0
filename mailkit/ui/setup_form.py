"""Company and account setup: a form over `SetupModel`, which does the work with the inventory.

The email field validates as the admin leaves it; a valid address triggers provider detection
(Gmail by domain, Workspace / Microsoft 365 by MX) and fills in the hosts, ports and TLS mode —
a Workspace domain gets smtp.gmail.com, never a host guessed from the domain. Hosts and ports sit
under an "Advanced" fold (the provider's are right for nearly everyone); choices are shown as
words ("OAuth 2.0 (recommended)"), companies by name; the fields empty after a save, ready for the
next one. An account already in another company is not refused with a command to type: the form
offers to move it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from mailkit.errors import UsageError, ValidationError
from mailkit.inventory import Change, Inventory
from mailkit.models import Account, Company, build_account, normalize_email, slugify
from mailkit.providers import PROVIDERS, SECURITY_MODES, Detection, detect_provider, provider
from mailkit.ui.actions import ActionBar
from mailkit.ui.base import FIELD_INDENT, Panel, busy, escape, fill, labelled, table_html
from mailkit.ui.i18n_ui import LABELS as _WORDS
from mailkit.ui.i18n_ui import t
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

    def move_account(self, email: str, company: str) -> Change:
        with Inventory.open(self.workspace) as inventory:
            return inventory.move_account(email, company)

    def owner(self, email: str) -> str | None:
        """The company an existing account belongs to (None for a new one)."""
        with Inventory.open(self.workspace) as inventory:
            found = inventory.find_account(normalize_email(email))
            return found.company if found else None

    def accounts(self, company: str) -> list[Account]:
        with Inventory.open(self.workspace) as inventory:
            return inventory.accounts(company) if company else []


class SetupForm(Panel):
    """Add a company, then its accounts; lists the company's accounts."""

    title_key = "setup_title"
    intros = ("01_company_setup",)

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None):
        self.detection: Detection | None = None
        self.refused: ValidationError | None = None  # the email's refusal, kept to say it again in another language
        self.names: dict[str, str] = {}  # company slug -> name, for everything the admin reads
        self.moving: tuple[str, str] | None = None  # (email, target company) the move button would move
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
                                        layout=w.Layout(width="420px")))
        self.smtp_host = labelled(w.Text(value="smtp.gmail.com", **text))
        self.smtp_port = labelled(w.BoundedIntText(value=587, min=1, max=65535, layout=w.Layout(width="300px")))
        self.security = labelled(w.Dropdown(options=list(SECURITY_MODES), value="starttls",
                                            layout=w.Layout(width="420px")))
        self.imap_host = labelled(w.Text(value="imap.gmail.com", **text))
        self.imap_port = labelled(w.BoundedIntText(value=993, min=1, max=65535, layout=w.Layout(width="300px")))
        self.save = w.Button(button_style="primary")
        self.accounts_title = w.HTML()
        self.accounts_list = w.HTML()
        self.email.observe(self._email_changed, "value")
        self.provider.observe(self._provider_changed, "value")
        self.company.observe(lambda _: self.refresh_accounts(), "value")
        self.save.on_click(self.on_save)
        self.move = ActionBar(self, here={"move": self.on_move})

        self.advanced = w.Accordion(children=[w.VBox([self.smtp_host, self.smtp_port, self.security,
                                                      self.imap_host, self.imap_port])], selected_index=None)
        new_company = w.VBox([self.company_name, self.company_slug, self.tax_id, self.beside(self.save_company)])
        account = w.VBox([self.company, self.email, self.email_message, self.display_name, self.provider,
                          self.auth, self.advanced, self.beside(self.save), self.move])
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
        self.advanced.set_title(0, self.t("advanced"))
        fill(self.auth, auth_options(self.auth.options, self.lang))
        fill(self.security, security_options(self.lang))
        self.move.relabel()
        self.show_detection()
        self.refresh_accounts()

    # --- companies ---------------------------------------------------------------------
    def _name_changed(self, change: dict[str, Any]) -> None:
        if not self.company_slug.value or self.company_slug.value == slugify(change["old"] or ""):
            self.company_slug.value = slugify(change["new"])

    @busy
    def on_save_company(self, _button: w.Button | None = None) -> None:
        with translated_errors(self.lang):
            company, change = self.model.save_company(self.company_name.value, self.company_slug.value,
                                                      self.tax_id.value)
        self.refresh_companies(select=company.slug)
        self.company_name.value = self.company_slug.value = self.tax_id.value = ""  # ready for the next one
        self.alert.success(self.t("company_saved", slug=company.name, change=self.t(change)))

    def refresh_companies(self, select: str | None = None) -> None:
        companies = self.model.companies()
        self.names = {c.slug: c.name for c in companies}
        fill(self.company, [(c.name, c.slug) for c in companies], select)
        self.refresh_accounts()

    def name_of(self, slug: str) -> str:
        return self.names.get(slug, slug)

    # --- accounts ----------------------------------------------------------------------
    def _email_changed(self, change: dict[str, Any]) -> None:
        text = change["new"].strip()
        self.detection, self.refused = None, None
        if text:
            try:
                self.detection = self.model.detect(text)
            except ValidationError as exc:
                self.refused = exc
            else:
                if self.detection.provider is not None:
                    self.provider.value = self.detection.provider
                    self._fill(self.detection.provider)
        self.show_detection()

    def show_detection(self) -> None:
        """The note under the email: refused, detected or to choose, in the panel's language (a language switch
        redraws it without asking DNS again)."""
        domain = self.email.value.strip().rpartition("@")[2].lower()
        if self.refused is not None:
            self.email_message.value = _note("error", error_text(self.refused, self.lang))
        elif self.detection is None:
            self.email_message.value = ""
        elif self.detection.provider is None:
            self.email_message.value = _note("warning", detection_note(self.detection, domain, self.lang))
        else:
            reason = detection_note(self.detection, domain, self.lang)
            label = provider(self.detection.provider).label
            self.email_message.value = _note("success", self.t("detected", label=label, reason=reason))

    def _provider_changed(self, change: dict[str, Any]) -> None:
        self._fill(change["new"])

    def _fill(self, key: str) -> None:
        """Put the provider's hosts, ports, TLS mode and sign-in methods in the fields."""
        preset = provider(key)
        self.auth.options = auth_options(preset.auth_methods, self.lang)
        self.auth.value = preset.default_auth
        self.smtp_host.value, self.smtp_port.value = preset.smtp_host, preset.smtp_port
        self.security.value = preset.security
        self.imap_host.value, self.imap_port.value = preset.imap_host, preset.imap_port

    @busy
    def on_save(self, _button: w.Button | None = None) -> None:
        self.move.clear()
        owner = self.model.owner(self.email.value) if self.email.value.strip() and self.company.value else None
        if owner is not None and owner != self.company.value:
            self.moving = (self.email.value.strip(), self.company.value)
            self.alert.warning(self.t("belongs_to", email=self.moving[0], company=self.name_of(owner),
                                      target=self.name_of(self.company.value)))
            self.move.show(("move",), self.moving[0], self.company.value)
            return
        self.save_fields()

    def save_fields(self) -> None:
        """Store the account as the fields say; then empty them for the next account (company and provider stay)."""
        with translated_errors(self.lang):
            account, change = self.model.save_account(
                self.company.value or "", self.email.value, provider_key=self.provider.value, auth=self.auth.value,
                smtp_host=self.smtp_host.value or None, smtp_port=self.smtp_port.value, security=self.security.value,
                imap_host=self.imap_host.value or None, imap_port=self.imap_port.value,
                display_name=self.display_name.value.strip() or None)
        self.refresh_accounts()
        self.email.value = self.display_name.value = ""
        saved = self.t("account_saved", email=account.email, change=self.t(change),
                       provider=provider(account.provider).label, auth=auth_word(account.auth, self.lang))
        if account.provider == "microsoft365":  # the way to sign in that survives basic auth's retirement
            saved += " " + self.t("next_microsoft" if account.auth == "oauth2" else "password_microsoft",
                                  email=account.email)
        self.alert.success(saved)

    @busy
    def on_move(self, _button: w.Button | None = None) -> None:
        """The move action: the account goes to the chosen company, then the fields are saved on it."""
        if self.moving is None:
            return
        email, target = self.moving
        self.moving = None
        self.move.clear()
        self.model.move_account(email, target)
        self.alert.success(self.t("moved", email=email, company=self.name_of(target)))
        if normalize_email(self.email.value or email) == normalize_email(email):
            self.save_fields()
            self.alert.success(self.t("moved", email=email, company=self.name_of(target)))

    def refresh_accounts(self) -> None:
        slug = self.company.value or ""
        title = self.t("accounts_of", company=self.name_of(slug))
        self.accounts_title.value = f"<h4>{escape(title)}</h4>" if slug else ""
        accounts = self.model.accounts(slug)
        if not accounts:
            self.accounts_list.value = f"<i>{escape(self.t('none_yet'))}</i>" if slug else ""
            return
        headers = [self.t(k) for k in ("email", "display_name", "provider", "auth", "smtp_host", "security")]
        rows = [[a.email, a.display_name or "", provider(a.provider).label, auth_word(a.auth, self.lang),
                 f"{a.smtp_host}:{a.smtp_port}", security_word(a.security, self.lang)] for a in accounts]
        self.accounts_list.value = table_html(headers, rows, css_class="mailkit-accounts")


def auth_word(auth: str, lang: str) -> str:
    """"OAuth 2.0 (recommended)" for `oauth2`: the words an admin reads for a sign-in method."""
    return t(f"auth_{auth}", lang) if f"auth_{auth}" in _WORDS else auth


def security_word(security: str, lang: str) -> str:
    """"STARTTLS (port 587)" for `starttls`."""
    return t(f"security_{security}", lang) if f"security_{security}" in _WORDS else security


def auth_options(methods: object, lang: str) -> list[tuple[str, str]]:
    """A sign-in dropdown's options as (words, value), from values or from options already worded."""
    values = [m[1] if isinstance(m, tuple) else m for m in methods]  # type: ignore[attr-defined]
    return [(auth_word(value, lang), value) for value in values]


def security_options(lang: str) -> list[tuple[str, str]]:
    return [(security_word(mode, lang), mode) for mode in SECURITY_MODES]


def detection_note(found: Detection, domain: str, lang: str) -> str:
    """Why the provider was chosen (or must be chosen), in the admin's language."""
    mx = found.mx[0] if found.mx else ""
    if found.provider == "gmail":
        key = "note_gmail"
    elif found.provider == "workspace":
        key = "note_mx_google" if mx else "note_sandbox_workspace"
    elif found.provider == "microsoft365":
        key = "note_mx_microsoft"
    elif found.provider is not None:
        key = "note_mx_custom"
    else:
        key = "note_no_dns" if "DNS could not answer" in found.reason else "note_no_mx"
    return t(key, lang, domain=domain, mx=mx)


def error_text(exc: ValidationError, lang: str) -> str:
    """A field's refusal in the admin's language: the field's own label, the reason as mailkit words it."""
    if exc.field in {"email", "admin_email"} and "is not an email address" in exc.reason:
        return t("err_email", lang, value=exc.value or "")
    if exc.field == "company_name":
        return t("err_company_name", lang)
    if exc.field == "company":
        return t("choose_company", lang)
    label = t(exc.field, lang) if exc.field in _WORDS else exc.field
    return t("err_field", lang, field=label, reason=exc.reason)


@contextlib.contextmanager
def translated_errors(lang: str) -> Iterator[None]:
    """Re-raise a ValidationError in the panel's language (the English one stays as the cause)."""
    try:
        yield
    except ValidationError as exc:
        raise UsageError(error_text(exc, lang)) from exc


def _note(kind: str, text: str) -> str:
    colors = {"success": "#146c2e", "warning": "#7a4a00", "error": "#b3261e"}
    return (f"<div class='mailkit-note-{kind}' style='color:{colors[kind]};margin-left:{FIELD_INDENT};"
            f"font-size:90%;line-height:1.4'>"
            f"{escape(text)}</div>")


__all__ = ["SetupForm", "SetupModel"]
