"""Gmail's SMTP replies, word for word from GMAIL_FACTS.md; `sid` is the session id.

Multi-line replies keep Gmail's layout: `code-x.y.z text` on every line but the last, and two
spaces before the URL on the line that carries it.
"""

from __future__ import annotations

from collections.abc import Callable

from mailkit.sandbox.signin import Outcome, web_login_url


def reply(code: int, enhanced: str, *texts: str) -> str:
    """`535-5.7.8 first` ... `535 5.7.8 last`, Gmail's layout for multi-line replies."""
    out = [f"{code}-{enhanced} {t}" for t in texts[:-1]]
    out.append(f"{code} {enhanced} {texts[-1]}")
    return "\r\n".join(out)


#: Gmail's one-line protocol replies, by name; `{sid}` is the session id (see `said`).
SESSION_REPLIES: dict[str, str] = {
    "temporary_failure": "451 4.3.0 Mail server temporarily rejected message. {sid} - gsmtp",
    "starttls_first": "530 5.7.0 Must issue a STARTTLS command first. {sid} - gsmtp",
    "ehlo_first": "503 5.5.1 EHLO/HELO first. {sid} - gsmtp",
    "syntax_in_parameters": "501 5.5.4 Syntax error in parameters. {sid} - gsmtp",
    "tls_already_active": "503 5.5.1 TLS already active. {sid} - gsmtp",
    "ready_for_tls": "220 2.0.0 Ready to start TLS",
    "already_authenticated": "503 5.5.1 Already authenticated. {sid} - gsmtp",
    "unrecognized_auth": "504 5.7.4 Unrecognized authentication type. {sid} - gsmtp",
    "accepted": "235 2.7.0 Accepted",
    "auth_aborted": "501 5.7.0 Authentication aborted. {sid} - gsmtp",
    "cannot_decode": "501 5.5.2 Cannot Decode response {sid} - gsmtp",
    "nested_mail": "503 5.5.1 Nested MAIL command. {sid} - gsmtp",
    "syntax_error": "555 5.5.2 Syntax error. {sid} - gsmtp",
    "sender_ok": "250 2.1.0 OK {sid} - gsmtp",
    "try_later_mail": "421 4.7.0 Try again later, closing connection. (MAIL) {sid} - gsmtp",
    "mail_first": "503 5.5.1 MAIL first. {sid} - gsmtp",
    "recipient_ok": "250 2.1.5 OK {sid} - gsmtp",
    "rcpt_first": "503 5.5.1 RCPT first. {sid} - gsmtp",
    "go_ahead": "354  Go ahead {sid} - gsmtp",
    "chunk_received": "250 2.0.0 OK {octets} octets received {sid} - gsmtp",
    "message_accepted": "250 2.0.0 OK  {timestamp} {sid} - gsmtp",
    "flushed": "250 2.1.5 Flushed {sid} - gsmtp",
    "noop": "250 2.0.0 OK {sid} - gsmtp",
    "closing": "221 2.0.0 closing connection {sid} - gsmtp",
    "vrfy": "252 2.1.5 Send some mail, I'll try my best {sid} - gsmtp",
    "help": "214 2.0.0  https://www.google.com/search?btnI&q=RFC+5321 {sid} - gsmtp",
    "unrecognized_command": "502 5.5.1 Unrecognized command. {sid} - gsmtp",
}


def said(name: str, sid: str, **fields: object) -> str:
    """One of Gmail's one-line replies, with the session id (and any other field) filled in."""
    return SESSION_REPLIES[name].format(sid=sid, **fields)


def bad_credentials(sid: str) -> str:
    return reply(535, "5.7.8", "Username and Password not accepted. For more information, go to",
                 f" https://support.google.com/mail/?p=BadCredentials {sid} - gsmtp")


def app_password_required(sid: str) -> str:
    return reply(534, "5.7.9", "Application-specific password required. For more information, go to",
                 f" https://support.google.com/mail/?p=InvalidSecondFactor {sid} - gsmtp")


def web_login_required(sid: str) -> str:
    url = web_login_url()
    return reply(534, "5.7.14", f"<{url[:78]}", f"{url[78:]}> Please log in via your web browser and",
                 "then try again.", " Learn more at", f" https://support.google.com/mail/answer/78754 {sid} - gsmtp")


def too_many_logins(sid: str) -> str:
    return reply(454, "4.7.0", "Too many login attempts, please try again later. For more information, go to",
                 f" https://support.google.com/mail/answer/7126229 {sid} - gsmtp")


def auth_required(sid: str) -> str:
    return reply(530, "5.7.0", "Authentication Required. For more information, go to",
                 f" https://support.google.com/mail/?p=WantAuthError {sid} - gsmtp")


def daily_limit(sid: str) -> str:
    return reply(550, "5.4.5", "Daily user sending limit exceeded. For more information on Gmail",
                 "sending limits go to", f" https://support.google.com/a/answer/166852 {sid} - gsmtp")


def too_large(sid: str) -> str:
    return reply(552, "5.2.3", "Your message exceeded Google's message size limits. Please visit",
                 " https://support.google.com/mail/?p=MaxSizeError to view our size",
                 f"guidelines. {sid} - gsmtp")


def not_your_address(address: str, sid: str) -> str:
    return f"553 5.7.1 <{address}> is not allowed to send as this account. {sid} - gsmtp"


def empty_helo(sid: str) -> str:
    return reply(501, "5.5.4", "Empty HELO/EHLO argument not allowed, closing connection.",
                 f" https://support.google.com/mail/?p=helo {sid} - gsmtp")


def invalid_recipient(address: str, sid: str) -> str:
    return reply(553, "5.1.3", f"The recipient address <{address}> is not a valid RFC 5321",
                 "address. For more information, go to", f" https://support.google.com/mail/answer/6596 {sid} - gsmtp")


def too_many_recipients(sid: str) -> str:
    return (f"452 4.5.3 Your message has too many recipients. For more information regarding Google's sending "
            f"limits, visit  https://support.google.com/mail/answer/6592 {sid} - gsmtp")


OUTCOME_REPLIES: dict[Outcome, Callable[[str], str]] = {
    Outcome.BAD_CREDENTIALS: bad_credentials,
    Outcome.BAD_TOKEN: bad_credentials,
    Outcome.APP_PASSWORD_REQUIRED: app_password_required,
    Outcome.WEB_LOGIN_REQUIRED: web_login_required,
    Outcome.THROTTLED: too_many_logins,
}

#: Gmail's replies that need more than a one-line template (Gmail's multi-line layout, a URL), by name.
BUILT_REPLIES: dict[str, Callable[..., str]] = {
    "auth_required": auth_required,
    "daily_limit": daily_limit,
    "too_large": too_large,
    "empty_helo": empty_helo,
    "too_many_recipients": too_many_recipients,
    "not_your_address": lambda sid, address: not_your_address(address, sid),
    "invalid_recipient": lambda sid, address: invalid_recipient(address, sid),
    **{outcome.value: builder for outcome, builder in OUTCOME_REPLIES.items()},
}


def gmail_reply(name: str, sid: str, **fields: object) -> str:
    """Any of Gmail's replies by name: a built one, or a SESSION_REPLIES template."""
    builder = BUILT_REPLIES.get(name)
    return builder(sid, **fields) if builder is not None else said(name, sid, **fields)


__all__ = [
    "BUILT_REPLIES",
    "OUTCOME_REPLIES",
    "SESSION_REPLIES",
    "auth_required",
    "bad_credentials",
    "daily_limit",
    "empty_helo",
    "gmail_reply",
    "invalid_recipient",
    "not_your_address",
    "reply",
    "said",
    "too_large",
    "too_many_recipients",
]
