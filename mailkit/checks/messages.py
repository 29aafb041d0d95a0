"""Test messages as business software sends them: a check id in the subject and a header,
and optionally the sample invoice as PDF + CFDI XML + an HTML body (what CONTPAQi sends)."""

from __future__ import annotations

import mimetypes
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from mailkit import assets
from mailkit.i18n import N_, text
from mailkit.models import Account

CHECK_ID_HEADER = "X-Mailkit-Check-Id"

SUBJECT = N_("mailkit test {check_id} - {company}")
BODY = N_("This is a test message sent by mailkit to check that {email} ({company}) can send mail.\n"
          "Check id: {check_id}\n"
          "Sent at: {sent}\n")


@dataclass(frozen=True)
class Attachment:
    """A file to attach, under the name the recipient sees (accents allowed)."""

    path: Path
    filename: str


def sample_invoice(company_name: str = "") -> list[Attachment]:
    """The sample invoice (shipped in mailkit/assets) as PDF and CFDI XML, named like an ERP names them."""
    suffix = f" {company_name}" if company_name else ""
    return [
        Attachment(assets.asset_path(assets.INVOICE_PDF), f"Factura A-1024{suffix}.pdf"),
        Attachment(assets.asset_path(assets.INVOICE_XML), f"Factura A-1024{suffix}.xml"),
    ]


def new_check_id() -> str:
    """Short, unique, easy to search for in a mailbox: mk-<date>-<random>."""
    return f"mk-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(4)}"


def build_test_message(
    account: Account,
    *,
    to: str | None = None,
    company_name: str = "",
    check_id: str | None = None,
    attachments: list[Attachment] | None = None,
    html: bool = False,
    from_address: str | None = None,
    lang: str = "en",
) -> EmailMessage:
    """A test message from the account (to itself by default) that carries its check id."""
    check_id = check_id or new_check_id()
    company = company_name or account.company
    sender, recipient = from_address or account.email, to or account.email
    international = not (sender.isascii() and recipient.isascii())
    # An address such as facturación@... is legal only in an SMTPUTF8 message (RFC 6532/6531): UTF-8
    # headers, sent with MAIL FROM ... SMTPUTF8 where the server offers it (the SMTP check refuses otherwise).
    message = EmailMessage(policy=policy.SMTPUTF8) if international else EmailMessage()
    message["From"] = (f"{_quoted(account.display_name or company)} <{sender}>" if international
                       else Address(display_name=account.display_name or company, addr_spec=sender))
    message["To"] = recipient
    message["Subject"] = text(lang, SUBJECT, check_id=check_id, company=company)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(idstring=check_id, domain=account.domain)
    message[CHECK_ID_HEADER] = check_id
    message["X-Mailkit-Company"] = company
    message["X-Mailkit-Account"] = account.email
    sent = datetime.now(UTC).isoformat(timespec="seconds")
    message.set_content(text(lang, BODY, email=account.email, company=company, check_id=check_id, sent=sent))
    if html:
        message.add_alternative(assets.read_text(assets.INVOICE_HTML), subtype="html")
    for attachment in attachments or []:
        _attach(message, attachment)
    return message


def _quoted(name: str) -> str:
    """A display name as an RFC 5322 quoted string (UTF-8 allowed in an SMTPUTF8 message)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def envelope_needs_smtputf8(sender: str, recipients: list[str]) -> bool:
    """True when an envelope address has non-ASCII characters: only a server offering SMTPUTF8 takes it."""
    return not all(address.isascii() for address in [sender, *recipients])


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    ctype = mimetypes.guess_type(attachment.filename)[0] or "application/octet-stream"
    maintype, subtype = ctype.split("/", 1)
    if maintype == "text":
        message.add_attachment(attachment.path.read_text(encoding="utf-8"), subtype=subtype,
                               filename=attachment.filename)
    else:
        message.add_attachment(attachment.path.read_bytes(), maintype=maintype, subtype=subtype,
                               filename=attachment.filename)
