"""Exchange Online's SMTP replies (smtp.office365.com), word for word where Microsoft's wording is known
(FIELD_FACTS.md, Microsoft section); `{sid}` is the front-end server's name, which Exchange puts in brackets.

One table, like Gmail's SESSION_REPLIES: the protocol replies and the sign-in and sending refusals.
"""

from __future__ import annotations

#: Every reply the Outlook personality gives, by name (the names GmailSMTP asks for, plus Microsoft's own).
OUTLOOK_REPLIES: dict[str, str] = {
    # protocol
    "temporary_failure": "451 4.3.2 Temporary server error. Please try again later ATTR1 [{sid}]",
    "starttls_first": "530 5.7.57 Client not authenticated to send mail. [{sid}]",
    "ehlo_first": "503 5.5.2 Send hello first [{sid}]",
    "syntax_in_parameters": "501 5.5.4 Invalid arguments [{sid}]",
    "tls_already_active": "503 5.5.2 Only one STARTTLS command can be issued per session [{sid}]",
    "ready_for_tls": "220 2.0.0 SMTP server ready",
    "already_authenticated": "503 5.5.2 Already authenticated [{sid}]",
    "unrecognized_auth": "504 5.7.4 Unrecognized authentication type [{sid}]",
    "accepted": "235 2.7.0 Authentication successful",
    "auth_aborted": "501 5.0.0 Authentication aborted by client [{sid}]",
    "cannot_decode": "501 5.5.2 Cannot Base64-decode Client responses [{sid}]",
    "nested_mail": "503 5.5.2 Sender already specified [{sid}]",
    "syntax_error": "501 5.5.4 Invalid arguments [{sid}]",
    "sender_ok": "250 2.1.0 Sender OK",
    "try_later_mail": "421 4.3.2 Service not available, closing transmission channel [{sid}]",
    "mail_first": "503 5.5.2 Need mail command [{sid}]",
    "recipient_ok": "250 2.1.5 Recipient OK",
    "rcpt_first": "503 5.5.2 Need rcpt command [{sid}]",
    "go_ahead": "354 Start mail input; end with <CRLF>.<CRLF>",
    "chunk_received": "250 2.0.0 {octets} bytes received",
    "message_accepted": "250 2.0.0 OK <{message_id}> [Hostname={sid}]",
    "flushed": "250 2.0.0 Resetting",
    "noop": "250 2.0.0 OK",
    "closing": "221 2.0.0 Service closing transmission channel",
    "vrfy": "252 2.1.5 Cannot VRFY user, but will take message for this user",
    "help": "214 2.0.0 HELO EHLO STARTTLS RCPT DATA RSET MAIL QUIT HELP AUTH BDAT",
    "unrecognized_command": "500 5.3.3 Unrecognized command [{sid}]",
    "empty_helo": "501 5.5.4 Invalid domain name [{sid}]",
    "invalid_recipient": "501 5.1.3 Invalid address [{sid}]",
    "too_many_recipients": "452 4.5.3 Too many recipients [{sid}]",
    "too_large": "552 5.3.4 Message size exceeds fixed maximum message size [{sid}]",
    # sign-in (one per signin.Outcome that Exchange words its own way)
    "auth_required": "530 5.7.57 Client not authenticated to send mail. [{sid}]",
    "bad_credentials": "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. [{sid}]",
    "bad_token": "535 5.7.3 Authentication unsuccessful [{sid}]",
    "smtp_auth_disabled": "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
                          "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [{sid}]",
    "security_defaults": "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security "
                         "defaults policy. Contact your administrator. [{sid}]",
    "basic_auth_retired": "550 5.7.30 Basic authentication is not supported for Client Submission. [{sid}]",
    "throttled": "454 4.7.0 Temporary authentication failure [{sid}]",
    "app_password_required": "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to "
                             "be authenticated successfully. Contact your administrator. [{sid}]",
    "web_login_required": "535 5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
                          "authenticated successfully. Contact your administrator. [{sid}]",
    # sending
    "send_as_denied": "554 5.2.252 SendAsDenied; {account} not allowed to send as {address}; "
                      "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to "
                      "process message due to a permanent exception with message [BeginDiagnosticData]Cannot "
                      "submit message. [Hostname={sid}]",
    "tenant_over_threshold": "550 5.7.705 Access denied, tenant has exceeded threshold. For more information "
                             "please go to https://go.microsoft.com/fwlink/?linkid=2022138 [{sid}]",
    "tenant_ip_blocked": "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For "
                         "more information please go to https://go.microsoft.com/fwlink/?linkid=2022138 [{sid}]",
    "daily_limit": "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process "
                   "message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. "
                   "[Hostname={sid}]",
}


def outlook_reply(name: str, sid: str, **fields: object) -> str:
    """One of Exchange Online's replies, with the server name (and any other field) filled in."""
    return OUTLOOK_REPLIES[name].format(sid=sid, **fields)


__all__ = ["OUTLOOK_REPLIES", "outlook_reply"]
