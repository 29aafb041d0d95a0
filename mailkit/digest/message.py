"""The digest as a mail: multipart/alternative (plain text and HTML) with a section per company — newly broken,
fixed, breaking soon — in the admin's language; the .xlsx report attached when asked. Every text in it went
through mailkit's redaction, and everything in the HTML is escaped."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from mailkit.digest.changes import Change, DigestContent
from mailkit.forecast import ForecastItem
from mailkit.i18n import N_, text
from mailkit.secrets.redaction import redact

SUBJECT = N_("mailkit: {broken} newly broken, {fixed} fixed, {soon} breaking soon")
INTRO = N_("Audit run {run} checked {checked} accounts; {broken_now} are not ok.")
NEWLY_BROKEN = N_("Newly broken")
FIXED = N_("Fixed")
BREAKING_SOON = N_("Breaking soon")
WAS = N_("was {before}, now {now}")
NOTHING = N_("Nothing changed since the previous run.")
FOOTER = N_("Sent by mailkit after audit run {run}. See every account with `mailkit report`.")
DIGEST_HEADER = "X-Mailkit-Digest"
ATTACHMENT_NAME = "mailkit-report.xlsx"
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")

Texts = Mapping[str, tuple[str, str]]  # email -> (cause, remedy) of its current status, in the digest's language


def build_message(content: DigestContent, *, sender: str, to: str, lang: str, texts: Texts | None = None,
                  attachment: bytes | None = None) -> EmailMessage:
    """The digest mail from `sender` to `to`; `texts`: each broken account's cause and remedy."""
    texts = texts or {}
    message = EmailMessage()
    message["From"] = Address(display_name="mailkit", addr_spec=sender)
    message["To"] = to
    message["Subject"] = text(lang, SUBJECT, broken=len(content.newly_broken), fixed=len(content.fixed),
                              soon=len(content.soon))
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(idstring=f"digest-{content.run_id}", domain=sender.rpartition("@")[2])
    message[DIGEST_HEADER] = str(content.run_id)
    message.set_content(redact(plain_text(content, lang, texts)))
    message.add_alternative(redact(html_text(content, lang, texts)), subtype="html")
    if attachment is not None:
        message.add_attachment(attachment, maintype=XLSX[0], subtype=XLSX[1], filename=ATTACHMENT_NAME)
    return message


def _sections(content: DigestContent, slug: str) -> tuple[list[Change], list[Change], list[ForecastItem]]:
    return ([c for c in content.newly_broken if c.company == slug], [c for c in content.fixed if c.company == slug],
            [i for i in content.soon if i.company == slug])


def plain_text(content: DigestContent, lang: str, texts: Texts) -> str:
    now = content.generated_at
    lines = [text(lang, INTRO, run=content.run_id, checked=content.checked, broken_now=content.broken_now), ""]
    if not content.companies():
        lines += [text(lang, NOTHING), ""]
    for slug, name in content.companies():
        broke, fixed, soon = _sections(content, slug)
        lines += [name, "=" * len(name)]
        if broke:
            lines.append(text(lang, NEWLY_BROKEN) + ":")
            for change in broke:
                cause, remedy = texts.get(change.email, ("", ""))
                lines += [f"  ✗ {change.email}: {change.now}", *([f"    {cause}"] if cause else []),
                          *([f"    → {remedy}"] if remedy else [])]
        if fixed:
            lines.append(text(lang, FIXED) + ":")
            lines += [f"  ✓ {c.email}: " + text(lang, WAS, before=c.before, now=c.now) for c in fixed]
        if soon:
            lines.append(text(lang, BREAKING_SOON) + ":")
            for item in soon:
                lines += [f"  ! {item.email}: {item.title(lang)} — {item.headline(lang, now)}",
                          f"    {item.cause(lang)}", f"    → {item.remedy(lang)}"]
        lines.append("")
    lines.append(text(lang, FOOTER, run=content.run_id))
    return "\n".join(lines) + "\n"


_STYLE = ("body{font-family:system-ui,Segoe UI,Arial,sans-serif;color:#222;max-width:860px;margin:1.5em auto}"
          "h1{font-size:1.3em}h2{font-size:1.1em;border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.5em}"
          "h3{font-size:.95em;margin:.8em 0 .3em}table{border-collapse:collapse;width:100%;font-size:.9em}"
          "td{border:1px solid #ddd;padding:.35em .5em;vertical-align:top}.broken{color:#b00020}.fixed{color:#1b7f3b}"
          ".soon{color:#a15c00}.note{color:#666;font-size:.85em}code{background:#f4f4f4}")


def html_text(content: DigestContent, lang: str, texts: Texts) -> str:
    esc = html.escape
    now = content.generated_at
    parts = [f'<!DOCTYPE html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
             f"<title>{esc(text(lang, SUBJECT, broken=len(content.newly_broken), fixed=len(content.fixed), soon=len(content.soon)))}</title>"  # noqa: E501
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>{esc(text(lang, INTRO, run=content.run_id, checked=content.checked, broken_now=content.broken_now))}"
             "</h1>"]
    if not content.companies():
        parts.append(f"<p>{esc(text(lang, NOTHING))}</p>")
    for slug, name in content.companies():
        broke, fixed, soon = _sections(content, slug)
        parts.append(f'<section class="company" data-company="{esc(slug)}"><h2>{esc(name)}</h2>')
        if broke:
            rows = "".join(
                f'<tr><td class="broken">✗ {esc(c.email)}</td><td><code>{esc(c.now)}</code></td>'
                f"<td>{esc(texts.get(c.email, ('', ''))[0])}</td><td>{esc(texts.get(c.email, ('', ''))[1])}</td></tr>"
                for c in broke)
            parts.append(f'<h3 class="broken">{esc(text(lang, NEWLY_BROKEN))}</h3><table>{rows}</table>')
        if fixed:
            rows = "".join(f'<tr><td class="fixed">✓ {esc(c.email)}</td>'
                           f"<td>{esc(text(lang, WAS, before=c.before, now=c.now))}</td></tr>" for c in fixed)
            parts.append(f'<h3 class="fixed">{esc(text(lang, FIXED))}</h3><table>{rows}</table>')
        if soon:
            rows = "".join(f'<tr><td class="soon">! {esc(i.email)}</td><td>{esc(i.title(lang))}<br>'
                           f"<b>{esc(i.headline(lang, now))}</b></td><td>{esc(i.cause(lang))}</td>"
                           f"<td>{esc(i.remedy(lang))}</td></tr>" for i in soon)
            parts.append(f'<h3 class="soon">{esc(text(lang, BREAKING_SOON))}</h3><table>{rows}</table>')
        parts.append("</section>")
    parts.append(f'<p class="note">{esc(text(lang, FOOTER, run=content.run_id))}</p></body></html>')
    return "\n".join(parts)


__all__ = ["ATTACHMENT_NAME", "DIGEST_HEADER", "build_message", "html_text", "plain_text"]
