"""The inventory: companies and their accounts in one SQLite file in the workspace.

Writes are single transactions; a failed write leaves what was stored untouched. Other
modules (OAuth facts, 2SV, audit results) keep their tables in the same file and reach it
through `Inventory.conn`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from mailkit.errors import NotFoundError, UsageError
from mailkit.models import Account, Company, normalize_email, normalize_slug, now_iso
from mailkit.schema import connect
from mailkit.workspace import Workspace

Change = Literal["added", "updated", "unchanged"]


class Inventory:
    """Companies and accounts, with their non-secret facts."""

    def __init__(self, path: str):
        self.path = path
        self.conn = connect(path)

    @classmethod
    def open(cls, workspace: Workspace | None = None) -> Inventory:
        workspace = (workspace or Workspace()).ensure()
        return cls(str(workspace.db_path))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Inventory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error.

        Inside an open transaction it becomes a savepoint, so several upserts (a whole import)
        can share one outer transaction and commit or roll back together.
        """
        if self.conn.in_transaction:
            with self._savepoint():
                yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        self.conn.execute("SAVEPOINT nested")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO nested")
            self.conn.execute("RELEASE nested")
            raise
        self.conn.execute("RELEASE nested")

    # --- companies ---------------------------------------------------------------------
    def upsert_company(self, company: Company) -> Change:
        """Add a company or update its name/tax id/notes; says what happened."""
        company.slug = normalize_slug(company.slug)
        existing = self._company_row(company.slug)
        stamp = now_iso()
        with self.transaction() as tx:
            if existing is None:
                tx.execute("INSERT INTO companies VALUES (?, ?, ?, ?, ?, ?)",
                           (company.slug, company.name.strip(), company.tax_id, company.notes, stamp, stamp))
                return "added"
            new = (company.name.strip(), company.tax_id or existing["tax_id"], company.notes or existing["notes"])
            if new == (existing["name"], existing["tax_id"], existing["notes"]):
                return "unchanged"
            tx.execute("UPDATE companies SET name=?, tax_id=?, notes=?, updated_at=? WHERE slug=?",
                       (*new, stamp, company.slug))
            return "updated"

    def company(self, slug_or_name: str) -> Company:
        """A company by slug or (case-insensitive) name."""
        row = self._company_row(slug_or_name.strip().lower()) or self.conn.execute(
            "SELECT * FROM companies WHERE lower(name) = lower(?)", (slug_or_name.strip(),)).fetchone()
        if row is None:
            raise NotFoundError(f"no company {slug_or_name!r}: add it with `mailkit company add SLUG --name NAME`")
        return Company(**dict(row))

    def companies(self) -> list[Company]:
        return [Company(**dict(r)) for r in self.conn.execute("SELECT * FROM companies ORDER BY slug")]

    def _company_row(self, slug: str) -> sqlite3.Row | None:
        return self.conn.execute("SELECT * FROM companies WHERE slug = ?", (slug,)).fetchone()

    # --- accounts ----------------------------------------------------------------------
    def upsert_account(self, account: Account) -> Change:
        """Add an account or update it in place (its id, secrets and history stay)."""
        existing = self.find_account(account.email)
        if self._company_row(account.company) is None:
            raise NotFoundError(f"{account.email}: company {account.company!r} does not exist; add it first")
        if existing is not None and existing.content() == account.content():
            return "unchanged"
        stamp = now_iso()
        values = _account_values(account)
        with self.transaction() as tx:
            if existing is None:
                tx.execute(f"INSERT INTO accounts ({', '.join(values)}, created_at, updated_at) "
                           f"VALUES ({', '.join('?' * len(values))}, ?, ?)", (*values.values(), stamp, stamp))
                return "added"
            sets = ", ".join(f"{k} = ?" for k in values)
            tx.execute(f"UPDATE accounts SET {sets}, updated_at = ? WHERE email = ?",
                       (*values.values(), stamp, existing.email))
            return "updated"

    def find_account(self, email: str) -> Account | None:
        row = self.conn.execute("SELECT * FROM accounts WHERE email = ?", (email.strip(),)).fetchone()
        return _account_from_row(row) if row else None

    def account(self, email: str) -> Account:
        """An account by email; NotFoundError says how to add it."""
        found = self.find_account(normalize_email(email))
        if found is None:
            raise NotFoundError(f"no account {email!r} in the inventory: add it with `mailkit account add`")
        return found

    def account_id(self, email: str) -> int:
        row = self.conn.execute("SELECT id FROM accounts WHERE email = ?", (email.strip(),)).fetchone()
        if row is None:
            raise NotFoundError(f"no account {email!r} in the inventory")
        return int(row[0])

    def accounts(self, company: str | None = None, emails: list[str] | None = None) -> list[Account]:
        """Accounts ordered by company then email; optionally one company's or a list."""
        sql, args = "SELECT * FROM accounts", []
        if company:
            sql += " WHERE company_slug = ?"
            args.append(self.company(company).slug)
        rows = [_account_from_row(r) for r in self.conn.execute(sql + " ORDER BY company_slug, email", args)]
        if emails is not None:
            wanted = {e.strip().lower() for e in emails}
            rows = [a for a in rows if a.email.lower() in wanted]
        return rows

    def delete_account(self, email: str) -> None:
        account = self.account(email)
        with self.transaction() as tx:
            tx.execute("DELETE FROM accounts WHERE email = ?", (account.email,))

    def move_account(self, email: str, company: str) -> Change:
        """Move an account to another company (slug or name); its id, secrets, grants and history stay with it."""
        account = self.account(email)
        target = self.company(company).slug
        if account.company == target:
            return "unchanged"
        with self.transaction() as tx:
            tx.execute("UPDATE accounts SET company_slug = ?, updated_at = ? WHERE email = ?",
                       (target, now_iso(), account.email))
        return "updated"

    def rename_check(self, email: str, company: str) -> None:
        """Refuse moving an account to another company by accident (an account belongs to one)."""
        existing = self.find_account(email)
        if existing is not None and existing.company != company:
            raise UsageError(f"{email} belongs to {existing.company!r}; move it explicitly with --move")

    # --- non-secret facts about secrets ---------------------------------------------------
    def record_secret_set(self, email: str, kind: str) -> None:
        """Remember when a secret was set (for its age in reports), never the secret."""
        with self.transaction() as tx:
            tx.execute("INSERT INTO secret_facts (account_id, kind, set_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (account_id, kind) DO UPDATE SET set_at = excluded.set_at, verified_at = NULL",
                       (self.account_id(email), kind, now_iso()))

    def record_secret_verified(self, email: str, kind: str) -> None:
        with self.transaction() as tx:
            tx.execute("UPDATE secret_facts SET verified_at = ? WHERE account_id = ? AND kind = ?",
                       (now_iso(), self.account_id(email), kind))

    def forget_secret(self, email: str, kind: str | None = None) -> None:
        sql = "DELETE FROM secret_facts WHERE account_id = ?" + (" AND kind = ?" if kind else "")
        with self.transaction() as tx:
            tx.execute(sql, (self.account_id(email), kind) if kind else (self.account_id(email),))

    def secret_facts(self, email: str) -> dict[str, dict[str, str | None]]:
        rows = self.conn.execute("SELECT kind, set_at, verified_at FROM secret_facts WHERE account_id = ?",
                                 (self.account_id(email),))
        return {r["kind"]: {"set_at": r["set_at"], "verified_at": r["verified_at"]} for r in rows}


def _account_values(account: Account) -> dict[str, object]:
    return {
        "email": account.email, "company_slug": account.company, "display_name": account.display_name,
        "provider": account.provider, "auth": account.auth, "smtp_host": account.smtp_host,
        "smtp_port": account.smtp_port, "security": account.security, "imap_host": account.imap_host,
        "imap_port": account.imap_port, "imap_security": account.imap_security, "login": account.login,
        "from_addresses": json.dumps(account.from_addresses), "tags": json.dumps(account.tags),
        "notes": account.notes, "allow_insecure": int(account.allow_insecure), "ca_file": account.ca_file,
    }


def _account_from_row(row: sqlite3.Row) -> Account:
    data = dict(row)
    data.pop("id")
    data["company"] = data.pop("company_slug")
    data["from_addresses"] = json.loads(data["from_addresses"])
    data["tags"] = json.loads(data["tags"])
    data["allow_insecure"] = bool(data.get("allow_insecure", 0))
    return Account(**data)


__all__ = ["Account", "Change", "Company", "Inventory"]
