"""The SQLite schema and its migrations, from the first release on.

`PRAGMA user_version` holds the schema version. Each migration is a list of statements; the
pending ones run in one transaction; a database newer than this mailkit is refused rather than touched.
"""

from __future__ import annotations

import re
import sqlite3
import time

from mailkit.errors import UsageError
from mailkit.files import create_private

MIGRATIONS: list[list[str]] = [
    # 1: inventory, non-secret facts about secrets, OAuth grants, 2SV, audit runs and results
    [
        """CREATE TABLE companies (
            slug TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            tax_id TEXT,
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        """CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            company_slug TEXT NOT NULL REFERENCES companies(slug) ON UPDATE CASCADE ON DELETE RESTRICT,
            display_name TEXT NOT NULL DEFAULT '',
            provider TEXT NOT NULL,
            auth TEXT NOT NULL CHECK (auth IN ('oauth2', 'app_password', 'password')),
            smtp_host TEXT NOT NULL,
            smtp_port INTEGER NOT NULL,
            security TEXT NOT NULL CHECK (security IN ('starttls', 'ssl', 'none')),
            imap_host TEXT NOT NULL DEFAULT '',
            imap_port INTEGER NOT NULL DEFAULT 993,
            login TEXT,
            from_addresses TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX accounts_company ON accounts(company_slug)",
        """CREATE TABLE secret_facts (
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            set_at TEXT NOT NULL,
            verified_at TEXT,
            PRIMARY KEY (account_id, kind))""",
        """CREATE TABLE oauth_grants (
            account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
            client_fingerprint TEXT NOT NULL,
            authorized_email TEXT,
            scopes TEXT NOT NULL DEFAULT '',
            obtained_at TEXT NOT NULL,
            last_refresh_at TEXT,
            access_expires_at TEXT,
            status TEXT NOT NULL DEFAULT 'ok')""",
        """CREATE TABLE twostep (
            account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
            state TEXT NOT NULL CHECK (state IN ('on', 'off', 'unknown')),
            enforced INTEGER,
            source TEXT NOT NULL,
            checked_at TEXT NOT NULL,
            confirmed_by TEXT,
            detail TEXT NOT NULL DEFAULT '')""",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'audit',
            started_at TEXT NOT NULL,
            finished_at TEXT,
            state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'interrupted')),
            selection TEXT NOT NULL DEFAULT '{}',
            options TEXT NOT NULL DEFAULT '{}',
            total INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE results (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            step TEXT NOT NULL DEFAULT '',
            reply_code INTEGER,
            reply TEXT NOT NULL DEFAULT '',
            attempts INTEGER NOT NULL DEFAULT 1,
            duration_ms INTEGER NOT NULL DEFAULT 0,
            checked_at TEXT NOT NULL,
            sent_message_id TEXT,
            PRIMARY KEY (run_id, account_id))""",
        "CREATE INDEX results_account ON results(account_id, checked_at)",
    ],
    # 2: Workspace admins whose own OAuth consent reads the Directory (2SV), one per domain; the token is in keyring
    [
        """CREATE TABLE directory_grants (
            domain TEXT PRIMARY KEY COLLATE NOCASE,
            admin_email TEXT NOT NULL COLLATE NOCASE,
            client_fingerprint TEXT NOT NULL,
            scopes TEXT NOT NULL DEFAULT '',
            obtained_at TEXT NOT NULL,
            last_refresh_at TEXT,
            access_expires_at TEXT,
            status TEXT NOT NULL DEFAULT 'ok')""",
    ],
    # 3: IMAP's TLS mode is said, not guessed from the port. Google and Microsoft imply implicit TLS; custom
    # servers keep what the port used to imply, so a check that worked goes on working.
    [
        "ALTER TABLE accounts ADD COLUMN imap_security TEXT NOT NULL DEFAULT ''",
        "UPDATE accounts SET imap_security = 'ssl' WHERE provider IN ('gmail', 'workspace', 'microsoft365')",
        "UPDATE accounts SET imap_security = CASE imap_port WHEN 143 THEN 'starttls' ELSE 'ssl' END "
        "WHERE provider NOT IN ('gmail', 'workspace', 'microsoft365') AND imap_host != ''",
    ],
    # 4: the admin's explicit consent (--allow-insecure) to a Google/Microsoft account sending its password
    #    without TLS or to a host outside the provider's
    [
        "ALTER TABLE accounts ADD COLUMN allow_insecure INTEGER NOT NULL DEFAULT 0",
    ],
    # 5: an extra CA file per account (a company's own CA); which TLS failure a tls_error result was
    [
        "ALTER TABLE accounts ADD COLUMN ca_file TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE results ADD COLUMN tls_kind TEXT NOT NULL DEFAULT ''",
    ],
    # 6: when a grant's refresh token ends (Google's `refresh_token_expires_in`, or 7 days after a consent given to
    #    a client in Testing) and whether its client was in Testing then: what the health forecast reads
    [
        "ALTER TABLE oauth_grants ADD COLUMN refresh_expires_at TEXT",
        "ALTER TABLE oauth_grants ADD COLUMN client_testing INTEGER",
    ],
    # 7: Google Workspace, from the Directory: the last listing of each user's app passwords (names, ids and times;
    #    never a password) and every app password or third-party token revoked through mailkit (who, what, when,
    #    as which admin)
    [
        """CREATE TABLE workspace_asp_users (
            email TEXT PRIMARY KEY COLLATE NOCASE,
            domain TEXT NOT NULL COLLATE NOCASE,
            listed_at TEXT NOT NULL,
            admin TEXT NOT NULL DEFAULT '')""",
        """CREATE TABLE workspace_app_passwords (
            email TEXT NOT NULL COLLATE NOCASE REFERENCES workspace_asp_users(email) ON DELETE CASCADE,
            code_id INTEGER NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            created_at TEXT,
            last_used_at TEXT,
            PRIMARY KEY (email, code_id))""",
        """CREATE TABLE workspace_revocations (
            id INTEGER PRIMARY KEY,
            revoked_at TEXT NOT NULL,
            domain TEXT NOT NULL COLLATE NOCASE,
            email TEXT NOT NULL COLLATE NOCASE,
            kind TEXT NOT NULL CHECK (kind IN ('app_password', 'token')),
            item_id TEXT NOT NULL,
            item_name TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL,
            admin TEXT NOT NULL DEFAULT '',
            operator TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX workspace_revocations_email ON workspace_revocations(email, revoked_at)",
    ],
    # 8: Workspace domains connected with domain-wide delegation (their service-account key is in keyring, never
    #    here) with the last check of it, and where each result's access token came from (consent, delegation...)
    [
        """CREATE TABLE workspace_delegations (
            domain TEXT PRIMARY KEY COLLATE NOCASE,
            service_account TEXT NOT NULL,
            client_id TEXT NOT NULL,
            scopes TEXT NOT NULL DEFAULT '',
            admin_email TEXT,
            connected_at TEXT NOT NULL,
            checked_at TEXT,
            checked_mailbox TEXT,
            last_result TEXT NOT NULL DEFAULT '')""",
        "ALTER TABLE results ADD COLUMN token_source TEXT NOT NULL DEFAULT ''",
    ],
    # 9: keyless domain-wide delegation: who has Google sign as the domain's service account (NULL: a key in
    #    keyring signs), and that signer's own consent (its token is in keyring, never here)
    [
        "ALTER TABLE workspace_delegations ADD COLUMN signer TEXT",
        """CREATE TABLE signer_grants (
            email TEXT PRIMARY KEY COLLATE NOCASE,
            client_fingerprint TEXT NOT NULL,
            scopes TEXT NOT NULL DEFAULT '',
            obtained_at TEXT NOT NULL,
            last_refresh_at TEXT,
            access_expires_at TEXT,
            status TEXT NOT NULL DEFAULT 'ok')""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)
_WAL_ATTEMPTS = 100


def connect(path: str) -> sqlite3.Connection:
    """Open the database (created 0600) with WAL and foreign keys, migrated to the current schema.

    A file that is not a mailkit database, is damaged, cannot be written or lacks a table is refused
    with one line naming the file and what to do (UsageError), never a traceback.
    """
    try:
        if path != ":memory:":
            create_private(path)
        conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise UsageError(f"cannot open the workspace database {path}: {exc}; check the folder and its "
                         "permissions") from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        if path != ":memory:":
            _use_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn)
        _check_tables(conn, path)
    except sqlite3.Error as exc:
        conn.close()
        raise UsageError(_describe(path, exc)) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _describe(path: str, exc: sqlite3.Error) -> str:
    """One line for a database that SQLite refused, with the fix."""
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"the workspace database {path} is read-only ({text}): make it and its folder writable"
    if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
        return (f"{path} is not a readable mailkit database ({text}): restore it from a backup, or move it "
                "away and run `mailkit init` to start a new one")
    return f"the workspace database {path} cannot be used ({text}): check the file, its folder and the disk"


def _tables() -> frozenset[str]:
    """The tables the migrations create."""
    return frozenset(re.findall(r"CREATE TABLE (\w+)", " ".join(s for m in MIGRATIONS for s in m)))


def _check_tables(conn: sqlite3.Connection, path: str) -> None:
    """Refuse a database whose schema version says a table exists that is gone (dropped by hand or a tool)."""
    found = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = sorted(_tables() - found)
    if missing:
        raise UsageError(f"the workspace database {path} lacks the table(s) {', '.join(missing)} (edited by "
                         "another tool?): restore it from a backup, or move it away and run `mailkit init`")


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new file to WAL (the mode is stored in the file, later opens find it set).

    Two connections switching a new file at the same moment deadlock on their locks, and SQLite then
    answers one of them "database is locked" at once, without waiting: that one tries again.
    """
    for attempt in range(_WAL_ATTEMPTS):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _WAL_ATTEMPTS - 1:
                raise
            time.sleep(0.05)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to SCHEMA_VERSION; returns the version found before.

    The version is read again under the write lock: another process opening the same new workspace
    at the same moment migrates it once, and this one then finds nothing left to do.
    """
    found = _version(conn)
    if found == SCHEMA_VERSION:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = _version(conn)
        for version in range(found, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found


def _version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the file; a file from a newer mailkit is refused untouched."""
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found < 0:
        raise UsageError(f"the workspace database has schema version {found}, which no mailkit writes (edited by "
                         "another tool?): restore it from a backup, or move it away and run `mailkit init`")
    if found > SCHEMA_VERSION:
        raise UsageError(
            f"this workspace was written by a newer mailkit (schema {found}, this one knows {SCHEMA_VERSION}): "
            "upgrade mailkit"
        )
    return found
