"""The "Google Workspace domains" panel (08_workspace_domains): connect a client's domain with domain-wide
delegation, see the connected domains, import the domain's users from the Directory, and list and revoke its
users' app passwords and third-party tokens.

The service-account key arrives as a file upload: its text goes through `load_key_text` straight to
`connect_domain`, which keeps it in keyring; the upload widget is emptied at once, so the key is never in a
file, the widget state a saved notebook keeps, or any output. The Admin-console steps name the screens as Google
names them and give the client ID and scope string with a copy button each. Revocations ask for an explicit
confirmation first, and the library records each one in SQLite. Without a key (keyless), the form is
`mailkit.ui.workspace_keyless`: Google signs for the service account when a consented signer asks.
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

import ipywidgets as w

from mailkit.errors import UsageError
from mailkit.google_workspace import (
    SECURITY_SCOPES,
    AppPassword,
    ConnectOutcome,
    DelegatedDomain,
    Revocation,
    ServiceAccountKey,
    ThirdPartyToken,
    WorkspaceUser,
    admin_console_steps,
    connect_domain,
    connected_domains,
    disconnect_domain,
    import_users,
    list_app_passwords,
    list_tokens,
    list_users,
    load_key_text,
    revoke_app_passwords,
    revoke_tokens,
)
from mailkit.i18n import N_, text
from mailkit.inventory import Inventory
from mailkit.oauth import DEFAULT_TIMEOUT, MAIL_SCOPE
from mailkit.status import Status
from mailkit.ui.base import FIELD_INDENT, Panel, busy, code_spans, escape, fill, labelled, table_html
from mailkit.ui.consent_box import ConsentHost
from mailkit.ui.workspace_keyless import KEY, KEYLESS, KEYLESS_WORDS, KeylessBox, mode_options
from mailkit.workspace import Workspace

#: Users shown per page of the users' table.
PAGE = 50
ADMIN_CONSOLE = "https://admin.google.com/ac/owl/domainwidedelegation"

WORDS: dict[str, str] = {
    "ws_title": N_("Google Workspace domains"),
    "ws_connect_head": N_("Connect a Workspace domain"),
    "ws_steps_intro": N_("Once per client domain, a super admin of that domain authorises mailkit's service account "
                         "in the Google Admin console ({link}):"),
    "ws_steps_key_first": N_("Upload the service-account key: its client ID is shown here, ready to paste."),
    "ws_client_id": N_("Client ID"),
    "ws_scopes": N_("OAuth scopes"),
    "ws_domain": N_("Domain"),
    "ws_key": N_("Service-account key (JSON)"),
    "ws_key_read": N_("Key of {service_account} read (client ID {client_id}); it goes to keyring when the domain "
                      "connects."),
    "ws_mailbox": N_("Check with mailbox"),
    "ws_admin": N_("Admin (for the Directory)"),
    "ws_connect": N_("Connect the domain"),
    "ws_need_key": N_("Upload the service account's JSON key first."),
    "ws_need_domain": N_("Type the client's Workspace domain, e.g. example.com."),
    "ws_connected": N_("{domain} is connected: {mailbox} signed in through domain-wide delegation, with no consent "
                       "(service account {service_account})."),
    "ws_refused": N_("Google refused the delegation of {domain} ({status}). Missing in the Admin console:"),
    "ws_not_connected": N_("{domain} is not connected ({status}): {fix}"),
    "ws_domains_head": N_("Connected domains"),
    "ws_none": N_("No domain is connected yet."),
    "ws_service_account": N_("Service account"),
    "ws_last_check": N_("Last check"),
    "ws_chosen": N_("Connected domain"),
    "ws_disconnect": N_("Disconnect"),
    "ws_disconnect_ask": N_("Disconnect {domain}? Its key is deleted from keyring and its accounts go back to their "
                            "own consent."),
    "ws_yes_disconnect": N_("Yes, disconnect"),
    "ws_cancel": N_("Cancel"),
    "ws_cancelled": N_("Cancelled: nothing was changed."),
    "ws_disconnected": N_("{domain} is disconnected: its key is no longer in keyring."),
    "ws_choose_domain": N_("Connect a domain first, then choose it here."),
    "ws_users_head": N_("Users from the Directory"),
    "ws_include_suspended": N_("Include suspended users"),
    "ws_list_users": N_("List users"),
    "ws_users_listed": N_("{count} user(s) of {domain}."),
    "ws_name": N_("Name"),
    "ws_suspended": N_("Suspended"),
    "ws_2sv": N_("2-Step Verification"),
    "ws_last_login": N_("Last sign-in"),
    "ws_yes": N_("yes"),
    "ws_no": N_("no"),
    "ws_never": N_("never"),
    "ws_enforced": N_("enforced"),
    "ws_page": N_("Page {page} of {pages}"),
    "ws_previous": N_("Previous"),
    "ws_next": N_("Next"),
    "ws_pick": N_("Users"),
    "ws_all_users": N_("All users listed"),
    "ws_import_into": N_("Import into"),
    "ws_import": N_("Import"),
    "ws_pick_users": N_("Pick users first (or tick “All users listed”)."),
    "ws_need_company": N_("Add the company in the setup form first."),
    "ws_imported": N_("{added} added, {skipped} already in the inventory (left as they were):"),
    "ws_security_head": N_("App passwords and third-party tokens"),
    "ws_security_hint": N_("Lists the users picked above (every user of the domain when none is picked)."),
    "ws_list_security": N_("List app passwords and tokens"),
    "ws_security_listed": N_("{passwords} app password(s) and {tokens} token(s) reaching mail, of {users} user(s)."),
    "ws_user": N_("User"),
    "ws_kind": N_("Kind"),
    "ws_app_password": N_("app password"),
    "ws_token": N_("app token"),
    "ws_created": N_("Created"),
    "ws_last_used": N_("Last used"),
    "ws_unknown": N_("unknown"),
    "ws_revoke_pick": N_("To revoke"),
    "ws_revoke": N_("Revoke…"),
    "ws_pick_items": N_("Pick the app passwords or tokens to revoke first."),
    "ws_revoke_ask": N_("Revoke these {count}? The programs using them stop signing in until they get a new one."),
    "ws_yes_revoke": N_("Yes, revoke {count}"),
    "ws_revoked_summary": N_("{revoked} revoked, {gone} already gone, {failed} failed; each one is recorded:"),
    "ws_out_revoked": N_("revoked"),
    "ws_out_gone": N_("already gone"),
    "ws_out_failed": N_("failed"),
    "ws_revocation": N_("{outcome}: {kind} “{name}” of {email}"),
    "ws_signing": N_("Signing"),
    "ws_key_kept": N_("key in keyring"),
    "ws_keyless_by": N_("keyless: Google signs when {signer} asks"),
    "ws_disconnect_ask_keyless": N_("Disconnect {domain}? It is keyless, so there is no key to delete; its accounts "
                                    "go back to their own consent and the signer {signer} stays."),
    "ws_disconnected_keyless": N_("{domain} is disconnected: it was keyless, so there was no key to delete."),
    **KEYLESS_WORDS,
}


class WorkspacePanel(ConsentHost, Panel):
    """Connect Workspace domains with domain-wide delegation; their users, app passwords and tokens."""

    title_key = "ws_title"
    intros = ("08_workspace_domains",)

    def __init__(self, workspace: Workspace | None = None, *, lang: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, open_browser: bool | None = None):
        self._consent_options = {"timeout": timeout, "open_browser": open_browser}  # the signer's consent box
        self._key: ServiceAccountKey | None = None  # the uploaded key, until it is in keyring
        self.outcome: ConnectOutcome | None = None
        self.domains: list[DelegatedDomain] = []
        self.users: list[WorkspaceUser] = []
        self.page = 0
        self.imported: list[Any] = []
        self.app_passwords: list[AppPassword] = []
        self.tokens: list[ThirdPartyToken] = []
        self.listed_domain = ""  # whose app passwords and tokens are listed: revocations go to that domain
        self.revocations: list[Revocation] = []
        self._pending: list[str] = []  # the items a confirmation waits for
        super().__init__(workspace, lang=lang)
        self.refresh()

    def t(self, key: str, **fields: object) -> str:
        return text(self.lang, WORDS[key], **fields) if key in WORDS else super().t(key, **fields)

    # --- layout -------------------------------------------------------------------------------------------
    def build(self) -> list[w.Widget]:
        return [self._build_connect(), w.HTML("<hr>"), self._build_domains(), w.HTML("<hr>"), self._build_users(),
                w.HTML("<hr>"), self._build_security()]

    def _build_connect(self) -> w.Widget:
        self.connect_head = w.HTML()
        self.steps = w.HTML()
        self.domain = labelled(w.Text(placeholder="example.com", layout=w.Layout(width="460px")))
        self.key_upload = w.FileUpload(accept=".json,application/json", multiple=False)
        self.key_state = w.HTML()
        self.mailbox = labelled(w.Text(placeholder="user@example.com", layout=w.Layout(width="460px")))
        self.admin = labelled(w.Text(placeholder="admin@example.com", layout=w.Layout(width="460px")))
        self.connect = w.Button(button_style="primary", icon="link")
        self.key_upload.observe(self._uploaded, "value")
        self.domain.observe(lambda _: self.show_steps(), "value")
        self.admin.observe(lambda _: self.show_steps(), "value")
        self.connect.on_click(self.on_connect)
        self.key_row = w.HBox([self.key_upload, self.key_state], layout=w.Layout(
            flex_flow="row wrap", align_items="center", margin=f"0 0 0 {FIELD_INDENT}"))
        self.mode = labelled(w.ToggleButtons(options=[("", KEY), (" ", KEYLESS)], value=KEY,
                                             style={"button_width": "auto"}))
        self.mode.add_class("widget-inline-hbox")  # the label beside the buttons, as a Dropdown's is
        self.mode_hint = w.HTML()
        self.keyless = KeylessBox(self, **self._consent_options)
        self.consent_box = self.keyless.consent_box
        self.mode.observe(lambda _: self.show_mode(), "value")
        return w.VBox([self.connect_head, self.steps, self.mode, self.mode_hint, self.domain, self.key_row,
                       self.keyless, self.mailbox, self.admin, self.beside(self.connect)])

    def _build_domains(self) -> w.Widget:
        self.domains_head = w.HTML()
        self.domains_table = w.HTML()
        self.chosen = labelled(w.Dropdown(options=[], layout=w.Layout(width="460px")))
        self.disconnect = w.Button(button_style="warning", icon="unlink")
        self.disconnect.on_click(self.on_disconnect)
        self.disconnect_ask = w.HTML()
        self.disconnect_yes = w.Button(button_style="danger")
        self.disconnect_no = w.Button()
        self.disconnect_yes.on_click(self.on_disconnect_confirmed)
        self.disconnect_no.on_click(self.on_cancel)
        self.disconnect_confirm = w.VBox([self.disconnect_ask, w.HBox([self.disconnect_yes, self.disconnect_no])])
        self.disconnect_confirm.layout.display = "none"
        return w.VBox([self.domains_head, self.domains_table, self.chosen, self.beside(self.disconnect),
                       self.disconnect_confirm])

    def _build_users(self) -> w.Widget:
        self.users_head = w.HTML()
        self.include_suspended = w.Checkbox(value=False, indent=False)
        self.list_users = w.Button(button_style="primary", icon="users")
        self.list_users.on_click(self.on_list_users)
        self.users_table = w.HTML()
        self.previous, self.next, self.page_label = w.Button(icon="arrow-left"), w.Button(icon="arrow-right"), w.Label()
        self.previous.on_click(lambda _: self.go(self.page - 1))
        self.next.on_click(lambda _: self.go(self.page + 1))
        self.pager = w.HBox([self.previous, self.page_label, self.next], layout=w.Layout(align_items="center"))
        self.pager.layout.display = "none"
        self.pick = labelled(w.SelectMultiple(options=[], rows=8, layout=w.Layout(width="660px")))
        self.all_users = w.Checkbox(value=False, indent=False)
        self.company = labelled(w.Dropdown(options=[], layout=w.Layout(width="460px")))
        self.import_button = w.Button(button_style="success", icon="download")
        self.import_button.on_click(self.on_import)
        self.import_lines = w.HTML()
        return w.VBox([self.users_head, self.include_suspended, self.beside(self.list_users), self.users_table,
                       self.pager, self.pick, self.all_users, self.company, self.beside(self.import_button),
                       self.import_lines])

    def _build_security(self) -> w.Widget:
        self.security_head = w.HTML()
        self.list_security = w.Button(button_style="primary", icon="key")
        self.list_security.on_click(self.on_list_security)
        self.security_table = w.HTML()
        self.revoke_pick = labelled(w.SelectMultiple(options=[], rows=8, layout=w.Layout(width="660px")))
        self.revoke = w.Button(button_style="warning", icon="ban")
        self.revoke.on_click(self.on_revoke)
        self.revoke_ask = w.HTML()
        self.revoke_yes = w.Button(button_style="danger")
        self.revoke_no = w.Button()
        self.revoke_yes.on_click(self.on_revoke_confirmed)
        self.revoke_no.on_click(self.on_cancel)
        self.revoke_confirm = w.VBox([self.revoke_ask, w.HBox([self.revoke_yes, self.revoke_no])])
        self.revoke_confirm.layout.display = "none"
        self.revocation_lines = w.HTML()
        return w.VBox([self.security_head, self.beside(self.list_security), self.security_table, self.revoke_pick,
                       self.beside(self.revoke), self.revoke_confirm, self.revocation_lines])

    def relabel(self) -> None:
        head = "<h4 style='margin:6px 0'>{}</h4>"
        self.connect_head.value = head.format(escape(self.t("ws_connect_head")))
        self.domains_head.value = head.format(escape(self.t("ws_domains_head")))
        self.users_head.value = head.format(escape(self.t("ws_users_head")))
        self.security_head.value = (head.format(escape(self.t("ws_security_head")))
                                    + f"<small>{escape(self.t('ws_security_hint'))}</small>")
        self.domain.description = self.t("ws_domain")
        self.mode.description = self.t("ws_service_account")
        fill(self.mode, mode_options(self))
        self.mode_hint.value = (f"<small class='mailkit-keyless-hint' style='margin-left:{FIELD_INDENT}'>"
                                f"{escape(self.t('ws_keyless_hint'))}</small>")
        self.keyless.relabel()
        self.key_upload.description = self.t("ws_key")
        self.mailbox.description = self.t("ws_mailbox")
        self.admin.description = self.t("ws_admin")
        self.connect.description = self.t("ws_connect")
        self.chosen.description = self.t("ws_chosen")
        self.disconnect.description = self.t("ws_disconnect")
        self.disconnect_yes.description = self.t("ws_yes_disconnect")
        self.disconnect_no.description = self.revoke_no.description = self.t("ws_cancel")
        self.include_suspended.description = self.t("ws_include_suspended")
        self.list_users.description = self.t("ws_list_users")
        self.previous.description, self.next.description = self.t("ws_previous"), self.t("ws_next")
        self.pick.description = self.t("ws_pick")
        self.all_users.description = self.t("ws_all_users")
        self.company.description = self.t("ws_import_into")
        self.import_button.description = self.t("ws_import")
        self.list_security.description = self.t("ws_list_security")
        self.revoke_pick.description = self.t("ws_revoke_pick")
        self.revoke.description = self.t("ws_revoke")
        self.revoke_yes.description = self.t("ws_yes_revoke", count=len(self._pending))
        if self._pending and self.revoke_confirm.layout.display != "none":
            self.revoke_ask.value = self._revoke_question()
        if self.disconnect_confirm.layout.display != "none" and self.chosen.value:
            self.disconnect_ask.value = f"<b>{escape(self._disconnect_question(str(self.chosen.value)))}</b>"
        self.show_key()
        self.show_mode()
        self.show_domains()
        self.show_users()
        self.show_security()
        if self.imported:
            self.show_imported()
        if self.revocations:
            self.show_revocations()

    def refresh(self) -> None:
        """Read the connected domains and the companies again."""
        self.domains = connected_domains(self.workspace)
        with Inventory.open(self.workspace) as inventory:
            companies = [(c.name, c.slug) for c in inventory.companies()]
        fill(self.chosen, [(d.domain, d.domain) for d in self.domains])
        fill(self.company, companies)
        self.show_domains()

    # --- connect -------------------------------------------------------------------------------------------
    def _uploaded(self, change: dict[str, Any]) -> None:
        """Read the uploaded key, then empty the upload: the key lives on only in this panel until keyring."""
        files = change["new"]
        if not files:
            return
        item = files[0]
        self.key_upload.value = ()  # out of the widget state at once (a saved notebook keeps widget state)
        self.alert_near(self.connect)
        try:
            self._key = load_key_text(bytes(item["content"]), str(item.get("name") or "service-account key"))
        except UsageError as exc:
            self._key = None
            self.alert.error(str(exc))
        else:
            self.alert.clear()
        self.show_key()
        self.show_steps()

    def show_mode(self) -> None:
        """The key upload or the keyless fields, as the admin chose; the Admin-console steps follow."""
        keyless = self.mode.value == KEYLESS
        self.key_row.layout.display = "none" if keyless else None
        self.keyless.layout.display = None if keyless else "none"
        self.show_steps()

    def show_key(self) -> None:
        key = self._key
        said = "" if key is None else self.t("ws_key_read", service_account=key.client_email, client_id=key.client_id)
        self.key_state.value = f"<small class='mailkit-key-state'>{escape(said)}</small>" if said else ""

    def wanted_scopes(self) -> tuple[str, ...]:
        """The scopes this panel needs delegated: mail; with an admin, the Directory and its security part too."""
        if self.admin.value.strip():
            return (MAIL_SCOPE, *SECURITY_SCOPES)
        return (MAIL_SCOPE,)

    def show_steps(self, client_id: str | None = None, scopes: tuple[str, ...] | None = None) -> None:
        """The Admin-console path, with the client ID and the scope string to paste, a copy button each."""
        keyless = self.mode.value == KEYLESS
        client_id = client_id or (self.keyless.steps_client_id() if keyless else
                                  self._key.client_id if self._key else "")
        scopes = scopes or self.wanted_scopes()
        domain = self.domain.value.strip().lower() or "example.com"
        link = f"<a href='{ADMIN_CONSOLE}' target='_blank'>admin.google.com</a>"
        intro = escape(self.t("ws_steps_intro", link="LINK")).replace("LINK", link)
        path = escape(admin_console_steps(domain, client_id or "…", scopes, self.lang))
        rows = [self._copy_row(self.t("ws_scopes"), ",".join(scopes))]
        if client_id:
            rows.insert(0, self._copy_row(self.t("ws_client_id"), client_id))
        else:
            first = self.t("ws_steps_keyless_first" if keyless else "ws_steps_key_first")
            rows.insert(0, f"<li><i>{escape(first)}</i></li>")
        self.steps.value = (f"<div class='mailkit-block mailkit-admin-console'>{intro}<p>{path}</p>"
                            f"<ul>{''.join(rows)}</ul></div>")

    def _copy_row(self, label: str, value: str) -> str:
        copy = escape(self.t("act_copy"))
        return (f"<li><b>{escape(label)}:</b> <code class='mailkit-paste'>{escape(value)}</code> "
                f"<button type='button' class='mailkit-copy' data-copy='{html.escape(value, quote=True)}' "
                f"onclick='navigator.clipboard &amp;&amp; navigator.clipboard.writeText(this.dataset.copy)'>"
                f"{copy}</button></li>")

    @busy
    async def on_connect(self, _button: w.Button | None = None) -> ConnectOutcome:
        if not self.domain.value.strip():
            raise UsageError(self.t("ws_need_domain"))
        if self.mode.value == KEYLESS:
            return await self.connect_keyless()
        if self._key is None:
            raise UsageError(self.t("ws_need_key"))
        outcome = await asyncio.to_thread(connect_domain, self.workspace, self.domain.value, self._key,
                                          mailbox=self.mailbox.value.strip() or None,
                                          admin=self.admin.value.strip() or None, lang=self.lang)
        self.outcome = outcome
        if outcome.ok:
            self._key = None  # in keyring now
            self.show_key()
            self.refresh()
            fill(self.chosen, [(d.domain, d.domain) for d in self.domains], outcome.domain)
            self.alert.success(self.t("ws_connected", domain=outcome.domain, mailbox=outcome.mailbox,
                                      service_account=outcome.service_account))
        elif outcome.status == Status.DELEGATION_UNAUTHORIZED.value:
            self.show_steps(outcome.client_id, tuple(outcome.scopes))
            self.alert.error(f"{self.t('ws_refused', domain=outcome.domain, status=outcome.status)}\n{outcome.fix}")
        else:
            self.alert.error(self.t("ws_not_connected", domain=outcome.domain, status=outcome.status,
                                    fix=outcome.fix))
        return outcome

    async def connect_keyless(self) -> ConnectOutcome:
        """Connect without a key; the client ID IAM gave goes to the Admin-console steps in any case."""
        outcome = await self.keyless.connect(self.domain.value, self.mailbox.value.strip() or None,
                                             self.admin.value.strip() or None)
        self.outcome = outcome
        if outcome.client_id:
            self.show_steps(outcome.client_id, tuple(outcome.scopes))
        if outcome.ok:
            self.refresh()
            fill(self.chosen, [(d.domain, d.domain) for d in self.domains], outcome.domain)
            self.alert.success(self.keyless.connected_text(outcome))
        elif self.keyless.refused_by_admin_console(outcome):
            self.alert.error(f"{self.t('ws_refused', domain=outcome.domain, status=outcome.status)}\n{outcome.fix}")
        elif self.keyless.signer_refused(outcome):
            self.alert.error(self.keyless.refused_text(outcome))
        else:
            self.alert.error(self.t("ws_not_connected", domain=outcome.domain, status=outcome.status,
                                    fix=outcome.fix))
        return outcome

    # --- connected domains ---------------------------------------------------------------------------------
    def show_domains(self) -> None:
        if not self.domains:
            self.domains_table.value = f"<i>{escape(self.t('ws_none'))}</i>"
            return
        headers = [self.t(k) for k in ("ws_domain", "ws_service_account", "ws_signing", "ws_client_id", "ws_scopes",
                                       "ws_admin", "ws_last_check")]
        rows = [[d.domain, d.service_account,
                 self.t("ws_keyless_by", signer=d.signer) if d.signer else self.t("ws_key_kept"),
                 d.client_id, " ".join(d.scopes), d.admin or "",
                 f"{(d.checked_at or '')[:16].replace('T', ' ')} {d.checked_mailbox or ''} ({d.last_result})"]
                for d in self.domains]
        self.domains_table.value = table_html(headers, rows, css_class="mailkit-ws-domains")

    def _domain_chosen(self) -> str:
        if not self.chosen.value:
            raise UsageError(self.t("ws_choose_domain"))
        return str(self.chosen.value)

    def _signer_of(self, domain: str) -> str | None:
        """Who signs for a keyless domain; None for a domain connected with a key."""
        return next((d.signer for d in self.domains if d.domain == domain), None)

    def _disconnect_question(self, domain: str) -> str:
        signer = self._signer_of(domain)
        if signer:
            return self.t("ws_disconnect_ask_keyless", domain=domain, signer=signer)
        return self.t("ws_disconnect_ask", domain=domain)

    @busy
    def on_disconnect(self, _button: w.Button | None = None) -> None:
        domain = self._domain_chosen()
        self.disconnect_ask.value = f"<b>{escape(self._disconnect_question(domain))}</b>"
        self.disconnect_confirm.layout.display = None

    @busy
    def on_disconnect_confirmed(self, _button: w.Button | None = None) -> None:
        domain = self._domain_chosen()
        self.disconnect_confirm.layout.display = "none"
        self.alert_near(self.disconnect)
        keyless = self._signer_of(domain) is not None
        disconnect_domain(self.workspace, domain)
        self.refresh()
        self.alert.success(self.t("ws_disconnected_keyless" if keyless else "ws_disconnected", domain=domain))

    def on_cancel(self, _button: w.Button | None = None) -> None:
        """Close both confirmations; nothing is changed."""
        near = self.disconnect if self.disconnect_confirm.layout.display != "none" else self.revoke
        self.disconnect_confirm.layout.display = self.revoke_confirm.layout.display = "none"
        self._pending = []
        self.alert_near(near)
        self.alert.info(self.t("ws_cancelled"))

    # --- users ---------------------------------------------------------------------------------------------
    @busy
    async def on_list_users(self, _button: w.Button | None = None) -> list[WorkspaceUser]:
        domain = self._domain_chosen()
        self.users = await asyncio.to_thread(list_users, self.workspace, domain,
                                             include_suspended=self.include_suspended.value)
        self.page = 0
        self.pick.options = [(f"{u.email} — {u.name}" if u.name else u.email, u.email) for u in self.users]
        self.show_users()
        self.alert.info(self.t("ws_users_listed", count=len(self.users), domain=domain))
        return self.users

    def go(self, page: int) -> None:
        self.page = max(0, min(page, self._pages() - 1))
        self.show_users()

    def _pages(self) -> int:
        return max(1, -(-len(self.users) // PAGE))

    def show_users(self) -> None:
        if not self.users:
            self.users_table.value = ""
            self.pager.layout.display = "none"
            return
        headers = [self.t(k) for k in ("ws_name", "email", "ws_suspended", "ws_2sv", "ws_last_login")]
        shown = self.users[self.page * PAGE:(self.page + 1) * PAGE]
        rows = [[u.name, u.email, self.t("ws_yes" if u.suspended else "ws_no"), self._two_step(u),
                 u.last_login.strftime("%Y-%m-%d %H:%M") if u.last_login else self.t("ws_never")] for u in shown]
        self.users_table.value = table_html(headers, rows, css_class="mailkit-ws-users")
        self.pager.layout.display = None if len(self.users) > PAGE else "none"
        self.page_label.value = self.t("ws_page", page=self.page + 1, pages=self._pages())
        self.previous.disabled, self.next.disabled = self.page == 0, self.page >= self._pages() - 1

    def _two_step(self, user: WorkspaceUser) -> str:
        if not user.enrolled_2sv:
            return self.t("ws_no")
        return self.t("ws_yes") + (f" ({self.t('ws_enforced')})" if user.enforced_2sv else "")

    def picked_users(self) -> list[WorkspaceUser]:
        if self.all_users.value:
            return list(self.users)
        wanted = set(self.pick.value)
        return [u for u in self.users if u.email in wanted]

    @busy
    def on_import(self, _button: w.Button | None = None) -> list[Any]:
        users = self.picked_users()
        if not users:
            raise UsageError(self.t("ws_pick_users"))
        if not self.company.value:
            raise UsageError(self.t("ws_need_company"))
        self.imported = import_users(self.workspace, users, self.company.value)
        self.show_imported()
        added = sum(1 for line in self.imported if line.outcome == "added")
        self.alert.success(self.t("ws_imported", added=added, skipped=len(self.imported) - added))
        return self.imported

    def show_imported(self) -> None:
        lines = "".join(f"<li data-outcome='{line.outcome}'>{escape(line.message(self.lang))}</li>"
                        for line in self.imported)
        self.import_lines.value = f"<ul class='mailkit-block mailkit-ws-imported'>{lines}</ul>"

    # --- app passwords and tokens ---------------------------------------------------------------------------
    @busy
    async def on_list_security(self, _button: w.Button | None = None) -> None:
        domain = self._domain_chosen()
        only = [u.email for u in self.picked_users()] if (self.pick.value or self.all_users.value) else None
        passwords = await asyncio.to_thread(list_app_passwords, self.workspace, domain, users=only)
        tokens = await asyncio.to_thread(list_tokens, self.workspace, domain, users=only)
        self.app_passwords, self.tokens = list(passwords.items), list(tokens.items)
        self.listed_domain = domain
        self.revocations = []
        self.revocation_lines.value = ""
        self.show_security()
        self.alert.info(self.t("ws_security_listed", passwords=len(self.app_passwords), tokens=len(self.tokens),
                               users=len(passwords.users)))

    def _items(self) -> dict[str, AppPassword | ThirdPartyToken]:
        """Every listed item by its option value: `asp:EMAIL:CODE` or `token:EMAIL:CLIENT_ID`."""
        found: dict[str, AppPassword | ThirdPartyToken] = {f"asp:{a.email}:{a.code_id}": a for a in self.app_passwords}
        found.update({f"token:{t.email}:{t.client_id}": t for t in self.tokens})
        return found

    def _describe(self, item: AppPassword | ThirdPartyToken) -> tuple[str, str]:
        """(kind, name) in the panel's language."""
        if isinstance(item, AppPassword):
            return self.t("ws_app_password"), item.name
        return self.t("ws_token"), item.display_text or item.client_id

    def show_security(self) -> None:
        items = self._items()
        if not items:
            self.security_table.value = ""
            self.revoke_pick.options = []
            return
        headers = [self.t(k) for k in ("ws_user", "ws_kind", "ws_name", "ws_created", "ws_last_used", "ws_scopes")]
        rows = []
        for item in items.values():
            kind, name = self._describe(item)
            if isinstance(item, AppPassword):
                rows.append([item.email, kind, name, _day(item.created) or self.t("ws_unknown"),
                             _day(item.last_used) or self.t("ws_never"), ""])
            else:
                rows.append([item.email, kind, name, "", "", " ".join(item.mail_scopes or item.scopes)])
        self.security_table.value = table_html(headers, rows, css_class="mailkit-ws-security")
        chosen = [v for v in self.revoke_pick.value if v in items]
        self.revoke_pick.options = [(f"{i.email} — {' · '.join(self._describe(i))}", key) for key, i in items.items()]
        self.revoke_pick.value = tuple(chosen)

    def _revoke_question(self) -> str:
        items = self._items()
        names = "".join(f"<li>{escape(items[k].email)} — {escape(' · '.join(self._describe(items[k])))}</li>"
                        for k in self._pending if k in items)
        return f"<b>{escape(self.t('ws_revoke_ask', count=len(self._pending)))}</b><ul>{names}</ul>"

    @busy
    def on_revoke(self, _button: w.Button | None = None) -> None:
        """The first step: show what would be revoked and ask; nothing is revoked here."""
        if not self.revoke_pick.value:
            raise UsageError(self.t("ws_pick_items"))
        self._pending = list(self.revoke_pick.value)
        self.revoke_ask.value = self._revoke_question()
        self.revoke_yes.description = self.t("ws_yes_revoke", count=len(self._pending))
        self.revoke_confirm.layout.display = None

    @busy
    async def on_revoke_confirmed(self, _button: w.Button | None = None) -> list[Revocation]:
        domain = self.listed_domain
        items = self._items()
        pending = [items[k] for k in self._pending if k in items]
        self._pending = []
        self.revoke_confirm.layout.display = "none"
        self.alert_near(self.revoke)
        if not pending:
            raise UsageError(self.t("ws_pick_items"))
        passwords = [i for i in pending if isinstance(i, AppPassword)]
        tokens = [i for i in pending if isinstance(i, ThirdPartyToken)]
        done: list[Revocation] = []
        if passwords:
            done += await asyncio.to_thread(revoke_app_passwords, self.workspace, domain, passwords, "one")
        if tokens:
            done += await asyncio.to_thread(revoke_tokens, self.workspace, domain, tokens, "one")
        self.revocations = done
        removed = {(r.kind, r.email, r.item_id) for r in done if r.outcome in ("revoked", "gone")}
        self.app_passwords = [a for a in self.app_passwords if ("app_password", a.email, str(a.code_id)) not in removed]
        self.tokens = [t for t in self.tokens if ("token", t.email, t.client_id) not in removed]
        self.show_security()
        self.show_revocations()
        counts = {o: sum(1 for r in done if r.outcome == o) for o in ("revoked", "gone", "failed")}
        say = self.alert.success if not counts["failed"] else self.alert.warning
        say(self.t("ws_revoked_summary", **counts))
        return done

    def show_revocations(self) -> None:
        lines = []
        for r in self.revocations:
            kind = self.t("ws_app_password" if r.kind == "app_password" else "ws_token")
            said = self.t("ws_revocation", outcome=self.t(f"ws_out_{r.outcome}"), kind=kind, name=r.item_name,
                          email=r.email)
            detail = f" — {code_spans(escape(r.detail))}" if r.detail else ""
            lines.append(f"<li data-outcome='{escape(r.outcome)}'>{escape(said)}{detail}</li>")
        self.revocation_lines.value = f"<ul class='mailkit-block mailkit-ws-revoked'>{''.join(lines)}</ul>"


def _day(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


__all__ = ["PAGE", "WORDS", "WorkspacePanel"]
