"""Plots of the reports: status counts per company (stacked bars) and the trend across runs.

matplotlib is optional (the `notebooks` extra) and imported only here, when a plot is asked for.
Figures are built with `matplotlib.figure.Figure` and rendered by the Agg canvas, never through
pyplot: no global state, no GUI backend, and they still show inline in Jupyter.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from mailkit.diagnose_texts import status_label
from mailkit.errors import UsageError
from mailkit.i18n import N_, pgettext, text
from mailkit.reports.frames import english_name
from mailkit.sanitize import one_line
from mailkit.status import SEVERITY, Status

MISSING = "plots need matplotlib: pip install 'mailkit[notebooks]'"

#: Titles and labels, in the reader's language (the legend names each status in words: `status_label`).
COMPANY_TITLE = N_("Accounts by status per company")
TREND_TITLE = N_("Accounts ok and broken per audit run")
NO_RUNS = N_("no audit runs yet")
AUDIT_RUN = N_("audit run")
ONE_RUN = N_("audit run {run}")
NOT_CHECKED = N_("not checked")
OTHERS = N_("others ({count})")

#: One colour per status: greens for ok, ambers for temporary trouble, reds for what needs a fix.
_SHADES = {"ok": ["#2e7d32"], "warning": ["#f9a825", "#ffb300", "#ffca28", "#ffe082"],
           "error": ["#b71c1c", "#c62828", "#d32f2f", "#e53935", "#ef5350", "#e57373", "#ad1457", "#c2185b",
                     "#d81b60", "#ec407a", "#6a1b9a", "#8e24aa", "#ab47bc", "#4e342e", "#6d4c41", "#8d6e63",
                     "#795548"]}


def matplotlib_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise UsageError(MISSING) from exc
    return Figure(figsize=(width, height), layout="constrained")


#: Distinct hues for the statuses one plot shows: neighbours in a stack never share a shade.
_DISTINCT = {"ok": ["#2e7d32", "#66bb6a"],
             "warning": ["#f9a825", "#ef6c00", "#8d6e63", "#fdd835", "#a1887f"],
             "error": ["#c62828", "#6a1b9a", "#1565c0", "#ad1457", "#00838f", "#4e342e", "#e64a19", "#283593",
                       "#558b2f", "#37474f", "#ec407a", "#5d4037", "#0277bd", "#9e9d24", "#7b1fa2", "#d84315",
                       "#263238"]}
#: A company label longer than this is cut with an ellipsis (the bars keep their room).
LABEL_CHARS = 32


def status_colors(present: list[str] | None = None) -> dict[str, str]:
    """A colour per status. With `present` (the statuses one plot shows), each gets its own clearly different
    hue within its severity's family (greens, ambers/browns, reds/purples/blues); without, a fixed shade per
    status, so the same status looks the same in every plot."""
    if present is not None:
        used = {"ok": 0, "warning": 0, "error": 0}
        chosen = {}
        for status in [s for s in Status if s.value in present]:
            severity = SEVERITY[status]
            palette = _DISTINCT[severity]
            chosen[status.value] = palette[used[severity] % len(palette)]
            used[severity] += 1
        chosen[""] = "#bdbdbd"
        return chosen
    used = {"ok": 0, "warning": 0, "error": 0}
    colors = {}
    for status in Status:
        severity = SEVERITY[status]
        shades = _SHADES[severity]
        colors[status.value] = shades[used[severity] % len(shades)]
        used[severity] += 1
    colors[""] = "#bdbdbd"
    return colors


def _english(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: english_name(str(c)) for c in frame.columns})


def top_companies(frame: pd.DataFrame, top: int, others: str = "others ({count})") -> pd.DataFrame:
    """The `top` companies with the most broken accounts (then the most accounts), and one row summing the
    rest, labelled `others` (its `{count}` is how many companies it holds)."""
    ranked = frame.sort_values(["broken", "accounts"], ascending=False, kind="stable") \
        if {"broken", "accounts"} <= set(frame.columns) else frame
    if len(ranked) <= top:
        return ranked
    head, rest = ranked.head(top), ranked.iloc[top:]
    numeric = [c for c in rest.columns if pd.api.types.is_numeric_dtype(rest[c]) and c != "health"]
    summed = {c: rest[c].sum() for c in numeric}
    label = others.format(count=len(rest))
    summed.update({"company": label, "company_name": label})
    return pd.concat([head, pd.DataFrame([summed])], ignore_index=True)


def _label(name: str) -> str:
    """A company's name as a bar label: control characters shown escaped, a long name cut."""
    name = one_line(name)
    return name if len(name) <= LABEL_CHARS else name[:LABEL_CHARS - 1].rstrip() + "…"


def status_by_company(companies: pd.DataFrame, *, title: str | None = None, top: int | None = None,
                      others: str | None = None, lang: str | None = None) -> Any:
    """Stacked horizontal bars: one per company (by name), one segment per status (from `reports.by_company()`).

    With `top`, the companies with the most broken accounts get a bar each and the rest share one (`others`).
    Title, axis, legend (each status in words) and "not checked" are in `lang`."""
    frame = _english(companies)
    shared = False
    if top is not None:
        shared = len(frame) > top
        frame = top_companies(frame, top, others or text(lang, OTHERS, count="{count}")).reset_index(drop=True)
    statuses = [s.value for s in Status if s.value in frame.columns and frame[s.value].fillna(0).sum()]
    figure = _figure(9, max(2.5, 0.32 * len(frame) + 1.5))
    axes = figure.add_subplot()
    colors = status_colors(statuses)
    left = pd.Series(0, index=frame.index, dtype=float)
    names = frame["company_name"] if "company_name" in frame.columns else frame["company"]
    labels = names.fillna(frame["company"]).astype(str).map(_label)
    for status in statuses:
        values = frame[status].fillna(0)
        axes.barh(labels, values, left=left, color=colors[status], label=status_label(status, lang), edgecolor="white")
        left = left + values
    if "not_checked" in frame.columns and frame["not_checked"].sum():
        axes.barh(labels, frame["not_checked"], left=left, color=colors[""], label=text(lang, NOT_CHECKED))
        left = left + frame["not_checked"].fillna(0)
    if shared:
        _fit_to_named(axes, left)
    axes.invert_yaxis()
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(pgettext(lang, "column", "accounts"))
    axes.set_title(title or text(lang, COMPANY_TITLE))
    if statuses:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    return figure


def _fit_to_named(axes: Any, totals: pd.Series) -> None:
    """When the shared bar (the last) dwarfs the named companies' bars (a fleet of many small companies), the
    axis ends past the longest named bar and the shared bar, cut there, says its total: otherwise every company's
    bar is a sliver beside it."""
    named, shared = float(totals.iloc[:-1].max() or 0), float(totals.iloc[-1])
    if named <= 0 or shared <= 2 * named:
        return
    end = named * 1.35
    axes.set_xlim(0, end)
    axes.text(end * 0.98, len(totals) - 1, f"{int(shared)} →", ha="right", va="center", color="white",
              fontweight="bold", fontsize="small")


def trend(runs: pd.DataFrame, *, title: str | None = None, lang: str | None = None) -> Any:
    """Ok and broken counts per run, in run order (from `reports.history()`): lines across runs, two
    labelled bars when there is a single run (a lone dot says nothing). Whole accounts, from zero; the words
    in `lang`."""
    frame = _english(runs)
    figure = _figure(9, 3.5)
    axes = figure.add_subplot()
    ok_word, broken_word = pgettext(lang, "column", "ok"), pgettext(lang, "column", "broken")
    if frame.empty:
        axes.text(0.5, 0.5, text(lang, NO_RUNS), ha="center", va="center", transform=axes.transAxes)
        axes.set_axis_off()
        return figure
    x = frame["run_id"].astype(int)
    ok, broken = frame["ok"].astype(int), frame["broken"].astype(int)
    if len(frame) == 1:
        bars = axes.bar([ok_word, broken_word], [ok.iloc[0], broken.iloc[0]], width=0.5,
                        color=[_SHADES["ok"][0], _SHADES["error"][0]])
        axes.bar_label(bars, padding=2)
        axes.set_xlabel(text(lang, ONE_RUN, run=int(x.iloc[0])))
    else:
        axes.plot(x, ok, marker="o", color=_SHADES["ok"][0], label=ok_word)
        axes.plot(x, broken, marker="o", color=_SHADES["error"][0], label=broken_word)
        axes.set_xlabel(text(lang, AUDIT_RUN))
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    axes.set_ylim(0, max(1, int(max(ok.max(), broken.max()))) * 1.15)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylabel(pgettext(lang, "column", "accounts"))
    axes.set_title(title or text(lang, TREND_TITLE))
    return figure


def png(figure: Any, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (Agg canvas; no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


__all__ = ["MISSING", "matplotlib_available", "png", "status_by_company", "status_colors", "top_companies", "trend"]
