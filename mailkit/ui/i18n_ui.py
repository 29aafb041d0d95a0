"""Labels and messages of the widgets in English, Spanish and Polish.

One entry per key holding the English text, which is the message id in mailkit's gettext catalogue
(mailkit/i18n/locale); `t` gives it in the panel's language. Messages take `{name}` fields.
"""

from __future__ import annotations

from mailkit.i18n import N_, text

LANGUAGE_NAMES = {"en": "English", "es": "Español", "pl": "Polski"}

LABELS: dict[str, str] = {
    # common
    "language": N_("Language"),
    "working": N_("Working…"),
    "account": N_("Account"),
    "company": N_("Company"),
    "all": N_("(all)"),
    "none_yet": N_("Nothing here yet."),
    "no_accounts": N_("No accounts yet: add one in the setup form."),
    "unexpected": N_("Unexpected error: {error}"),
    "cause": N_("Cause"),
    "remedy": N_("What to do"),
    "status": N_("Status"),
    "refresh": N_("Refresh"),
    # session
    "mode_sandbox": N_("Sandbox mode: a local Gmail on 127.0.0.1 ({accounts} test accounts); workspace {home}"),
    "mode_google": N_("Google mode: real Gmail / Google Workspace with your OAuth client; workspace {home}"),
    # setup form
    "setup_title": N_("Company and account setup"),
    "company_name": N_("Company name"),
    "company_slug": N_("Company id"),
    "tax_id": N_("Tax id"),
    "save_company": N_("Save company"),
    "company_saved": N_("Company {slug} {change}."),
    "choose_company": N_("Choose or add a company first."),
    "email": N_("Email"),
    "display_name": N_("Display name"),
    "provider": N_("Provider"),
    "auth": N_("Sign-in"),
    "smtp_host": N_("SMTP host"),
    "smtp_port": N_("SMTP port"),
    "security": N_("Security"),
    "imap_host": N_("IMAP host"),
    "imap_port": N_("IMAP port"),
    "save_account": N_("Save account"),
    "account_saved": N_("Account {email} {change} ({provider}, {auth})."),
    "next_microsoft": N_("Next: “Connect with Microsoft” in the OAuth 2.0 connection panel, or `mailkit oauth login "
                         "{email}` (--device-code on a server)."),
    "password_microsoft": N_("Careful: Microsoft 365 stops taking passwords for SMTP when basic authentication is "
                             "retired (end of December 2026 by default); OAuth 2.0 keeps working."),
    "email_ok": N_("✓ valid address"),
    "detected": N_("Detected: {label} — {reason}"),
    "not_detected": N_("Choose the provider: {reason}"),
    "accounts_of": N_("Accounts of {company}"),
    "added": N_("added"),
    "updated": N_("updated"),
    "unchanged": N_("unchanged"),
    # consent box: link, countdown, Cancel and paste box (the OAuth panel, the 2SV panel's admin consent)
    "cancel": N_("Cancel"),
    "oauth_link": N_("Open Google's consent page"),
    "oauth_link_microsoft": N_("Open Microsoft's sign-in page"),
    "oauth_opened": N_("(opened in this computer's browser)"),
    "countdown": N_("Waiting for the browser: {left} left"),
    "paste_url": N_("Final address"),
    "paste_help": N_("If the browser runs on another computer, paste here the address it ended on "
                     "(http://127.0.0.1:…/?state=…&code=…):"),
    "finish": N_("Finish"),
    # oauth panel
    "oauth_title": N_("OAuth 2.0 connection"),
    "connect": N_("Connect with Google"),
    "connect_microsoft": N_("Connect with Microsoft"),
    "oauth_open": N_("Open this link, choose {email} and press Continue; leave every box ticked:"),
    "oauth_open_microsoft": N_("Open this link, sign in as {email} and press Accept:"),
    "oauth_ok": N_("✓ {email} authorized (signed in as {who}): mailkit can send with OAuth 2.0."),
    "oauth_moved": N_("{email} now signs in with OAuth 2.0 instead of its password: set the business software to "
                      "OAuth too."),
    "oauth_state": N_("Current state: {state}"),
    "authorized_as": N_("authorized as {who}"),
    "not_authorized": N_("not authorized yet"),
    "oauth_only": N_("{email} signs in with {auth}, not OAuth 2.0: change it in the setup form."),
    # two-step panel
    "twostep_title": N_("2-Step Verification"),
    "check_twostep": N_("Check 2SV"),
    "twostep_on": N_("on"),
    "twostep_off": N_("off"),
    "twostep_unknown": N_("unknown"),
    "source": N_("Source"),
    "confirmed_by": N_("Checked by"),
    "confirm_manual": N_("I confirm 2SV is on"),
    "confirmed": N_("Recorded: 2SV confirmed by hand for {email}."),
    "manual_steps": N_("How to turn on 2-Step Verification and create an app password"),
    "step_1": N_("Sign in as {email} and open <a href='{security}' target='_blank'>the account's Security page</a>."),
    "step_2": N_("Turn on <a href='{twostep}' target='_blank'>2-Step Verification</a> (a phone or an authenticator "
                 "app; security keys alone give no app passwords)."),
    "step_3": N_("Search for “App passwords” or open <a href='{apppw}' target='_blank'>App passwords</a>, name it "
                 "after the software (e.g. “Firmao”) and create it."),
    "step_4": N_("Copy the 16 letters into the app-password form below; when one stops working, create a new one, "
                 "enter it here, then delete the old one in Google."),
    "step_ws": N_("Google Workspace: an administrator may have to allow 2SV (and app passwords) in the <a "
                  "href='{admin}' target='_blank'>Admin console</a>; the servers stay smtp.gmail.com / "
                  "imap.gmail.com, never a host derived from the domain."),
    # two-step panel: the Directory read with a Workspace admin's own consent
    "admin_email": N_("Workspace admin"),
    "connect_admin": N_("Connect as Workspace admin"),
    "admin_open": N_("Open this link, sign in as {email} (an admin of the domain) and press Continue; leave every "
                     "box ticked:"),
    "admin_ok": N_("✓ {email} connected: 2-Step Verification of {domain} is read from the Directory."),
    "directory_via": N_("Directory access: {how}"),
    "via_service_account": N_("service account as {who}"),
    "via_admin_oauth": N_("admin's own consent: {who}"),
    "directory_none": N_("none yet"),
    # app password form
    "apppw_title": N_("App password"),
    "app_password": N_("App password"),
    "test_and_save": N_("Test and save"),
    "apppw_stored": N_("✓ {email} signed in; the app password is in the keyring."),
    "apppw_refused": N_("Not stored: {email} did not sign in ({status})."),
    "kept_previous": N_("The stored one was kept."),
    "apppw_replaced": N_("It replaces the one stored before."),
    # the same words as mailkit.secrets' check of a pasted app password (one catalogue entry)
    "apppw_same_as_password": N_("this is the account's own password: Google refuses it in mail programs once "
                                 "2-Step Verification is on — create an app password at "
                                 "myaccount.google.com/apppasswords"),
    "apppw_next_new": N_("Create a new app password at https://myaccount.google.com/apppasswords (named after the "
                         "company), paste it above and press “Test and save” again; or use the steps below."),
    "apppw_next_twostep": N_("Check 2-Step Verification and create an app password: the steps below open "
                             "the panels that do it."),
    "password_account": N_("This account signs in with its password (not recommended: Google needs an app password "
                           "or OAuth 2.0)."),
    # bulk
    "bulk_title": N_("Bulk test send"),
    "companies": N_("Companies"),
    "accounts": N_("Accounts"),
    "select_all": N_("All companies"),
    "send_test": N_("Send a test message"),
    "attachments": N_("Attach the sample invoice (PDF + XML)"),
    "concurrency": N_("At once"),
    "start": N_("Start"),
    "stop": N_("Stop"),
    "progress": N_("{done} of {total} done"),
    "bulk_done": N_("Finished: {ok} ok, {bad} need attention."),
    "bulk_stopped": N_("Stopped after {done} of {total}."),
    "retrying": N_("retrying in {seconds} s: {status}"),
    "nothing_selected": N_("Select at least one account."),
    "resume": N_("Resume"),
    "skipped": N_("Not checked because of the Stop ({count}); “Resume” checks them:"),
    "and_more": N_("… and {count} more"),
    "reply": N_("Server reply"),
    # results table (bulk and report)
    "group_status": N_("By status"),
    "group_company": N_("By company"),
    "problems_only": N_("Problems only"),
    "page_of": N_("Page {page} of {pages} ({rows} accounts)"),
    "not_checked": N_("not checked"),
    "company_group": N_("{company}: {problems} of {total} need attention"),
    # report
    "report_title": N_("Status report"),
    "export": N_("Export {fmt}"),
    "all_columns": N_("All columns"),
    "col_two_step": N_("2SV"),
    "col_last_check": N_("Last check"),
    "exported": N_("Written: {path}"),
    "download": N_("Download {name}"),
    "others": N_("others ({count})"),
    "no_results": N_("No checks yet: press “Run the audit now” to check every account's sign-in, or send test "
                     "messages in “{step}”."),
    "run_audit": N_("Run the audit now"),
    "audit_running": N_("Checking every account: {done} of {total} done…"),
    # hints next to remedies that name a command a panel offers as a button
    "hint_prefix": N_("Step:"),
    "hint_oauth": N_("button “Connect with Google”"),
    "hint_oauth_here": N_("Or press “Connect with Google” above."),
    "readiness_title": N_("Microsoft 365: basic authentication retired from {date}"),
    "readiness_counts": N_("{blocked} blocked already, {will_break} will break, {ready} ready"),
    "readiness_col": N_("Basic auth"),
    "readiness_panel_title": N_("Microsoft 365 mailboxes"),
    "readiness_none": N_("No Microsoft 365 mailbox yet: add one in “Companies and accounts”."),
    "hint_oauth_microsoft": N_("button “Connect with Microsoft”"),
    "hint_oauth_microsoft_here": N_("Or press “Connect with Microsoft” above."),
    "hint_apppw": N_("the app-password form"),
    "hint_apppw_here": N_("Or type the new app password above and press “Test and save”."),
    "hint_bulk": N_("button “Start”"),
    "hint_bulk_here": N_("Or press “Start” above."),
    "hint_concurrency": N_("a lower “At once”"),
    "hint_concurrency_here": N_("Or lower “At once” above and start again."),
    # troubleshooting
    "trouble_title": N_("Troubleshooting"),
    "run_checks": N_("Run the checks"),
    "check_imap": N_("Also IMAP"),
    "send_to": N_("Send test to"),
    "transcript": N_("Transcript"),
    "not_run": N_("not run"),
    "step_dns": N_("DNS"),
    "step_tcp": N_("TCP connection"),
    "step_tls": N_("TLS"),
    "step_ehlo": N_("EHLO"),
    "step_auth": N_("Sign-in (AUTH)"),
    "step_send": N_("Test send"),
    "step_imap": N_("IMAP sign-in"),
    "all_good": N_("✓ Everything works for {email}."),
    # --- fixes as actions, remembered language, home page, readable setup and 2SV (one block) ---
    "act_app_password": N_("Set the app password"),
    "act_oauth": N_("Connect with Google"),
    "act_oauth_microsoft": N_("Connect with Microsoft"),
    "act_twostep": N_("Confirm 2-Step Verification"),
    "act_move": N_("Move the account to this company"),
    "act_retry": N_("Retry"),
    "act_troubleshoot": N_("Troubleshoot step by step"),
    "act_in_notebook": N_("Or open the step:"),
    "act_copy_command": N_("Command line"),
    "act_copy": N_("Copy"),
    "consent_cancelled": N_("Cancelled: nothing was stored for {email}. Start again whenever you like."),
    "consent_timeout": N_("The browser did not answer in time: nothing was stored for {email}. Press the button "
                          "again (each link works once); if the browser runs on another computer, paste the "
                          "address it ended on."),
    "consent_denied": N_("The consent for {email} was cancelled on Google's page; nothing was stored. Start again "
                         "and press Continue (or Allow)."),
    "consent_wrong_account": N_("The browser authorized {who}, not {email}; nothing was stored. Start again and "
                                "choose {email} on Google's page (“Use another account”, or a private window)."),
    "consent_scope_missing": N_("The consent lacks {boxes}, which mailkit needs; nothing was stored. Start again "
                                "and leave every box ticked on Google's page."),
    "consent_error": N_("The consent did not work: {message}"),
    "advanced": N_("Advanced: servers, ports and security"),
    "belongs_to": N_("{email} belongs to {company}. To move it to {target}, press the button."),
    "moved": N_("Moved {email} to {company}."),
    "auth_oauth2": N_("OAuth 2.0 (recommended)"),
    "auth_app_password": N_("App password"),
    "auth_password": N_("Account password (not recommended)"),
    "security_starttls": N_("STARTTLS (port 587)"),
    "security_ssl": N_("SSL/TLS (port 465)"),
    "security_none": N_("None: unencrypted (not recommended)"),
    "err_email": N_("{value} is not an email address (expected name@domain)."),
    "err_company_name": N_("Give the company's name."),
    "err_field": N_("{field}: {reason}"),
    "note_gmail": N_("{domain} is consumer Gmail."),
    "note_sandbox_workspace": N_("{domain} is a Google Workspace domain in the sandbox."),
    "note_mx_google": N_("The domain's mail (MX {mx}) is at Google: Google Workspace."),
    "note_mx_microsoft": N_("The domain's mail (MX {mx}) is at Microsoft."),
    "note_mx_custom": N_("The domain's mail is at {mx}: a custom server, enter its SMTP host under Advanced."),
    "note_no_mx": N_("{domain} has no mail (MX) record: choose the provider."),
    "note_no_dns": N_("DNS did not answer for {domain}: choose the provider."),
    "col_detail": N_("How it was told"),
    "col_checked_at": N_("When"),
    "twostep_summary": N_("2-Step Verification: {on} of {total} on."),
    "choose_state_first": N_("Choose what the Security page shows: on or off."),
    "err_confirmed_by": N_("Say who looked at the Security page (a name or initials) in “Checked by”."),
    "source_directory": N_("Workspace Directory"),
    "source_directory_oauth": N_("Workspace Directory (admin's consent)"),
    "source_signin_probe": N_("Sign-in test"),
    "source_app_password_signin": N_("App password sign-in"),
    "source_manual": N_("Confirmed by hand"),
    "detail_directory": N_("Read from the Google Workspace Directory (Admin SDK)."),
    "detail_probe_on": N_("The account password was refused asking for an app password: Google does that only "
                          "with 2SV on."),
    "detail_probe_off": N_("The account password signs in, which Google allows only without 2SV."),
    "detail_app_password_on": N_("The stored app password signs in; app passwords exist only with 2SV on."),
    "detail_manual": N_("Seen at myaccount.google.com → Security → 2-Step Verification."),
    "detail_unknown": N_("Could not be told; the reply is below."),
    "detail_reply": N_("Reply"),
    "home_title": N_("mailkit — your accounts at a glance"),
    "home_accounts": N_("{total} accounts in {companies} companies: {ok} ok, {broken} need attention, "
                        "{unchecked} not checked yet."),
    "home_last_audit": N_("Last check: {when}."),
    "home_never": N_("No check has run yet."),
    "home_next": N_("What to do next"),
    "home_next_item": N_("{count} × {what}"),
    "home_all_ok": N_("Nothing to fix: every checked account signs in."),
    "home_check_first": N_("Check every account's sign-in:"),
    "home_steps": N_("The steps"),
    # home page: breaks soon; domains panel
    "home_soon": N_("Breaks soon"),
    "home_soon_none": N_("Nothing breaks in the next {days} days."),
    "domains_title": N_("Mail authentication of the company domains"),
    "domains_check": N_("Check domains"),
    "domains_none": N_("No company domain to check: personal mailboxes (gmail.com, outlook.com…) are the "
                       "provider's."),
    # a domain finding's status in words (the downloads keep the machine word)
    "finding_ok": N_("In order"),
    "finding_warning": N_("Could be better"),
    "finding_unchecked": N_("Not checked"),
    "finding_dns_error": N_("DNS did not answer"),
    "finding_missing": N_("Missing"),
    "finding_invalid": N_("Invalid"),
    "domains_done": N_("{domains} domains checked; {problems} findings need attention."),
    "col_ok": N_("OK"),
    "col_broken": N_("Need attention"),
    "col_unchecked": N_("Not checked"),
    "step_01": N_("Companies and accounts"),
    "step_02": N_("Connect with Google (OAuth 2.0)"),
    "step_03": N_("2-Step Verification and app passwords"),
    "step_04": N_("Bulk test send"),
    "step_05": N_("Status report and exports"),
    "step_06": N_("Troubleshoot one account"),
    "step_07": N_("Microsoft 365: off passwords before basic authentication is retired"),
    # --- end of the block ---
}


def t(key: str, lang: str | None = None, **fields: object) -> str:
    """The label `key` in `lang` (English when the language is unknown), with `{fields}` filled in."""
    return text(lang, LABELS[key], **fields)


__all__ = ["LABELS", "LANGUAGE_NAMES", "t"]
