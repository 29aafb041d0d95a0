"""A grouped, paginated results table that updates incrementally, for fleets of a thousand accounts.

Rows are kept in sorted order (problems first: errors, warnings, not checked, ok; grouped by status
and the same cause and remedy, or by company) with `bisect`, so a new result costs a binary search
and one list insertion, never a re-render of every row. Only one page of rows is ever rendered; a
result that lands after the page shown changes nothing but the counters. Updates are batched: from
a running event loop the redraw happens at most once per `interval` seconds, and the widget values
are assigned only when their HTML changed (an unchanged value sends nothing to the browser).

The cause and the remedy are shown once per group (the header row), not on every account's row.
"""

from __future__ import annotations

import asyncio
import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from mailkit.diagnose_texts import status_label
from mailkit.status import SEVERITY, Status
from mailkit.ui.base import code_spans, escape, status_html
from mailkit.ui.hints import remedy_html
from mailkit.ui.i18n_ui import t

#: Background of a row by severity; "" is an account not checked yet.
ROW_COLORS = {"ok": "#e6f4ea", "warning": "#fef7e0", "error": "#fce8e6", "": "#f1f3f4"}
#: Problems first: errors, then temporary trouble, then accounts not checked, then ok.
SEVERITY_RANK = {"error": 0, "warning": 1, "": 2, "ok": 3}
PROBLEMS = frozenset({"error", "warning"})
STATUS_INDEX = {s.value: i for i, s in enumerate(Status)}
CELL = "padding:3px 6px;overflow-wrap:anywhere;border-bottom:1px solid #fff"
PAGE_SIZE = 50
INTERVAL = 0.2  # seconds between redraws while results stream in


@dataclass(frozen=True)
class Row:
    """One account's line. `cells` are HTML (already escaped) by column key; `cause` and `remedy` are plain
    text without the account's address, so accounts with the same trouble share one group."""

    key: str
    company: str
    status: str
    severity: str
    cause: str = ""
    remedy: str = ""
    cells: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    provider: str = field(default="", compare=False)  # the account's, for the hint's button (Google's, Microsoft's)

    @property
    def problem(self) -> bool:
        return self.severity in PROBLEMS


def generic(text: str, email: str, company: str = "") -> str:
    """A cause or remedy without the account's address: " (x@y)" dropped, `x@y` in a command shown as EMAIL;
    and without its company's name in brackets (" (Empresa SA)", as the report's remedies name it).

    Accounts with the same status and the same generic texts then share one group and one remedy.
    """
    if company:
        text = re.sub(rf"\s*\({re.escape(company)}\)", "", text)
    if not email:
        return text
    text = re.sub(rf"\s*\({re.escape(email)}\)", "", text)
    return text.replace(email, "EMAIL")


def sort_key(row: Row, by: str) -> tuple[Any, ...]:
    """Where the row goes; the group is this key's prefix (see `group_of`)."""
    rank, index = SEVERITY_RANK.get(row.severity, 2), STATUS_INDEX.get(row.status, len(STATUS_INDEX))
    if by == "company":
        return (row.company.casefold(), row.company, rank, index, row.key)
    return (rank, index, row.status, row.cause, row.remedy, row.company.casefold(), row.key)


def group_of(key: tuple[Any, ...], by: str) -> tuple[Any, ...]:
    return key[:2] if by == "company" else key[:5]


class GroupedTable(w.VBox):
    """Counters, a "group by" choice, "problems only", one page of rows, and a pager.

    `columns` are (key, label, min width) of the account rows; the panel sets them (and relabels them).
    """

    def __init__(self, *, lang: str = "en", page_size: int = PAGE_SIZE, interval: float = INTERVAL,
                 here: str = "", css_class: str = "mailkit-results"):
        self.lang, self.page_size, self.interval, self.here, self.css_class = lang, page_size, interval, here, css_class
        self.columns: list[tuple[str, str, str]] = []
        self.rows: dict[str, Row] = {}
        self.by = "status"
        self._all: list[tuple[Any, ...]] = []  # sort keys, in order
        self._problems: list[tuple[Any, ...]] = []
        self.status_counts: Counter[str] = Counter()
        self.company_counts: dict[str, Counter[str]] = {}
        self.page = 0
        self._dirty = False
        self._handle: asyncio.TimerHandle | None = None
        self.renders = 0  # page renders, for tests and the benchmark
        self.on_flush: Callable[[], None] | None = None  # what else the owner redraws with each batch
        self.counters = w.HTML()
        self.group_by = w.ToggleButtons(options=[("status", "status"), ("company", "company")], value="status",
                                        style={"button_width": "auto"})
        self.problems_only = w.Checkbox(value=False, indent=False, layout=w.Layout(width="auto"))
        self.body = w.HTML(layout=w.Layout(max_width="100%"))
        self.previous = w.Button(icon="chevron-left", layout=w.Layout(width="40px", min_width="40px"))
        self.next = w.Button(icon="chevron-right", layout=w.Layout(width="40px", min_width="40px"))
        self.pager = w.HTML()
        self.group_by.observe(lambda change: change["new"] and self.regroup(change["new"]), "value")
        self.problems_only.observe(lambda _: self.go(0), "value")
        self.previous.on_click(lambda _: self.go(self.page - 1))
        self.next.on_click(lambda _: self.go(self.page + 1))
        wrap = w.Layout(flex_flow="row wrap", align_items="center", grid_gap="12px")
        self.controls = w.HBox([self.group_by, self.problems_only], layout=wrap)
        self.paging = w.HBox([self.previous, self.next, self.pager], layout=w.Layout(align_items="center"))
        super().__init__([self.counters, self.controls, self.body, self.paging])
        self.relabel(lang)

    # --- labels ------------------------------------------------------------------------------
    def relabel(self, lang: str, columns: list[tuple[str, str, str]] | None = None, *, draw: bool = True) -> None:
        self.lang = lang
        if columns is not None:
            self.columns = columns
        options = ((t("group_status", lang), "status"), (t("group_company", lang), "company"))
        if tuple(self.group_by.options) != options:
            keep = self.group_by.value or "status"
            self.group_by.options = options
            self.group_by.value = keep
        self.problems_only.description = t("problems_only", lang)
        self._dirty = True
        if draw:
            self.flush()

    # --- the model -----------------------------------------------------------------------------
    @property
    def view(self) -> list[tuple[Any, ...]]:
        return self._problems if self.problems_only.value else self._all

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.view) // self.page_size))

    def clear(self) -> None:
        self.rows.clear()
        self._all, self._problems = [], []
        self.status_counts.clear()
        self.company_counts.clear()
        self.page = 0
        self._dirty = True
        self.flush()

    def add(self, row: Row) -> None:
        """Put one row in (replacing the account's previous one); redraw soon if the page shown changed."""
        old = self.rows.get(row.key)
        if old is not None:
            self._remove(old)
        self.rows[row.key] = row
        key = sort_key(row, self.by)
        self._touch(self._all, key, problem=False)
        bisect.insort(self._all, key)
        if row.problem:
            self._touch(self._problems, key, problem=True)
            bisect.insort(self._problems, key)
        self.status_counts[row.status] += 1
        self.company_counts.setdefault(row.company, Counter())["problems" if row.problem else "fine"] += 1
        self.request()

    def reset(self, rows: Iterable[Row], columns: list[tuple[str, str, str]] | None = None) -> None:
        """Replace every row (a report read from the store): one sort, one render, back to the first page."""
        if columns is not None:
            self.columns = columns
        self.rows.clear()
        self.status_counts.clear()
        self.company_counts.clear()
        self.page = 0
        self.extend(rows)

    def extend(self, rows: Iterable[Row]) -> None:
        """Many rows at once: one sort, one render."""
        for row in rows:
            if row.key in self.rows:
                self._remove(self.rows[row.key])
            self.rows[row.key] = row
            self.status_counts[row.status] += 1
            self.company_counts.setdefault(row.company, Counter())["problems" if row.problem else "fine"] += 1
        self._resort()
        self._dirty = True
        self.flush()

    def _remove(self, row: Row) -> None:
        key = sort_key(row, self.by)
        for keys, problem in ((self._all, False), (self._problems, True)):
            at = bisect.bisect_left(keys, key)
            if at < len(keys) and keys[at] == key:
                self._touch(keys, key, problem=problem)
                del keys[at]
        self.status_counts[row.status] -= 1
        self.company_counts[row.company]["problems" if row.problem else "fine"] -= 1

    def _touch(self, keys: list[tuple[Any, ...]], key: tuple[Any, ...], *, problem: bool) -> None:
        """A row goes in or out of `keys` at `key`'s place: the page shown changes if that place is on it or
        before it (later rows shift); by company, also if the row's company shows on it (its header counts)."""
        if problem != bool(self.problems_only.value):
            return
        end = (self.page + 1) * self.page_size
        at = bisect.bisect_left(keys, key) if self.by == "status" else bisect.bisect_left(keys, group_of(key, self.by))
        if at < end:
            self._dirty = True

    def _resort(self) -> None:
        self._all = sorted(sort_key(r, self.by) for r in self.rows.values())
        self._problems = [k for k in self._all if self.rows[k[-1]].problem]

    def regroup(self, by: str) -> None:
        self.by = by
        self._resort()
        self.go(0)

    def go(self, page: int) -> None:
        self.page = min(max(0, page), self.pages - 1)
        self._dirty = True
        self.flush()

    def page_of(self, key: str) -> int:
        """The page an account's row is on in the current view (-1: not in it)."""
        row = self.rows.get(key)
        if row is None:
            return -1
        at = bisect.bisect_left(self.view, sort_key(row, self.by))
        return at // self.page_size if at < len(self.view) and self.view[at][-1] == key else -1

    # --- drawing -------------------------------------------------------------------------------
    def request(self) -> None:
        """Redraw now without a running loop; on a loop, at most once per `interval` (results come in bursts)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if self._handle is None:
            self._handle = loop.call_later(self.interval, self.flush)

    def flush(self) -> None:
        """Draw what changed: the counters always (a few bytes), the page only when it changed."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._set(self.counters, self._counters_html())
        self._set(self.pager, t("page_of", self.lang, page=self.page + 1, pages=self.pages, rows=len(self.view)))
        self.previous.disabled, self.next.disabled = self.page == 0, self.page >= self.pages - 1
        self.paging.layout.display = "none" if self.pages == 1 else ""
        self.controls.layout.display = "" if self.rows else "none"
        if self._dirty:
            self._dirty = False
            self.renders += 1
            self._set(self.body, self._page_html())
        if self.on_flush is not None:
            self.on_flush()

    @staticmethod
    def _set(widget: w.HTML, value: str) -> None:
        if widget.value != value:
            widget.value = value

    def _counters_html(self) -> str:
        parts = [f"<span class='mailkit-count' data-status='{escape(s)}' title='{escape(s)}' style='background:"
                 f"{ROW_COLORS[self._severity(s)]};padding:1px 6px;border-radius:8px;margin-right:6px'>"
                 f"{escape(status_label(s, self.lang) if s else t('not_checked', self.lang))} <b>{n}</b></span>"
                 for s, n in sorted(self.status_counts.items(), key=lambda item: self._status_order(item[0])) if n]
        return f"<div class='mailkit-counters mailkit-block'>{''.join(parts)}</div>" if parts else ""

    @staticmethod
    def _severity(status: str) -> str:
        return SEVERITY[Status(status)] if status in STATUS_INDEX else ""

    @classmethod
    def _status_order(cls, status: str) -> tuple[int, int]:
        return SEVERITY_RANK.get(cls._severity(status), 2), STATUS_INDEX.get(status, len(STATUS_INDEX))

    def _page_html(self) -> str:
        keys = self.view[self.page * self.page_size:(self.page + 1) * self.page_size]
        if not keys:
            return ""
        heads = "".join(f"<th style='text-align:left;padding:3px 6px;min-width:{width}'>{escape(label)}</th>"
                        for _, label, width in self.columns)
        lines, group = [], None
        for key in keys:
            row = self.rows[key[-1]]
            if group_of(key, self.by) != group:
                group = group_of(key, self.by)
                lines.append(self._group_html(row))
            cells = "".join(f"<td style='{CELL}'>{row.cells.get(k, '')}</td>" for k, _, _ in self.columns)
            lines.append(f"<tr data-status='{escape(row.status)}' data-key='{escape(row.key)}' "
                         f"style='background:{ROW_COLORS.get(row.severity, '')}'>{cells}</tr>")
        return (f"<div class='mailkit-scroll'><table class='mailkit-table {self.css_class}' style='width:100%;"
                f"font-size:12px'><thead><tr>{heads}</tr></thead><tbody>{''.join(lines)}</tbody></table></div>")

    def _group_html(self, row: Row) -> str:
        span = max(1, len(self.columns))
        if self.by == "company":
            counts = self.company_counts.get(row.company, Counter())
            text = t("company_group", self.lang, company=row.company, problems=counts["problems"],
                     total=counts["problems"] + counts["fine"])
            return (f"<tr class='mailkit-group' data-group='company'><td colspan='{span}' style='{CELL};"
                    f"background:#eceff1;font-weight:600'>{escape(text)}</td></tr>")
        # the counters above say how many; the status in words, its code beside it for matching the CLI
        title = status_html(row.status, self.lang) if row.status else escape(t("not_checked", self.lang))
        detail = ""
        if row.cause:
            detail += f"<div class='mailkit-cause'>{code_spans(escape(row.cause))}</div>"
        if row.remedy and row.status:  # not checked: the panel says what to do once, above
            remedy = remedy_html(row.remedy, self.lang, here=self.here, provider=row.provider)
            detail += f"<div class='mailkit-remedy'>{remedy}</div>"
        return (f"<tr class='mailkit-group' data-group='{escape(row.status)}'><td colspan='{span}' style='{CELL};"
                f"background:{ROW_COLORS.get(row.severity, '')};border-top:2px solid #9e9e9e'>"
                f"<b>{title}</b>{detail}</td></tr>")


__all__ = ["PAGE_SIZE", "ROW_COLORS", "GroupedTable", "Row", "generic", "group_of", "sort_key"]
