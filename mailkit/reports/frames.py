"""Reports as pandas DataFrames: every account's latest state, a roll-up per company, the run history.

The frames are built straight from SQLite in a few queries (the latest result per account is one
window-function pass over the indexed `results` table), so they stay quick with years of history.
Nothing here reads keyring: the database holds no secret, and replies were redacted when stored.
Column names are English (stable for code) unless a `lang` is given: then headers, causes and
remedies speak that language. `style()` colours a frame by severity for notebooks; exports and
plots live in `mailkit.reports.files` and `mailkit.reports.plots`.

    from mailkit.reports import frames as reports
    reports.status(lang="es")            # DataFrame, Spanish headers and remedies
    reports.style(reports.by_company())  # pandas Styler for Jupyter
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache

import pandas as pd

from mailkit.checks.tls import EXPIRED, HOSTNAME_MISMATCH, UNTRUSTED_ISSUER, WRONG_MODE
from mailkit.diagnose import Diagnosis, classify_reply, diagnosis_for, render, spoken_provider, texts_for
from mailkit.google_workspace.report_column import app_passwords_column
from mailkit.i18n import DEFAULT_LANG, LANGS, N_, gettext, normalize_lang, pgettext, resolve_lang
from mailkit.oauth.client_labels import grant_client_labels
from mailkit.schema import connect
from mailkit.status import SEVERITY, Status
from mailkit.workspace import Workspace

STATUS_COLUMNS = ["company", "company_name", "email", "provider", "auth", "token_source", "status", "severity",
                  "cause", "remedy", "step", "reply_code", "reply", "tls_kind", "two_step", "oauth_scopes",
                  "oauth_expires", "oauth_client", "app_password_age_days", "app_passwords", "last_ok", "last_check",
                  "run_id"]
RUN_COLUMNS = ["run_id", "kind", "state", "started_at", "finished_at", "send_test", "total", "checked", "ok",
               "broken"]
RESULT_COLUMNS = ["run_id", "checked_at", "company", "email", "status", "severity", "step", "reply_code", "reply",
                  "tls_kind", "attempts", "duration_ms", "message_id"]
STATUS_ORDER = [s.value for s in Status]

def _header_names(lang: str) -> dict[str, str]:
    """Each column's header in `lang` (msgctxt "column": short words such as "state" or "ok" mean a column here)."""
    return {
        "company": pgettext(lang, "column", "company"),
        "company_name": pgettext(lang, "column", "company_name"),
        "email": pgettext(lang, "column", "email"),
        "provider": pgettext(lang, "column", "provider"),
        "auth": pgettext(lang, "column", "auth"),
        "token_source": pgettext(lang, "column", "token_source"),
        "status": pgettext(lang, "column", "status"),
        "severity": pgettext(lang, "column", "severity"),
        "cause": pgettext(lang, "column", "cause"),
        "remedy": pgettext(lang, "column", "remedy"),
        "step": pgettext(lang, "column", "step"),
        "reply_code": pgettext(lang, "column", "reply_code"),
        "reply": pgettext(lang, "column", "reply"),
        "tls_kind": pgettext(lang, "column", "tls_kind"),
        "two_step": pgettext(lang, "column", "two_step"),
        "oauth_scopes": pgettext(lang, "column", "oauth_scopes"),
        "oauth_expires": pgettext(lang, "column", "oauth_expires"),
        "oauth_client": pgettext(lang, "column", "oauth_client"),
        "app_password_age_days": pgettext(lang, "column", "app_password_age_days"),
        "app_passwords": pgettext(lang, "column", "app_passwords"),
        "last_ok": pgettext(lang, "column", "last_ok"),
        "last_check": pgettext(lang, "column", "last_check"),
        "run_id": pgettext(lang, "column", "run_id"),
        "accounts": pgettext(lang, "column", "accounts"),
        "broken": pgettext(lang, "column", "broken"),
        "not_checked": pgettext(lang, "column", "not_checked"),
        "health": pgettext(lang, "column", "health"),
        "kind": pgettext(lang, "column", "kind"),
        "state": pgettext(lang, "column", "state"),
        "started_at": pgettext(lang, "column", "started_at"),
        "finished_at": pgettext(lang, "column", "finished_at"),
        "send_test": pgettext(lang, "column", "send_test"),
        "total": pgettext(lang, "column", "total"),
        "checked": pgettext(lang, "column", "checked"),
        "ok": pgettext(lang, "column", "ok"),
        "checked_at": pgettext(lang, "column", "checked_at"),
        "attempts": pgettext(lang, "column", "attempts"),
        "duration_ms": pgettext(lang, "column", "duration_ms"),
        "message_id": pgettext(lang, "column", "message_id"),
        "readiness": pgettext(lang, "column", "readiness"),
        "will_break": pgettext(lang, "column", "will_break"),
        "deadline": pgettext(lang, "column", "deadline"),
        "days_left": pgettext(lang, "column", "days_left"),
        "action": pgettext(lang, "column", "action"),
    }


#: Header names per language (English ones are the column names themselves).
HEADERS: dict[str, dict[str, str]] = {lang: _header_names(lang) for lang in LANGS if lang != DEFAULT_LANG}

NOT_CHECKED = (N_("not checked yet"), N_("run `mailkit audit`"))

_STATUS_SQL = """
WITH latest AS (
    SELECT run_id, account_id, status, step, reply_code, reply, tls_kind, token_source, checked_at,
           ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY checked_at DESC, run_id DESC) AS n
    FROM results),
last_ok AS (SELECT account_id, MAX(checked_at) AS last_ok FROM results WHERE status = 'ok' GROUP BY account_id)
SELECT a.company_slug AS company, c.name AS company_name, a.email, a.provider, a.auth,
       COALESCE(l.status, CASE a.provider WHEN 'undetected' THEN 'provider_not_detected' END) AS status,
       l.step, l.reply_code, l.reply, l.tls_kind, l.token_source, t.state AS two_step, t.enforced AS two_step_enforced,
       g.scopes AS oauth_scopes, g.access_expires_at AS oauth_expires,
       g.client_fingerprint AS oauth_client, s.set_at AS app_password_set_at,
       o.last_ok, l.checked_at AS last_check, l.run_id
FROM accounts a
JOIN companies c ON c.slug = a.company_slug
LEFT JOIN latest l ON l.account_id = a.id AND l.n = 1
LEFT JOIN last_ok o ON o.account_id = a.id
LEFT JOIN twostep t ON t.account_id = a.id
LEFT JOIN oauth_grants g ON g.account_id = a.id
LEFT JOIN secret_facts s ON s.account_id = a.id AND s.kind = 'app_password'
{where}
ORDER BY a.company_slug, a.email
"""

_RUNS_SQL = """
SELECT r.id AS run_id, r.kind, r.state, r.started_at, r.finished_at, r.options, r.total,
       COUNT(x.account_id) AS checked, COALESCE(SUM(x.status = 'ok'), 0) AS ok,
       COALESCE(SUM(x.status != 'ok'), 0) AS broken
FROM runs r LEFT JOIN (SELECT y.* FROM results y JOIN accounts b ON b.id = y.account_id {where}) x
     ON x.run_id = r.id
GROUP BY r.id {having} ORDER BY r.id
"""

_RESULTS_SQL = """
SELECT x.run_id, x.checked_at, a.company_slug AS company, a.email, x.status, x.step, x.reply_code, x.reply,
       x.tls_kind, x.attempts, x.duration_ms, x.sent_message_id AS message_id
FROM results x JOIN accounts a ON a.id = x.account_id
{where}
ORDER BY x.run_id, x.checked_at
"""


@contextmanager
def _database(workspace: Workspace | None) -> Iterator[sqlite3.Connection]:
    conn = connect(str((workspace or Workspace()).ensure().db_path))
    try:
        yield conn
    finally:
        conn.close()


# --- the views -----------------------------------------------------------------------------
def status(workspace: Workspace | None = None, *, lang: str | None = None, company: str | None = None) -> pd.DataFrame:
    """Latest state of every account: status with cause and remedy, 2SV, OAuth grant or app-password age,
    last ok and last check. Never-checked accounts have an empty status."""
    text_lang = resolve_lang(lang)
    with _database(workspace) as conn:
        where, args = ("WHERE a.company_slug = ?", [company]) if company else ("", [])
        frame = pd.read_sql_query(_STATUS_SQL.format(where=where), conn, params=args)
        frame["app_passwords"] = app_passwords_column(conn, frame["email"], frame["provider"], text_lang)
    frame["reply_code"] = frame["reply_code"].astype("Int64")
    frame["run_id"] = frame["run_id"].astype("Int64")
    frame["severity"] = [SEVERITY[Status(s)] if isinstance(s, str) else "" for s in frame["status"]]
    causes, remedies = zip(*(_texts(row, text_lang) for row in frame.itertuples(index=False)), strict=True) \
        if len(frame) else ((), ())
    frame["cause"], frame["remedy"] = list(causes), list(remedies)
    frame["two_step"] = [_two_step(state, enforced) for state, enforced in
                         zip(frame["two_step"], frame["two_step_enforced"], strict=True)]
    now = datetime.now(UTC)
    set_at = _times(frame["app_password_set_at"])
    frame["app_password_age_days"] = ((now - set_at).dt.days).astype("Int64")
    for column in ("oauth_expires", "last_ok", "last_check"):
        frame[column] = _times(frame[column])
    frame["oauth_client"] = grant_client_labels(workspace or Workspace(), frame, text_lang)
    frame["status"] = frame["status"].fillna("")
    source_lang = text_lang if lang else DEFAULT_LANG
    frame["token_source"] = [_token_source(value, source_lang) for value in frame["token_source"]]
    frame = frame[STATUS_COLUMNS].fillna({"step": "", "reply": "", "tls_kind": "", "oauth_scopes": "",
                                          "oauth_client": "", "two_step": ""})
    return localize(frame, lang)


def by_company(workspace: Workspace | None = None, *, lang: str | None = None,
               frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per company: accounts, a count per status (contract strings), broken, not checked, and health =
    share of accounts whose latest status is ok. `frame`: a `status()` frame with English headers."""
    latest = frame if frame is not None else status(workspace, lang="en")
    if latest.empty:
        return localize(pd.DataFrame(columns=["company", "company_name", "accounts", "broken", "not_checked",
                                              "health"]), lang)
    groups = latest.groupby("company", sort=True)
    table = pd.DataFrame({"company_name": groups["company_name"].first(), "accounts": groups.size()})
    counts = pd.crosstab(latest["company"], latest["status"])
    present = [s for s in STATUS_ORDER if s in counts.columns]
    table = table.join(counts[present])
    ok = counts[Status.OK.value] if Status.OK.value in counts.columns else 0
    not_checked = counts[""] if "" in counts.columns else 0
    table["broken"] = table["accounts"] - ok - not_checked
    table["not_checked"] = not_checked
    table["health"] = (ok / table["accounts"]).round(3)
    return localize(table.reset_index(), lang)


def history(workspace: Workspace | None = None, *, per_account: bool = False, lang: str | None = None,
            last_runs: int | None = None, company: str | None = None) -> pd.DataFrame:
    """Every audit run with its counts; `per_account=True`: every stored result row (optionally of the
    last N runs only). With `company` (a slug) only that company's results count, and runs without any
    are left out."""
    with _database(workspace) as conn:
        if not per_account:
            where, having = ("WHERE b.company_slug = ?", "HAVING checked > 0") if company else ("", "")
            frame = pd.read_sql_query(_RUNS_SQL.format(where=where, having=having), conn,
                                      params=[company] if company else [])
            frame["send_test"] = [bool(_options(text).get("send_test")) for text in frame.pop("options")]
            for column in ("started_at", "finished_at"):
                frame[column] = _times(frame[column])
            return localize(frame[RUN_COLUMNS], lang)
        clauses, args = [], []
        if last_runs:
            clauses.append("x.run_id IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?)")
            args.append(int(last_runs))
        if company:
            clauses.append("a.company_slug = ?")
            args.append(company)
        where = "WHERE " + " AND ".join(clauses) if clauses else ""
        frame = pd.read_sql_query(_RESULTS_SQL.format(where=where), conn, params=args)
    frame["reply_code"] = frame["reply_code"].astype("Int64")
    frame["severity"] = frame["status"].map(lambda s: SEVERITY[Status(s)])
    frame["checked_at"] = _times(frame["checked_at"])
    frame["message_id"] = frame["message_id"].fillna("")
    return localize(frame[RESULT_COLUMNS], lang)


# --- texts and values ----------------------------------------------------------------------
def _options(text: str | None) -> dict:
    """A run's stored options, read leniently: Python's JSON reader takes the `Infinity` an older mailkit could
    store (SQLite's json functions call it malformed), and anything unreadable is an empty dict, so one odd row
    never stops a report."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _texts(row: tuple, lang: str) -> tuple[str, str]:
    """Cause and remedy of one status row, in `lang`, naming the account where the remedy has a slot."""
    if not isinstance(row.status, str) or not row.status:
        return gettext(lang, NOT_CHECKED[0]), gettext(lang, NOT_CHECKED[1])
    diagnosis = _diagnosis(row.status, row.reply_code if pd.notna(row.reply_code) else None, row.step or "",
                           row.reply or "", row.tls_kind if isinstance(row.tls_kind, str) else "")
    provider = spoken_provider(diagnosis.raw) or row.provider
    if diagnosis.detail:
        kind = row.tls_kind if isinstance(row.tls_kind, str) else ""
        cause = diagnosis.cause(lang, detail=_kind_words(kind, diagnosis.detail, lang), provider=provider)
    else:
        cause = _cause(diagnosis.status, diagnosis.variant, lang, provider)
    return cause, diagnosis.remedy(lang, email=row.email, company=row.company_name, provider=row.provider)


@lru_cache(maxsize=4096)
def _diagnosis(status_value: str, code: int | None, step: str, reply: str, tls_kind: str = "") -> Diagnosis:
    """The stored status with the variant its reply (or its TLS kind) implies (e.g. message_rejected:size,
    tls_error:wrong_mode)."""
    status_ = Status(status_value)
    if status_ is Status.TLS_ERROR and (tls_kind == WRONG_MODE or tls_kind in _CERTIFICATE_KINDS):
        variant = WRONG_MODE if tls_kind == WRONG_MODE else "certificate"
        return diagnosis_for(status_, raw=reply, step=step, variant=variant,
                             detail=_CERTIFICATE_KINDS.get(tls_kind, ""))
    if code is not None and reply:
        found = classify_reply(int(code), reply, step=step)
        if found.status is status_:
            return found
    return diagnosis_for(status_, raw=reply, step=step)


#: How a stored certificate kind is named in the cause ("... could not be verified: hostname mismatch").
_CERTIFICATE_KINDS = {UNTRUSTED_ISSUER: N_("issuer not trusted"), HOSTNAME_MISMATCH: N_("hostname mismatch"),
                      EXPIRED: N_("certificate expired")}


def _kind_words(kind: str, detail: str, lang: str) -> str:
    """The certificate problem named in `lang` (the stored detail when the kind is not one mailkit names)."""
    return gettext(lang, _CERTIFICATE_KINDS[kind]) if kind in _CERTIFICATE_KINDS else detail


@lru_cache(maxsize=512)
def _cause(status_: Status, variant: str, lang: str, provider: object = None) -> str:
    entry = texts_for(status_.value, variant, provider if isinstance(provider, str) else None)
    return render(entry[lang][0], {})


#: Where an account's access token came from, as the report words it (the stored value is the English word):
#: a user's consent, the Workspace domain's delegation to a service account, or a Microsoft sign-in.
TOKEN_SOURCES = {"consent": N_("consent"), "delegation": N_("delegation"), "microsoft": N_("Microsoft sign-in")}


def _token_source(value: object, lang: str) -> str:
    """The stored token source in `lang` (English when no language is asked for, like the other values)."""
    if not isinstance(value, str) or not value:
        return ""
    return gettext(lang, TOKEN_SOURCES[value]) if value in TOKEN_SOURCES and lang != DEFAULT_LANG else value


def _two_step(state: object, enforced: object) -> str:
    if not isinstance(state, str):
        return ""
    return f"{state} (enforced)" if state == "on" and enforced == 1 else state


def _times(values: pd.Series) -> pd.Series:
    """ISO strings -> timezone-aware UTC timestamps (NaT where empty)."""
    return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")


def localize(frame: pd.DataFrame, lang: str | None) -> pd.DataFrame:
    """The frame with its headers in `lang` (unchanged for English or no language)."""
    names = HEADERS.get(normalize_lang(lang) or "en")
    return frame.rename(columns=names) if names else frame


def english_name(header: str) -> str:
    """The column name behind a localized header (what styling and exports key on)."""
    for names in HEADERS.values():
        for english, local in names.items():
            if local == header:
                return english
    return header


# --- styling -------------------------------------------------------------------------------
#: Cell colours per severity: what an admin reads at a glance (and what the Excel export uses).
SEVERITY_COLORS = {"ok": "#d4edda", "warning": "#fff3cd", "error": "#f8d7da", "": "#eeeeee"}


def severity_css(value: object) -> str:
    """CSS for one status (or severity) cell."""
    severity = SEVERITY.get(Status(value), "") if value in STATUS_ORDER else str(value or "")
    color = SEVERITY_COLORS.get(severity)
    return f"background-color: {color}" if color else ""


def style(frame: pd.DataFrame) -> pd.io.formats.style.Styler:
    """A Styler for notebooks and HTML: status and severity cells coloured, HTML in cells escaped,
    health as a percentage, times without seconds."""
    columns = {english_name(str(c)): c for c in frame.columns}
    styler = frame.style.format(escape="html", na_rep="")
    coloured = [columns[c] for c in ("status", "severity") if c in columns]
    if coloured:
        styler = styler.map(severity_css, subset=coloured)
    if "health" in columns:
        styler = styler.format("{:.0%}", subset=[columns["health"]])
    times = [columns[c] for c in ("last_ok", "last_check", "oauth_expires", "started_at", "finished_at",
                                  "checked_at") if c in columns]
    if times:
        styler = styler.format(lambda t: "" if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M"), subset=times)
    return styler.hide(axis="index")


__all__ = ["HEADERS", "SEVERITY_COLORS", "by_company", "english_name", "history", "localize", "severity_css",
           "status", "style"]
