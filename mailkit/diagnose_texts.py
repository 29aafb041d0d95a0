"""Causes and remedies for every status, in English, Mexican Spanish and Polish.

Data read by `mailkit.diagnose`. TEXTS speaks of Google (providers gmail and workspace, and the default when
no provider is given), except for the statuses only Microsoft 365's replies lead to (smtp_auth_disabled and
the like, whose words are Microsoft's for every provider); NEUTRAL of any other server; MICROSOFT of
Microsoft 365, falling back to NEUTRAL. Keys are status strings, or "status:variant" for a finer case with
its own wording. The tables below hold the English (cause, remedy), which are the message ids of mailkit's
gettext catalogue; TEXTS, NEUTRAL and MICROSOFT give them per language, translated when read. Placeholders:
{email}, {company}, {host}, {port}, {detail}. A segment in [[double brackets]] is dropped when a placeholder in
it has no value, so each language keeps its own grammar; {email} or {host} outside brackets (in commands)
becomes the EMAIL or HOST metavariable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from mailkit.i18n import LANGS, N_, gettext
from mailkit.status import Status

_GOOGLE: dict[str, tuple[str, str]] = {
    "ok": (
        N_("The server accepted the request[[ for {email}]]: signing in and sending work."),
        N_("Nothing to do."),
    ),
    "bad_credentials": (
        N_("Google did not accept the user name and password[[ of {email}]]. For Gmail this nearly always means the "
           "app password: it was mistyped, deleted, or revoked because the account password was changed (a password "
           "change revokes every app password)."),
        N_("Create a new app password[[ for {email}]] at https://myaccount.google.com/apppasswords, named after the "
           "company[[ ({company})]], delete the old one from that list, then run `mailkit secret set {email}` and "
           "paste the 16 letters. The login must be the full address."),
    ),
    "app_password_required": (
        N_("The account[[ {email}]] has 2-Step Verification turned on, so Google refuses its normal password in "
           "mail programs: it needs an app password or OAuth."),
        N_("Turn on 2-Step Verification[[ for {email}]] (myaccount.google.com → Security) if it is not on yet, "
           "create an app password named after the company[[ ({company})]] (myaccount.google.com/apppasswords), "
           "then run `mailkit secret set {email}` and paste it. Or switch the account to OAuth with `mailkit oauth "
           "login {email}`."),
    ),
    "web_login_required": (
        N_("Google blocked the sign-in[[ of {email}]] as unusual (new place, device or program) until someone signs "
           "in with a web browser and confirms it."),
        N_("Sign in once[[ as {email}]] at https://accounts.google.com from a browser, preferably on the same "
           "network as the business software, and complete the check (e.g. confirm on the phone); then open "
           "https://accounts.google.com/DisplayUnlockCaptcha, press Continue and retry within 10 minutes."),
    ),
    "oauth_token_invalid": (
        N_("Google rejected the OAuth access token sent with XOAUTH2[[ for {email}]]: it expired, was revoked, or "
           "was issued for another account."),
        N_("Check again with `mailkit check {email}` (mailkit fetches a fresh access token first); if it still "
           "fails, authorize again with `mailkit oauth login {email}`."),
    ),
    "oauth_reauth_required": (
        N_("The stored OAuth refresh token[[ of {email}]] no longer works (invalid_grant). Likely reasons: access "
           "was revoked in the Google account, the account password was changed, the OAuth consent screen is "
           "External and in Testing status (tokens expire after 7 days), the token went unused for 6 months, or too "
           "many tokens were issued for this client and account (the oldest are dropped)."),
        N_("Authorize again with `mailkit oauth login {email}`. If tokens keep expiring after 7 days, publish the "
           "consent screen (Google Cloud console → APIs & Services → OAuth consent screen → Publish app) or, for "
           "Workspace-only use, make it Internal."),
    ),
    "oauth_scope_missing": (
        N_("The authorization[[ of {email}]] lacks full Gmail access (https://mail.google.com/), which SMTP and "
           "IMAP need: a box was left unticked on the consent screen, or the token was granted only gmail.send, "
           "which works for the Gmail API but not for SMTP."),
        N_("Run `mailkit oauth login {email}` and on the consent screen tick the box 'Read, compose, send and "
           "permanently delete all your email from Gmail' (send email on your behalf) before pressing Continue."),
    ),
    "oauth_wrong_account": (
        N_("The browser authorized a different Google account than the one being set up[[ ({email})]]; that token "
           "cannot send as this account."),
        N_("Run `mailkit oauth login {email}` again; in the browser choose 'Use another account' (or use a private "
           "window) and sign in with the right account[[ ({email})]]."),
    ),
    "not_configured": (
        N_("mailkit has no app password or OAuth token stored for this account[[ ({email})]], so it could not sign "
           "in."),
        N_("Store an app password with `mailkit secret set {email}`, or authorize the account with OAuth: `mailkit "
           "oauth login {email}`."),
    ),
    "keyring_error": (
        N_("mailkit could not read this account's secret from the keyring[[ ({email})]]: the keyring itself failed "
           "(locked, not running, or the wrong passphrase), so nothing was tried against the server."),
        N_("Unlock or start the keyring (the desktop keyring, or for the encrypted file the passphrase in "
           "MAILKIT_KEYRING_PASSPHRASE), then check again; `mailkit secret backend` shows which keyring is used. "
           "The stored secrets are not lost."),
    ),
    "not_configured:insecure": (
        N_("This account's settings would send its password unencrypted or to a server outside its provider's[[ "
           "({detail})]], and nobody allowed that for it, so mailkit did not sign in."),
        N_("Put the provider's own servers back with STARTTLS or SSL (`mailkit account add {email} --company "
           "COMPANY --provider PROVIDER`), or, if this is on purpose, add it again with --allow-insecure."),
    ),
    "delegation_unauthorized": (
        N_("Google refused to let the Workspace domain's service account act as the mailbox[[ {email}]] "
           "(unauthorized_client): its client ID is not in the domain's domain-wide delegation, or not for the scope "
           "https://mail.google.com/ — the entry was deleted or edited in the Admin console."),
        N_("In the domain's Admin console open Security → Access and data control → API controls → Domain-wide "
           "delegation → Add new (or edit the service account's entry); Client ID: the one `mailkit workspace status` "
           "shows; OAuth scopes: https://mail.google.com/. Then check again with `mailkit check {email}`."),
    ),
    "delegation_unauthorized:unknown_user": (
        N_("Google does not know the mailbox[[ {email}]] in its Workspace domain (invalid_grant: Invalid email or "
           "User ID), so the service account cannot act as it."),
        N_("Check the address in the Admin console (Directory → Users): the user may have been renamed or deleted. "
           "Correct it in mailkit with `mailkit account add`, or remove the account."),
    ),
    "delegation_unauthorized:bad_key": (
        N_("Google refused the key of the Workspace domain's service account[[ ({email})]]: the key was deleted or "
           "disabled in Google Cloud, or the service account itself was."),
        N_("In Google Cloud console open IAM & Admin → Service accounts → the service account → Keys → Add key → "
           "Create new key → JSON, then run `mailkit workspace connect DOMAIN --service-account KEY.json`."),
    ),
    "delegation_unauthorized:signer_denied": (
        N_("Google refused to sign as the Workspace domain's service account[[ for {email}]]: the signer of its "
           "keyless delegation no longer holds the role Service Account Token Creator on it."),
        N_("In Google Cloud console open IAM & Admin → Service accounts → the service account → Permissions → Grant "
           "access, and give the signer (`mailkit workspace status` names it) the role Service Account Token "
           "Creator; then check again with `mailkit check {email}`."),
    ),
    "delegation_unauthorized:signer_scope": (
        N_("The signer's consent of the keyless delegation[[ used for {email}]] does not reach Google Cloud (the box "
           "was left unticked, or the consent was narrowed)."),
        N_("Run `mailkit workspace signer SIGNER` again (the signer `mailkit workspace status` names) and leave the "
           "Google Cloud box ticked."),
    ),
    "delegation_unauthorized:signer_api_disabled": (
        N_("Google refused to sign as the Workspace domain's service account[[ for {email}]]: the IAM Service Account "
           "Credentials API is off in its Google Cloud project."),
        N_("In Google Cloud console open APIs & Services → Library in the service account's project and enable the "
           "IAM Service Account Credentials API; then check again with `mailkit check {email}`."),
    ),
    "delegation_unauthorized:unknown_service_account": (
        N_("Google Cloud no longer knows the service account of the keyless delegation[[ used for {email}]]: it was "
           "deleted or renamed."),
        N_("Create or pick a service account, add its client ID to the domain's domain-wide delegation, then run "
           "`mailkit workspace connect DOMAIN --keyless SERVICE_ACCOUNT_EMAIL --signer SIGNER`."),
    ),
    "not_configured:no_key": (
        N_("The Workspace domain[[ of {email}]] is connected with domain-wide delegation, but its service-account "
           "key is not in this machine's keyring, so no token could be made."),
        N_("Run `mailkit workspace connect DOMAIN --service-account KEY.json` on this machine (or `mailkit workspace "
           "disconnect DOMAIN` to go back to each user's own consent)."),
    ),
    "provider_not_detected": (
        N_("mailkit could not tell who hosts the mail of this account's domain[[ ({email})]]: DNS did not answer "
           "when the account was added, so it has no server yet and nothing was sent anywhere."),
        N_("When the network answers, run `mailkit account detect`; or set the provider yourself with `mailkit "
           "account add {email} --company COMPANY --provider PROVIDER` (the choices are in `mailkit account add "
           "--help`; a custom server also needs --smtp-host)."),
    ),
    "auth_mechanism_unsupported": (
        N_("The server[[ {host}]] does not accept the sign-in method that was tried (for example XOAUTH2 on a "
           "server that only takes passwords)."),
        N_("Check the account's server settings: for Gmail, smtp.gmail.com with port 587 and STARTTLS or port 465 "
           "and SSL/TLS; for a server without XOAUTH2, set the account's auth to app-password and store it with "
           "`mailkit secret set {email}`."),
    ),
    "rate_limited": (
        N_("Google is refusing for now: too many sign-ins or connections in a short time (replies 454 or 421, HTTP "
           "429, IMAP THROTTLED or too many simultaneous connections)."),
        N_("Wait 10 to 15 minutes and retry; run audits with lower concurrency (`mailkit audit --concurrency 2`) "
           "and close other programs that sign in as the same account[[ ({email})]] (Gmail allows about 15 IMAP "
           "connections per account)."),
    ),
    "rate_limited:temporary": (
        N_("The server[[ {host}]] refused for now with a temporary (4xx) reply it did not explain further: a busy "
           "server, a passing fault on its side, or a limit it does not name."),
        N_("Retry in a few minutes (`mailkit check {email}`); if the same reply keeps coming for hours, show the "
           "raw reply to whoever runs the server."),
    ),
    "rate_limited:ehlo": (
        N_("The server[[ {host}]] closed the connection at the greeting (EHLO) and asked to try again later: "
           "servers do this when the program's EHLO name is missing or odd, or when too many connections come from "
           "this address."),
        N_("Retry in a few minutes; if it keeps happening, give the sending program a proper HELO/EHLO name (this "
           "machine's full host name) and open fewer connections at once (`mailkit audit --concurrency 2`)."),
    ),
    "quota_exceeded": (
        N_("The account[[ {email}]] reached Google's daily sending limit (about 500 messages a day for consumer "
           "Gmail, 2,000 for Google Workspace, 500 during a Workspace trial), counted over a rolling 24 hours."),
        N_("Stop test sends from this account and wait up to 24 hours; spread bulk mail over several accounts or a "
           "mail-sending service. Limits: https://support.google.com/a/answer/166852."),
    ),
    "sender_rejected": (
        N_("Google refused the From (sender) address: the account may send only as itself or as an address added "
           "under 'Send mail as' (or allowed by the Workspace admin)."),
        N_("Use the account's own address as From[[ ({email})]], or add the address in Gmail → Settings → Accounts "
           "and Import → Send mail as, and confirm it; in Workspace ask the admin to allow it."),
    ),
    "sender_rejected:relay": (
        N_("Google's SMTP relay (smtp-relay.gmail.com) refused mail from this sender: the sending device's IP "
           "address or the sender's domain is not registered in the Workspace SMTP relay settings."),
        N_("In the Google Admin console (Apps → Google Workspace → Gmail → Routing → SMTP relay service) allow this "
           "device's public IP address or require SMTP authentication; or send through smtp.gmail.com with the "
           "account's own sign-in[[ ({email})]]."),
    ),
    "recipient_rejected:relay": (
        N_("The server refused to pass the message on to this recipient (relay denied): it does not treat this "
           "connection as signed in, or the account may not send to outside addresses."),
        N_("Make sure the account signs in (a secret is stored and `mailkit check {email} --transcript` shows AUTH "
           "succeeding) and uses the submission port (587 or 465), not port 25; otherwise ask the server's admin to "
           "allow relaying for the account."),
    ),
    "sender_rejected:non_ascii": (
        N_("The From address[[ {detail}]] has letters outside ASCII (such as accents) and the server does not offer "
           "SMTPUTF8, the extension that carries such addresses: the message was not sent."),
        N_("Send from an address without accents (ASCII only), or through a server that offers SMTPUTF8 (most large "
           "providers do)."),
    ),
    "recipient_rejected:non_ascii": (
        N_("The recipient address[[ {detail}]] has letters outside ASCII (such as accents) and the server does not "
           "offer SMTPUTF8, the extension that carries such addresses: the message was not sent."),
        N_("Send the test to an address without accents (--send-to), or through a server that offers SMTPUTF8 (most "
           "large providers do)."),
    ),
    "recipient_rejected": (
        N_("The recipient address was refused: it does not exist, is mistyped, or its mailbox is disabled or full."),
        N_("Check the recipient address for typos and send the test to an address known to work: `mailkit check "
           "{email} --send-to ADDRESS`."),
    ),
    "message_rejected": (
        N_("Google refused the message itself: its content or an attachment looks unsafe or like spam (for example "
           "an executable file, or an archive that contains one)."),
        N_("Send the test without attachments to confirm; keep invoices to PDF, XML and HTML (no .exe, .bat, .js or "
           "archives containing them) and check the message text and links."),
    ),
    "message_rejected:size": (
        N_("The message is larger than Google allows: 25 MB in total, and attachments grow by about a third when "
           "encoded."),
        N_("Make the attachments smaller (compress the PDF, send fewer per message) so the message stays well under "
           "25 MB, or share large files as a link."),
    ),
    "starttls_required": (
        N_("The program tried to sign in before encrypting the connection: on port 587 the client must issue "
           "STARTTLS before AUTH."),
        N_("Set the account's security to STARTTLS for port 587 (or SSL/TLS for port 465), in the inventory's "
           "`security` column and in the business software's mail settings."),
    ),
    "tls_error": (
        N_("The encrypted (TLS) connection[[ to {host}]] could not be set up[[: {detail}]]."),
        N_("Check that the port and security mode match (587 with STARTTLS, 465 with SSL/TLS) and that no proxy or "
           "antivirus on the network intercepts encrypted connections; then retry."),
    ),
    "tls_error:wrong_mode": (
        N_("Wrong TLS mode for the port[[ {port}]]: implicit TLS (SSL/TLS) was spoken to a STARTTLS port such as "
           "587, or STARTTLS to an implicit-TLS port such as 465."),
        N_("Use port 587 with STARTTLS or 465 with SSL/TLS (in mailkit: `--smtp-port 587 --security starttls` or "
           "`--smtp-port 465 --security ssl`)."),
    ),
    "tls_error:certificate": (
        N_("The server's certificate could not be verified[[: {detail}]]. Google's certificates are valid, so the "
           "problem is usually on this machine or its network."),
        N_("Check the system clock and date (a wrong date makes valid certificates look expired); check whether a "
           "corporate proxy, firewall or antivirus intercepts TLS (SSL/HTTPS scanning) and exclude smtp.gmail.com "
           "and imap.gmail.com from it; update the system's root certificates."),
    ),
    "dns_error": (
        N_("The server name[[ {host}]] could not be resolved (DNS): no internet access, a typo in the host name, or "
           "a DNS server that does not answer."),
        N_("Check the host name (smtp.gmail.com, imap.gmail.com) and this machine's internet and DNS settings, e.g. "
           "with `nslookup smtp.gmail.com`."),
    ),
    "connection_refused": (
        N_("The connection[[ to {host}]][[ on port {port}]] was refused or could not reach the server: nothing "
           "listens there, or a firewall rejects it (a blocked outbound port 587 is common)."),
        N_("Check the port (587 or 465 for Gmail SMTP, 993 for IMAP; port 25 is not for submission and is often "
           "blocked) and ask the network admin to allow outbound connections to smtp.gmail.com on ports 587 and 465 "
           "and to imap.gmail.com on 993."),
    ),
    "timeout": (
        N_("The server[[ {host}]] did not answer in time[[ on port {port}]]: a firewall silently dropping outbound "
           "mail ports, a slow network, or STARTTLS spoken to the implicit-TLS port 465."),
        N_("Check that the firewall lets outbound mail ports through[[ (here {port})]]: 587 and 465 for Gmail SMTP, "
           "993 for IMAP; then retry. With port 465 the mode must be SSL/TLS, not STARTTLS."),
    ),
    "connection_lost": (
        N_("The server closed the connection in the middle of the conversation: a network interruption, a proxy or "
           "antivirus cutting it, or the server dropping a busy or idle connection."),
        N_("Retry in a few minutes; if it keeps happening, check proxies and antivirus mail scanning on this "
           "machine, and that the port and security mode match (587 STARTTLS, 465 SSL/TLS)."),
    ),
    "unknown": (
        N_("mailkit does not recognise this answer or error[[ ({detail})]]; the raw text shown with the result "
           "(secrets hidden) says more."),
        N_("Read the raw reply and run `mailkit check {email} --transcript` to see the whole conversation; if the "
           "reply code starts with 4 the problem is temporary: retry later."),
    ),
}

#: Refusals that only Microsoft 365 (Exchange Online) words this way: these statuses come from Microsoft's
#: replies alone, so their text is Microsoft's whichever provider the inventory names (the default for them).
_EXCHANGE: dict[str, tuple[str, str]] = {
    "smtp_auth_disabled": (
        N_("Microsoft 365 has SMTP AUTH (signing in to smtp.office365.com to send) turned off[[ for {email}]], for "
           "the mailbox or for the whole tenant (535 5.7.139 SmtpClientAuthentication is disabled). It blocks every "
           "sign-in to send, with a password and with OAuth alike; the password itself may well be right."),
        N_("A tenant admin turns SMTP AUTH on for this mailbox: Microsoft 365 admin center → Users → Active users → "
           "the user → Mail → Manage email apps → tick Authenticated SMTP, or in Exchange Online PowerShell "
           "`Set-CASMailbox -Identity {email} -SmtpClientAuthenticationDisabled $false` ($null instead of $false "
           "means \"inherit the tenant setting\", which is off here). The tenant-wide switch is `Set-TransportConfig "
           "-SmtpClientAuthenticationDisabled $false`. It can take an hour to apply; then move the account to OAuth "
           "with `mailkit oauth login {email}` (on a server: --device-code), which needs SMTP AUTH on as well."),
    ),
    "security_defaults": (
        N_("Microsoft 365 refused the password[[ of {email}]] because the tenant has security defaults turned on "
           "(535 5.7.139 … security defaults policy): they block sign-in with a user name and password (basic "
           "authentication) for SMTP, however right the password is."),
        N_("Switch the account to OAuth, which security defaults allow: `mailkit oauth login {email}` (on a server: "
           "--device-code). Turning security defaults off (Microsoft Entra admin center → Identity → Overview → "
           "Properties → Manage security defaults → Disabled) lowers the protection of the whole tenant: do it only "
           "with Conditional Access policies in their place."),
    ),
    "basic_auth_disabled": (
        N_("Microsoft 365 no longer accepts a user name and password (basic authentication) for sending[[ from "
           "{email}]] (550 5.7.30 Basic authentication is not supported for Client Submission): the tenant has it "
           "off, as Microsoft makes it by default from the end of December 2026."),
        N_("Move the account to OAuth 2.0: register the Entra app once (`mailkit oauth client --microsoft --tenant "
           "TENANT --client-id APP_ID`), run `mailkit oauth login {email}` (on a server: --device-code), and set "
           "the business software to OAuth. Until Microsoft removes basic authentication for good (announced for "
           "2027) a tenant admin may turn it back on for SMTP AUTH, which only postpones the break."),
    ),
    "tenant_blocked": (
        N_("Microsoft 365 has stopped outbound mail for the whole tenant[[ of {email}]] (550 5.7.705 Access denied, "
           "tenant has exceeded threshold): too much of its mail was spam or bulk, usually sent from a mailbox "
           "whose password was stolen."),
        N_("Find and secure the mailbox that sent it (reset its password, revoke its sessions, check its forwarding "
           "and inbox rules; Microsoft Defender portal → Email & collaboration → Review → Restricted entities), "
           "then open a support request in the Microsoft 365 admin center (Support → Help & support): only "
           "Microsoft can unblock the tenant."),
    ),
    "tenant_blocked:ip": (
        N_("Microsoft 365 does not accept mail from the tenant[[ of {email}]] for now (550 5.7.708 Access denied, "
           "traffic not accepted from this IP): its outbound mail is held back as suspicious, which happens mostly to "
           "new tenants with little sending history."),
        N_("Add and verify the company's own domain (Microsoft 365 admin center → Settings → Domains) and send from "
           "it rather than from an onmicrosoft.com address; then open a support request (Support → Help & support) "
           "asking Microsoft to release the tenant's outbound mail."),
    ),
}

#: Wording for a server that is not Google's (provider "custom", or one mailkit does not know): the same
#: statuses without Google's URLs, hosts, limits or 16-letter app passwords. Only what differs is here;
#: every other key falls back to TEXTS, whose remaining entries name no provider.
_NEUTRAL: dict[str, tuple[str, str]] = {
    "bad_credentials": (
        N_("The server[[ {host}]] did not accept the user name and password[[ of {email}]]: the password is wrong "
           "or was changed, or the login is not the form this server expects (full address or user name)."),
        N_("Check the password with the mail provider (sign in to its webmail with it), and the login form, then "
           "store it again with `mailkit secret set {email}`."),
    ),
    "app_password_required": (
        N_("The server asks for a separate password for mail programs (an app password)[[ for {email}]]: the "
           "account's normal password is not accepted for SMTP or IMAP, usually because two-factor sign-in is on."),
        N_("Create an app password (or device password) in the mail provider's account settings, then run `mailkit "
           "secret set {email}` and paste it."),
    ),
    "web_login_required": (
        N_("The server blocked the sign-in[[ of {email}]] until someone signs in through its web page and confirms "
           "it (a security check on a new place or program)."),
        N_("Sign in once to the provider's webmail as this account, complete the check it shows, then retry with "
           "`mailkit check {email}`."),
    ),
    "oauth_token_invalid": (
        N_("The server[[ {host}]] rejected the OAuth access token sent[[ for {email}]]: it expired, was revoked, "
           "was issued for another account, or the server does not trust its issuer."),
        N_("Check again with `mailkit check {email}` (a fresh token is fetched first); if it still fails, authorize "
           "again with `mailkit oauth login {email}`, or use a password if the server takes one."),
    ),
    "oauth_reauth_required": (
        N_("The stored OAuth refresh token[[ of {email}]] no longer works (invalid_grant): access was revoked, the "
           "password changed, or the token expired under the identity provider's rules."),
        N_("Authorize again with `mailkit oauth login {email}`."),
    ),
    "oauth_scope_missing": (
        N_("The authorization[[ of {email}]] lacks the scope the server's challenge asks for, so the token may not "
           "be used for mail."),
        N_("Run `mailkit oauth login {email}` and grant every permission the consent screen asks for."),
    ),
    "oauth_wrong_account": (
        N_("The browser authorized a different account than the one being set up[[ ({email})]]; that token cannot "
           "send as this account."),
        N_("Run `mailkit oauth login {email}` again and sign in with the right account[[ ({email})]] (a private "
           "window avoids the account already signed in)."),
    ),
    "not_configured": (
        N_("mailkit has no password or OAuth token stored for this account[[ ({email})]], or the server saw mail "
           "sent without signing in first."),
        N_("Store the account's password with `mailkit secret set {email}` (or authorize with `mailkit oauth login "
           "{email}` if the server takes OAuth)."),
    ),
    "auth_mechanism_unsupported": (
        N_("The server[[ {host}]] does not accept the sign-in method that was tried (for example XOAUTH2 on a "
           "server that takes only passwords, or AUTH before it was offered)."),
        N_("Look at the AUTH methods the server offers (`mailkit check {email} --transcript`) and set the account's "
           "auth to match: a password stored with `mailkit secret set {email}`, or OAuth."),
    ),
    "rate_limited": (
        N_("The server[[ {host}]] is refusing for now: too many sign-ins or connections from this account or "
           "address in a short time, or its sign-in service is briefly unavailable."),
        N_("Wait 10 to 15 minutes and retry; run audits with lower concurrency (`mailkit audit --concurrency 2`) "
           "and close other programs connected as the same account[[ ({email})]]."),
    ),
    "quota_exceeded": (
        N_("The account[[ {email}]] reached the sending limit its mail provider sets (messages or recipients per "
           "day or hour)."),
        N_("Stop test sends from this account and wait for the limit to reset (often 24 hours); ask the provider "
           "for the limit, or spread bulk mail over several accounts."),
    ),
    "sender_rejected": (
        N_("The server refused the From (sender) address: this account may send only as itself or as addresses the "
           "server assigns to it."),
        N_("Use the account's own address as From[[ ({email})]], or ask the server's admin to let this account send "
           "as the other address."),
    ),
    "sender_rejected:relay": (
        N_("The relay refused mail from this sender: the sending device's address or the sender's domain is not "
           "among those it relays for."),
        N_("Ask the relay's admin to allow this device's public IP address or the sender's domain, or send with the "
           "account's own sign-in[[ ({email})]]."),
    ),
    "message_rejected": (
        N_("The server refused the message itself: its content, an attachment, or a rule of the receiving "
           "organisation blocked it."),
        N_("Send the test without attachments to confirm; keep invoices to PDF, XML and HTML, and read the raw "
           "reply for the rule that matched."),
    ),
    "message_rejected:size": (
        N_("The message is larger than the server accepts; attachments grow by about a third when encoded."),
        N_("Make the attachments smaller (compress the PDF, send fewer per message) or ask the provider for its "
           "size limit."),
    ),
    "tls_error:certificate": (
        N_("The server's certificate could not be verified[[ ({detail})]]: it may be issued by a private (company) "
           "authority, name another host, or have expired."),
        N_("Check that the host name matches the certificate and the system clock is right; if the server uses a "
           "private CA, give mailkit that CA file; ask the server's admin about an expired certificate[[ ({host})]]."),
    ),
    "dns_error": (
        N_("The server name[[ {host}]] could not be resolved (DNS): no internet access, a typo in the host name, or "
           "a DNS server that does not answer."),
        N_("Check the account's host name with the mail provider and this machine's DNS, e.g. with `nslookup "
           "{host}`."),
    ),
    "connection_refused": (
        N_("The connection[[ to {host}]][[ on port {port}]] was refused or could not reach the server: nothing "
           "listens there, or a firewall rejects it."),
        N_("Check the port with the mail provider (usually 587 with STARTTLS or 465 with SSL/TLS for sending, 993 "
           "for IMAP) and ask the network admin to allow outbound connections to it."),
    ),
    "timeout": (
        N_("The server[[ {host}]] did not answer in time[[ on port {port}]]: a firewall silently dropping the port, "
           "a slow network, or the wrong TLS mode for the port."),
        N_("Check that the firewall lets the port through[[ (here {port})]] and that the security mode matches it "
           "(SSL/TLS on an implicit-TLS port such as 465, STARTTLS on 587); then retry."),
    ),
    "delegation_unauthorized": (
        N_("The mail provider refused the domain-wide delegation for the mailbox[[ {email}]]: the service account may "
           "not act for it."),
        N_("Check the service account's delegation in the domain's admin console, then check again with `mailkit "
           "check {email}`."),
    ),
    "delegation_unauthorized:unknown_user": (
        N_("The mail provider does not know the mailbox[[ {email}]] in its domain, so the service account cannot act "
           "as it."),
        N_("Check the address in the domain's user directory and correct it with `mailkit account add`, or remove the "
           "account."),
    ),
    "delegation_unauthorized:signer_denied": (
        N_("The mail provider refused to sign as the service account[[ for {email}]]: the signer of its keyless "
           "delegation may no longer act as it."),
        N_("Give the signer (`mailkit workspace status` names it) the right to sign as the service account again, "
           "then check again with `mailkit check {email}`."),
    ),
    "delegation_unauthorized:signer_scope": (
        N_("The signer's consent of the keyless delegation[[ used for {email}]] does not cover signing as the "
           "service account."),
        N_("Run `mailkit workspace signer SIGNER` again (the signer `mailkit workspace status` names) and allow "
           "everything it asks for."),
    ),
    "delegation_unauthorized:signer_api_disabled": (
        N_("The mail provider refused to sign as the service account[[ for {email}]]: the signing service is off in "
           "its project."),
        N_("Enable the signing service in the service account's project, then check again with `mailkit check "
           "{email}`."),
    ),
    "delegation_unauthorized:unknown_service_account": (
        N_("The mail provider no longer knows the service account of the keyless delegation[[ used for {email}]]: it "
           "was deleted or renamed."),
        N_("Create or pick a service account, delegate it again, then run `mailkit workspace connect DOMAIN --keyless "
           "SERVICE_ACCOUNT_EMAIL --signer SIGNER`."),
    ),
    "delegation_unauthorized:bad_key": (
        N_("The mail provider refused the service account's key[[ ({email})]]: it was deleted or disabled."),
        N_("Create a new key for the service account and run `mailkit workspace connect DOMAIN --service-account "
           "KEY.json`."),
    ),
}

#: Wording for Microsoft 365 / Exchange Online (provider "microsoft365"); other keys fall back to NEUTRAL.
_MICROSOFT: dict[str, tuple[str, str]] = {
    "bad_credentials": (
        N_("Microsoft 365 did not accept the user name and password[[ of {email}]]: the password is wrong or was "
           "changed, or the login is not the full address."),
        N_("Check the password by signing in at https://outlook.office.com, store it again with `mailkit secret set "
           "{email}`; better, switch the account to OAuth (`mailkit oauth login {email}`), as Microsoft is retiring "
           "password sign-in for SMTP."),
    ),
    "app_password_required": (
        N_("Microsoft 365 refuses the normal password[[ of {email}]] in mail programs because the account signs in "
           "with multi-factor authentication."),
        N_("Authorize the account with OAuth: `mailkit oauth login {email}` (app passwords work only where the "
           "tenant still allows them, with `mailkit secret set {email}`)."),
    ),
    "web_login_required": (
        N_("Microsoft 365 wants someone to sign in[[ as {email}]] through the web first (a security check, a "
           "password change or a consent that is pending)."),
        N_("Sign in once at https://outlook.office.com as this account, finish what it asks, then retry with "
           "`mailkit check {email}`."),
    ),
    "oauth_token_invalid": (
        N_("Microsoft 365 rejected the OAuth access token[[ for {email}]] (535 5.7.3): it expired, was issued for "
           "another account or resource, or lacks the SMTP.Send permission."),
        N_("Check again with `mailkit check {email}`; if it still fails, authorize again with `mailkit oauth login "
           "{email}` and make sure the app registration has the delegated permission SMTP.Send."),
    ),
    "oauth_reauth_required": (
        N_("The stored Microsoft refresh token[[ of {email}]] no longer works (invalid_grant): access was revoked, "
           "the password changed, or a sign-in policy now requires a new sign-in."),
        N_("Authorize again with `mailkit oauth login {email}`."),
    ),
    "oauth_scope_missing": (
        N_("The Microsoft authorization[[ of {email}]] lacks the mail permission: SMTP needs "
           "https://outlook.office.com/SMTP.Send and IMAP needs IMAP.AccessAsUser.All."),
        N_("Add those delegated permissions to the app registration (Microsoft Entra admin center → App "
           "registrations → API permissions), grant consent, then run `mailkit oauth login {email}`."),
    ),
    "auth_mechanism_unsupported": (
        N_("Microsoft 365 refuses password sign-in for SMTP[[ for {email}]]: SMTP AUTH is turned off for the tenant "
           "or mailbox, basic authentication is retired, or security defaults block it."),
        N_("Switch the account to OAuth: `mailkit oauth login {email}`. Or have the tenant admin turn on "
           "Authenticated SMTP for this mailbox (Microsoft 365 admin center → Active users → Mail → Manage email "
           "apps, or `Set-CASMailbox -SmtpClientAuthenticationDisabled $false`)."),
    ),
    "quota_exceeded": (
        N_("The mailbox[[ {email}]] reached Microsoft 365's sending limit (for SMTP AUTH: 10,000 recipients a day, "
           "30 messages a minute)."),
        N_("Stop test sends from this mailbox and wait up to 24 hours; spread bulk mail over several mailboxes or a "
           "mail-sending service."),
    ),
    "sender_rejected": (
        N_("Microsoft 365 refused the From address: the mailbox[[ {email}]] may send only as itself unless it has "
           "Send As permission on the other address."),
        N_("Use the mailbox's own address as From, or have the Exchange admin grant Send As on the other mailbox or "
           "group (Exchange admin center → Recipients → Delegation)."),
    ),
    "bad_credentials:unexplained": (
        N_("Microsoft 365 answered only 535 5.7.3 Authentication unsuccessful[[ for {email}]], without a reason. "
           "With a password it means one of three: the password is wrong or expired, the account signs in with "
           "multi-factor authentication, or basic authentication is off for it; with OAuth, the token was issued "
           "for another resource or lacks SMTP.Send."),
        N_("Sign in at https://outlook.office.com[[ as {email}]] with the same password: if that works, the password "
           "is not the problem, so move the account to OAuth, which copes with multi-factor authentication: `mailkit "
           "oauth login {email}` (on a server: --device-code). If the account is already on OAuth, log in again and "
           "accept the permission to send mail (SMTP.Send)."),
    ),
    "app_password_required:criteria": (
        N_("Microsoft 365 refused the password[[ of {email}]] by a sign-in policy (535 5.7.139 … did not meet the "
           "criteria to be authenticated successfully): multi-factor authentication on the account, or a "
           "Conditional Access policy that blocks sign-in with a password from mail programs."),
        N_("Switch the account to OAuth, which passes multi-factor authentication: `mailkit oauth login {email}` (on "
           "a server: --device-code). Otherwise an Entra admin looks up the failed sign-in in the Microsoft Entra "
           "admin center (Identity → Monitoring & health → Sign-in logs) to see which policy refused it."),
    ),
    "not_configured": (
        N_("mailkit has nothing stored to sign in to Microsoft 365 as this mailbox[[ ({email})]]: no OAuth consent "
           "yet, or the consent was refused or cancelled at Microsoft, and no password."),
        N_("Run `mailkit oauth login {email}` and press Accept (on a server: --device-code). If Microsoft says the "
           "app needs an administrator's approval, a tenant admin grants it once: Microsoft Entra admin center → "
           "Enterprise applications → the app → Permissions → Grant admin consent."),
    ),
    "not_configured:anonymous": (
        N_("Microsoft 365 got mail without a sign-in (530 5.7.57 Client not authenticated to send mail): the "
           "program[[ of {email}]] has authentication turned off, had nothing stored to sign in with, or sent "
           "before STARTTLS."),
        N_("In the business software's mail settings turn authentication on with the full address[[ ({email})]] as "
           "the user, server smtp.office365.com, port 587, STARTTLS; in mailkit store the sign-in with `mailkit oauth "
           "login {email}`. A device that cannot sign in (a scanner, a printer) sends through an Exchange connector "
           "(direct send or SMTP relay) instead."),
    ),
    "oauth_wrong_account": (
        N_("Microsoft signed in a different work or school account than the mailbox being set up[[ ({email})]]; its "
           "token cannot send as this mailbox."),
        N_("Run `mailkit oauth login {email}` again and on Microsoft's page pick 'Use another account' (or use a "
           "private window) to sign in as the mailbox[[ {email}]]; with --device-code, enter the code in a private "
           "window."),
    ),
    "sender_rejected:send_as": (
        N_("Microsoft 365 refused the From address (554 5.2.252 SendAsDenied): the mailbox[[ {email}]] has no Send "
           "As permission on the address the message was sent from."),
        N_("Send from the mailbox's own address, or have an Exchange admin grant Send As: Exchange admin center → "
           "Recipients → Mailboxes → the other mailbox → Delegation → Send as → add the mailbox[[ {email}]], or "
           "`Add-RecipientPermission -Identity OTHER_ADDRESS -Trustee {email} -AccessRights SendAs`. The permission "
           "takes up to an hour to work."),
    ),
    "sender_rejected:restricted": (
        N_("Microsoft 365 has blocked the mailbox[[ {email}]] from sending (550 5.1.8 Access denied, bad outbound "
           "sender): it sent mail that looked like spam, often after its password was stolen."),
        N_("Secure the account (change its password, revoke its sessions, check inbox rules and forwarding, turn on "
           "multi-factor authentication), then release it in the Microsoft Defender portal: Email & collaboration → "
           "Review → Restricted entities → Unblock. It can take up to 24 hours."),
    ),
    "rate_limited": (
        N_("Microsoft 365 is refusing for now: too many sign-ins, connections or messages from this mailbox in a "
           "short time."),
        N_("Wait 10 to 15 minutes and retry; run audits with lower concurrency (`mailkit audit --concurrency 2`) "
           "and keep below 30 messages a minute per mailbox[[ ({email})]]."),
    ),
    "dns_error": (
        N_("The server name[[ {host}]] could not be resolved (DNS): no internet access, a typo in the host name, or "
           "a DNS server that does not answer."),
        N_("Microsoft 365 uses smtp.office365.com (port 587, STARTTLS) and outlook.office365.com (IMAP, 993): check "
           "the host name and this machine's DNS, e.g. with `nslookup smtp.office365.com`."),
    ),
    "connection_refused": (
        N_("The connection[[ to {host}]][[ on port {port}]] was refused or could not reach the server: nothing "
           "listens there, or a firewall rejects it (a blocked outbound port 587 is common)."),
        N_("Use smtp.office365.com on port 587 with STARTTLS (IMAP: outlook.office365.com on 993) and ask the "
           "network admin to allow outbound connections to them."),
    ),
}


class ByLang(Mapping[str, tuple[str, str]]):
    """One entry's (cause, remedy) in each of LANGS, translated from the catalogue when asked for."""

    def __init__(self, msgids: tuple[str, str]):
        self.msgids = msgids

    def __getitem__(self, lang: str) -> tuple[str, str]:
        if lang not in LANGS:
            raise KeyError(lang)
        cause, remedy = self.msgids
        return gettext(lang, cause), gettext(lang, remedy)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)


def _by_lang(table: Mapping[str, tuple[str, str]]) -> dict[str, ByLang]:
    return {key: ByLang(msgids) for key, msgids in table.items()}


TEXTS = _by_lang({**_GOOGLE, **_EXCHANGE})
NEUTRAL = _by_lang(_NEUTRAL)
MICROSOFT = _by_lang(_MICROSOFT)


#: Each status in a few words an admin understands, for what people read (status chips, group headings, filters,
#: legends). The status string itself stays the machine's word: JSON, CSV/xlsx exports, SQLite and the CLI.
STATUS_LABELS: dict[Status, str] = {
    Status.OK: N_("Works"),
    Status.BAD_CREDENTIALS: N_("Wrong password"),
    Status.APP_PASSWORD_REQUIRED: N_("Needs an app password"),
    Status.WEB_LOGIN_REQUIRED: N_("Blocked until a browser sign-in"),
    Status.OAUTH_TOKEN_INVALID: N_("OAuth token refused"),
    Status.OAUTH_REAUTH_REQUIRED: N_("OAuth access expired: connect again"),
    Status.OAUTH_SCOPE_MISSING: N_("OAuth permission missing"),
    Status.OAUTH_WRONG_ACCOUNT: N_("Connected to another account"),
    Status.NOT_CONFIGURED: N_("No password or token stored"),
    Status.AUTH_MECHANISM_UNSUPPORTED: N_("Sign-in method not supported"),
    Status.RATE_LIMITED: N_("Too many attempts for now"),
    Status.QUOTA_EXCEEDED: N_("Sending limit reached"),
    Status.SENDER_REJECTED: N_("Sender refused"),
    Status.RECIPIENT_REJECTED: N_("Recipient refused"),
    Status.MESSAGE_REJECTED: N_("Message refused"),
    Status.STARTTLS_REQUIRED: N_("Encryption required (STARTTLS)"),
    Status.TLS_ERROR: N_("Secure connection failed (TLS)"),
    Status.DNS_ERROR: N_("Server name not found (DNS)"),
    Status.CONNECTION_REFUSED: N_("Server unreachable"),
    Status.TIMEOUT: N_("No answer in time"),
    Status.CONNECTION_LOST: N_("Connection dropped"),
    Status.UNKNOWN: N_("Unrecognised error"),
    Status.PROVIDER_NOT_DETECTED: N_("Mail provider not recognised"),
    Status.KEYRING_ERROR: N_("Keyring could not be read"),
    Status.SMTP_AUTH_DISABLED: N_("SMTP AUTH turned off (Microsoft)"),
    Status.SECURITY_DEFAULTS: N_("Blocked by security defaults (Microsoft)"),
    Status.BASIC_AUTH_DISABLED: N_("Password sign-in turned off (Microsoft)"),
    Status.TENANT_BLOCKED: N_("Tenant blocked from sending (Microsoft)"),
    Status.DELEGATION_UNAUTHORIZED: N_("Delegation not allowed (Workspace)"),
}


def status_label(status: str, lang: str | None = None) -> str:
    """The status in a few words in `lang`, for people; a word this mailkit does not know is shown as it is.

    >>> status_label("bad_credentials", "en")
    'Wrong password'
    """
    try:
        return gettext(lang, STATUS_LABELS[Status(status)])
    except ValueError:
        return str(status)


__all__ = ["MICROSOFT", "NEUTRAL", "STATUS_LABELS", "TEXTS", "ByLang", "status_label"]
