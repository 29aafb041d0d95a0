"""The sandbox's outlook.office365.com:993: the sandbox's IMAP engine with Exchange Online's words —
its greeting, `OK LOGIN completed.` / `NO LOGIN failed.`, `NO AUTHENTICATE failed.` for a refused
token (no JSON challenge, unlike Gmail), and Microsoft's sign-in rules (`outlook_signin`).
"""

from __future__ import annotations

import base64

from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.imap_server import ImapSession
from mailkit.sandbox.outlook_signin import front_end_name, ms_check_password, ms_check_token
from mailkit.sandbox.signin import Outcome, find_account, parse_xoauth2


class OutlookImapSession(ImapSession):
    """One IMAP connection that talks like Exchange Online."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.server_name = front_end_name()
        self._verb = "LOGIN"

    def greeting(self, peer: str) -> str:
        token = base64.b64encode(self.server_name.split(".")[0].encode()).decode()
        return f"* OK The Microsoft Exchange IMAP4 service is ready. [{token}]"

    def password_outcome(self, account: SandboxAccount | None, secret: str) -> Outcome:
        return ms_check_password(account, secret, "imap")

    async def cmd_login(self, tag: str, args: str) -> None:
        self._verb = "LOGIN"
        await super().cmd_login(tag, args)

    async def cmd_authenticate(self, tag: str, args: str) -> None:
        self._verb = "AUTHENTICATE"
        await super().cmd_authenticate(tag, args)

    async def cmd_id(self, tag: str, args: str) -> None:
        await self.send("* ID NIL", f"{tag} OK ID completed.")

    async def _bearer(self, mechanism: str, decoded: bytes) -> tuple[SandboxAccount | None, Outcome]:
        parsed = parse_xoauth2(decoded) if mechanism == "XOAUTH2" else None
        if parsed is None:
            return None, Outcome.BAD_TOKEN
        account = find_account(self.backend.accounts, parsed[0])
        return account, ms_check_token(account, self.backend.grants, parsed[1], "imap")

    async def _signed_in(self, tag: str, account: SandboxAccount | None, outcome: Outcome) -> None:
        await self.backend.faults.at("auth")
        if outcome is Outcome.OK and account is not None:
            self.account = account
            await self.send(f"{tag} OK {self._verb} completed.")
        else:
            await self.send(f"{tag} NO {self._verb} failed.")


__all__ = ["OutlookImapSession"]
