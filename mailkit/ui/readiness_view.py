"""Microsoft 365 readiness (07_microsoft_365, and a section of the report): every Microsoft 365 mailbox and
whether it survives the retirement of basic authentication, worst first, each with what to do.

The words are the admin's (readiness and status as labels, sign-in method in words); the frame behind it
(`mailkit.reports.readiness_frame`, `mailkit report --readiness`) keeps the stable machine words.
"""

from __future__ import annotations

import ipywidgets as w

from mailkit import reports
from mailkit.ui.base import Panel, code_spans, escape, soft_breaks, status_html
from mailkit.ui.i18n_ui import t
from mailkit.ui.setup_form import auth_word
from mailkit.workspace import Workspace


def readiness_html(workspace: Workspace, lang: str, company: str | None = None) -> str:
    """The Microsoft 365 mailboxes (of `company`, else every one) and their readiness ("" without any)."""
    frame = reports.readiness_frame(workspace, lang=lang, company=company)
    frame = frame.rename(columns={c: reports.english_name(str(c)) for c in frame.columns})
    if frame.empty:
        return ""
    counts = reports.summary(frame)
    lines = []
    for record in frame.to_dict("records"):
        kind, status = str(record["readiness"]), str(record["status"] or "")
        color = "#146c2e" if kind == "ready" else "#b3261e"  # the frame's stable words
        lines.append(f"<tr data-readiness='{escape(kind)}' data-email='{escape(record['email'])}'>"
                     f"<td>{escape(record['company_name'])}</td><td>{soft_breaks(str(record['email']))}</td>"
                     f"<td>{escape(auth_word(str(record['auth'] or ''), lang))}</td>"
                     f"<td>{status_html(status, lang) if status else ''}</td>"
                     f"<td style='color:{color};font-weight:600'>{escape(reports.readiness_word(kind, lang))}</td>"
                     f"<td>{code_spans(escape(record['action']))}</td></tr>")
    heads = "".join(f"<th style='text-align:left'>{escape(t(key, lang))}</th>" for key in
                    ("company", "email", "auth", "status", "readiness_col", "remedy"))
    title = t("readiness_title", lang, date=reports.RETIREMENT.isoformat())
    said = t("readiness_counts", lang, blocked=counts["blocked"], will_break=counts["will_break"],
             ready=counts["ready"])
    return (f"<details class='mailkit-readiness mailkit-block' open><summary><b>{escape(title)}</b> — "
            f"{escape(said)}</summary><div class='mailkit-scroll'><table class='mailkit-table' "
            f"style='width:100%;font-size:12px'><thead><tr>{heads}</tr></thead><tbody>{''.join(lines)}"
            f"</tbody></table></div></details>")


class ReadinessView(Panel):
    """Every company's Microsoft 365 mailboxes and their readiness, in the workspace's language."""

    title_key = "readiness_panel_title"
    intros = ("07_microsoft_365",)

    def build(self) -> list[w.Widget]:
        self.table = w.HTML(layout=w.Layout(max_width="100%"))
        self.reload = w.Button(icon="refresh", layout=w.Layout(width="auto"))
        self.reload.on_click(lambda _: self.refresh())
        return [self.table, self.reload]

    def relabel(self) -> None:
        self.reload.description = self.t("refresh")
        self.refresh()

    def refresh(self) -> None:
        """Read the mailboxes and their latest checks again."""
        found = readiness_html(self.workspace, self.lang)
        self.table.value = found or f"<i class='mailkit-readiness-none'>{escape(self.t('readiness_none'))}</i>"


__all__ = ["ReadinessView", "readiness_html"]
