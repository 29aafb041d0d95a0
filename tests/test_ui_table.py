"""The results table for big fleets, driven headless: rows added one by one, the page redrawn only when
it changes, problems first, one remedy per group, problems only, pages, grouping by company; the
company plot for many companies. Widgets only: no sandbox needed."""

from __future__ import annotations

import asyncio

import pandas as pd

from mailkit.reports import plots as report_plots
from mailkit.ui.table import GroupedTable, Row, generic

REMEDY = "Store an app password with `mailkit secret set EMAIL`, or authorize it: `mailkit oauth login EMAIL`."


def _ok(i: int, company: str = "Empresa Uno") -> Row:
    key = f"a{i:04d}@gmail.com"
    return Row(key, company, "ok", "ok", cells={"company": company, "email": key})


def _missing(i: int, company: str = "Empresa Dos") -> Row:
    key = f"m{i:04d}@gmail.com"
    return Row(key, company, "not_configured", "error", "No secret stored.", REMEDY,
               {"company": company, "email": key})


def _table(page_size: int = 10) -> GroupedTable:
    table = GroupedTable(page_size=page_size)
    table.relabel("en", [("company", "Company", "8em"), ("email", "Email", "12em")])
    return table


def test_rows_after_the_page_shown_cost_no_redraw() -> None:
    table = _table()
    changes: list[str] = []
    table.body.observe(lambda change: changes.append(change["new"]), "value")
    before = table.renders
    for i in range(100):
        table.add(_ok(i))
    assert len(changes) == 10 and table.renders == before + 10  # the first page filled; the other 90 only counted
    assert table.body.value.count("<tr data-status=") == 10 and "Works <b>100</b>" in table.counters.value
    assert "Page 1 of 10 (100 accounts)" in table.pager.value
    table.add(_missing(1))  # a problem goes first: the page shown changes
    assert len(changes) == 11 and table.body.value.index("not_configured") < table.body.value.index("'ok'")


def test_one_remedy_per_group_and_problems_only() -> None:
    table = _table(page_size=50)
    for i in range(30):
        table.add(_missing(i))
        table.add(_ok(i))
    body = table.body.value
    assert body.count("mailkit secret set") == 1 and body.count("<tr class='mailkit-group'") == 2
    assert "No password or token stored <b>30</b>" in table.counters.value and "Works <b>30</b>" in table.counters.value
    assert body.count("<tr data-status='not_configured'") == 30 and body.count("<tr data-status='ok'") == 20
    table.problems_only.value = True
    assert table.body.value.count("<tr data-status=") == 30 and "data-status='ok'" not in table.body.value
    assert table.pages == 1 and table.paging.layout.display == "none"


def test_pages_and_grouping_by_company() -> None:
    table = _table()
    for i in range(25):
        table.add(_ok(i, company=f"Empresa {i % 3}"))
    table.add(_missing(0, company="Empresa 1"))
    table.next.click()
    assert table.page == 1 and "Page 2 of 3" in table.pager.value and not table.previous.disabled
    assert table.page_of("a0000@gmail.com") == 0 and table.page_of("nobody@x.y") == -1
    table.group_by.value = "company"
    assert table.page == 0
    body = table.body.value  # Empresa 0's 9 rows, then Empresa 1's problem first
    assert "Empresa 0: 0 of 9 need attention" in body and "Empresa 1: 1 of 9 need attention" in body
    assert body.index("Empresa 1: 1 of 9") < body.index("data-status='not_configured'")
    table.next.click()  # the group goes on: its header again, on top
    assert table.body.value.index("Empresa 1: 1 of 9") < table.body.value.index("data-status='ok'")


def test_a_new_result_for_an_account_replaces_its_row() -> None:
    table = _table()
    table.add(_missing(1))
    again = Row("m0001@gmail.com", "Empresa Dos", "ok", "ok", cells={"email": "m0001@gmail.com"})
    table.add(again)
    assert table.status_counts["not_configured"] == 0 and table.status_counts["ok"] == 1
    assert table.body.value.count("<tr data-status=") == 1 and "data-status='ok'" in table.body.value


def test_redraws_are_batched_on_a_running_loop() -> None:
    table = _table(page_size=50)
    table.interval = 0.05

    async def main() -> tuple[int, int]:
        for i in range(300):
            table.add(_ok(i))
        during = table.renders
        await asyncio.sleep(0.1)
        return during, table.renders

    rendered = table.renders
    during, after = asyncio.run(main())
    assert during == rendered and after == rendered + 1  # 300 results, one redraw
    assert table.body.value.count("<tr data-status=") == 50 and "Works <b>300</b>" in table.counters.value


def test_generic_texts_drop_the_account() -> None:
    text = "mailkit has no app password for this account (x@y.com), so: `mailkit secret set x@y.com`."
    assert generic(text, "x@y.com") == "mailkit has no app password for this account, so: `mailkit secret set EMAIL`."
    assert generic("plain", "") == "plain"


def test_company_plot_names_the_worst_companies_and_sums_the_rest() -> None:
    companies = pd.DataFrame({
        "company": [f"c{i}" for i in range(40)],
        "company_name": [f"Empresa Número {i} Sociedad Anónima de Capital Variable" for i in range(40)],
        "accounts": [10] * 40, "ok": [10 - (i % 4) for i in range(40)], "bad_credentials": [i % 4 for i in range(40)],
        "not_configured": [0] * 39 + [3], "broken": [i % 4 for i in range(39)] + [6], "not_checked": [0] * 40,
    })
    companies.loc[39, "ok"] = 1
    axes = report_plots.status_by_company(companies, top=15, others="others ({count})").axes[0]
    labels = [tick.get_text() for tick in axes.get_yticklabels()]
    assert len(labels) == 16 and labels[-1] == "others (25)" and labels[0].startswith("Empresa Número 39")
    assert all(len(label) <= report_plots.LABEL_CHARS for label in labels)
    colors = {patch.get_facecolor() for patch in axes.patches}
    assert len(colors) == 3  # ok, bad_credentials, not_configured: each its own hue
    distinct = report_plots.status_colors(["ok", "bad_credentials", "not_configured"])
    assert len({distinct[s] for s in ("ok", "bad_credentials", "not_configured")}) == 3
