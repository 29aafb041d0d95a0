"""Google's (and Microsoft's) OAuth scope names, in one place for mailkit and for its sandbox (which must accept
exactly what mailkit asks for). Constants only and no imports, so any module can use them.
"""

from __future__ import annotations

#: Full Gmail access: the only scope with which SMTP and IMAP accept XOAUTH2.
MAIL_SCOPE = "https://mail.google.com/"
#: Every other Google API scope starts so.
API_SCOPE_PREFIX = "https://www.googleapis.com/auth/"
OPENID_SCOPE = "openid"
#: Who the authorized account is ("email" is its short form).
EMAIL_SCOPE = "https://www.googleapis.com/auth/userinfo.email"
PROFILE_SCOPE = "https://www.googleapis.com/auth/userinfo.profile"
GMAIL_SEND_SCOPE = "https://www.googleapis.com/auth/gmail.send"
GMAIL_READONLY_SCOPE = "https://www.googleapis.com/auth/gmail.readonly"
#: Reading users (and their 2-Step Verification) from the Admin SDK Directory API.
DIRECTORY_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
#: Managing users in the Directory; it includes reading them.
DIRECTORY_MANAGE_SCOPE = "https://www.googleapis.com/auth/admin.directory.user"
#: A user's app passwords (asps) and third-party OAuth tokens in the Directory: list and delete them.
DIRECTORY_SECURITY_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.security"
#: Google Cloud as the signed-in user: what the IAM and IAM Credentials APIs (signBlob for keyless domain-wide
#: delegation) accept.
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"

#: Microsoft 365 / Outlook: delegated scopes with which Exchange Online accepts XOAUTH2 (SMTP AUTH, IMAP).
MS_SMTP_SEND_SCOPE = "https://outlook.office.com/SMTP.Send"
MS_IMAP_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All"
#: Asks for a refresh token; msal adds it (with openid and profile) to every request by itself.
MS_OFFLINE_SCOPE = "offline_access"

__all__ = ["API_SCOPE_PREFIX", "CLOUD_PLATFORM_SCOPE", "DIRECTORY_MANAGE_SCOPE", "DIRECTORY_SCOPE",
           "DIRECTORY_SECURITY_SCOPE", "EMAIL_SCOPE", "GMAIL_READONLY_SCOPE", "GMAIL_SEND_SCOPE", "MAIL_SCOPE",
           "MS_IMAP_SCOPE", "MS_OFFLINE_SCOPE", "MS_SMTP_SEND_SCOPE", "OPENID_SCOPE", "PROFILE_SCOPE"]
