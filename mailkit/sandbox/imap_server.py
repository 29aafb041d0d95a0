"""The sandbox's imap.gmail.com:993: enough IMAP4rev1 for sign-in checks and reading the test mail.

Sign-in replies are Gmail's, word for word (GMAIL_FACTS.md). After sign-in an account sees
INBOX (the sandbox messages addressed to it), `[Gmail]/Sent Mail` (those it sent) and
`[Gmail]/All Mail`, read-only apart from a per-session \\Seen flag. Python's `imaplib` works
against it; so do ordinary clients that stick to the advertised capabilities.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import ssl

from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.imap_fetch import fetch_items, search
from mailkit.sandbox.imap_syntax import parse_sequence, quote, tokenize
from mailkit.sandbox.listener import Listener
from mailkit.sandbox.mailstore import MailBackend, ReceivedMessage
from mailkit.sandbox.signin import (
    BEARER_MECHANISMS,
    Outcome,
    bearer_sign_in,
    check_password,
    decode_b64,
    find_account,
    imap_session_id,
    parse_plain,
    web_login_url,
)

AUTH_CAPS = "AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER AUTH=XOAUTH"
BASE_CAPS = "IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN"
PRE_AUTH_CAPABILITY = f"{BASE_CAPS} SASL-IR {AUTH_CAPS}"
FLAGS = r"\Answered \Flagged \Draft \Deleted \Seen $NotPhishing $Phishing"
MAILBOXES = {
    "INBOX": r"\HasNoChildren",
    "[Gmail]": r"\HasChildren \Noselect",
    "[Gmail]/All Mail": r"\All \HasNoChildren",
    "[Gmail]/Sent Mail": r"\HasNoChildren \Sent",
}
_LITERAL = re.compile(r"\{(\d+)(\+?)\}$")
_MAX_LITERAL = 1 << 20
_FAILED = "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"
#: The state each command needs (RFC 3501 section 3); commands not listed work in any state.
_NEEDS = {
    "login": "noauth", "authenticate": "noauth",
    "select": "auth", "examine": "auth", "list": "auth", "xlist": "auth", "status": "auth", "namespace": "auth",
    "getquotaroot": "auth", "idle": "auth",
    "close": "selected", "unselect": "selected", "expunge": "selected", "search": "selected", "fetch": "selected",
    "uid": "selected",
}


class _Logout(Exception):
    """The session is over."""


class ImapSession:
    """One client connection."""

    def __init__(self, backend: MailBackend, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.backend, self.reader, self.writer = backend, reader, writer
        self.sid = imap_session_id()
        self.account: SandboxAccount | None = None
        self.selected: str | None = None
        self.readonly = False
        self.seen: set[int] = set()
        self.known_count = 0

    async def run(self) -> None:
        peer = self.writer.get_extra_info("peername") or ("127.0.0.1", 0)
        with contextlib.suppress(_Logout, ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            await self.backend.faults.at("greeting")
            await self.send(self.greeting(peer[0]))
            while True:
                line = await self.read_command()
                if line is None:
                    break
                await self.dispatch(line)
        self.writer.close()

    def greeting(self, peer: str) -> str:
        return f"* OK Gimap ready for requests from {peer} {self.sid}"

    def password_outcome(self, account: SandboxAccount | None, secret: str) -> Outcome:
        """What the provider makes of LOGIN / AUTHENTICATE PLAIN (Gmail's rules here)."""
        return check_password(account, secret, self.backend.grants)

    # --- wire ---------------------------------------------------------------------------

    async def send(self, *lines: str | bytes) -> None:
        """One reply (possibly several lines), after the latency fault."""
        await self.backend.faults.before_reply()
        for line in lines:
            self.writer.write((line.encode("utf-8") if isinstance(line, str) else line) + b"\r\n")
        await self.writer.drain()

    async def read_command(self) -> str | None:
        """One command line, with `{n}` literals folded in as quoted strings."""
        parts: list[str] = []
        while True:
            raw = await self.reader.readline()
            if not raw:
                return None
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            match = _LITERAL.search(text)
            if match is None:
                return "".join(parts) + text
            if int(match.group(1)) > _MAX_LITERAL:
                await self.send("* BYE [ALERT] Literal too large (Failure)")
                raise _Logout
            parts.append(text[: match.start()])
            if not match.group(2):
                await self.send("+ go ahead")
            literal = await self.reader.readexactly(int(match.group(1)))
            parts.append(quote(literal.decode("utf-8", "replace")))

    async def read_sasl(self) -> bytes | None:
        """Send an empty `+` continuation, read the base64 answer; None when aborted or undecodable."""
        await self.send("+ ")
        line = (await self.reader.readline()).strip()
        return None if line == b"*" else decode_b64(line)

    # --- commands -----------------------------------------------------------------------

    async def dispatch(self, line: str) -> None:
        tag, _, rest = line.partition(" ")
        name, _, args = rest.partition(" ")
        if not tag or not name:
            await self.send("* BAD Invalid tag")
            return
        handler = getattr(self, f"cmd_{name.lower()}", None)
        if handler is None:
            await self.send(f"{tag} BAD Unknown command {self.sid}")
            return
        needs = _NEEDS.get(name.lower(), "any")
        if (needs == "auth" and self.account is None) or (needs == "noauth" and self.account is not None) or (
                needs == "selected" and self.selected is None):
            await self.send(f"{tag} BAD Command received in Invalid state.")
            return
        await handler(tag, args.strip())

    async def cmd_capability(self, tag: str, args: str) -> None:
        caps = BASE_CAPS if self.account else PRE_AUTH_CAPABILITY
        await self.send(f"* CAPABILITY {caps}", f"{tag} OK Thats all she wrote! {self.sid}")

    async def cmd_noop(self, tag: str, args: str) -> None:
        await self.send(*self._new_mail(), f"{tag} OK Success")

    cmd_check = cmd_noop

    async def cmd_logout(self, tag: str, args: str) -> None:
        await self.send("* BYE LOGOUT Requested", f"{tag} OK 73 good day (Success)")
        raise _Logout

    async def cmd_id(self, tag: str, args: str) -> None:
        await self.send('* ID ("name" "GImap" "vendor" "Google, Inc." "support-url" "https://support.google.com/mail")',
                        f"{tag} OK Success")

    async def cmd_xyzzy(self, tag: str, args: str) -> None:
        await self.send("* OK Nothing happens.", f"{tag} OK Success")

    # --- sign-in ------------------------------------------------------------------------

    async def cmd_login(self, tag: str, args: str) -> None:
        words = tokenize(args)
        if len(words) != 2:
            await self.send(f"{tag} BAD Could not parse command")
            return
        account = find_account(self.backend.accounts, words[0])
        await self._signed_in(tag, account, self.password_outcome(account, words[1]))

    async def cmd_authenticate(self, tag: str, args: str) -> None:
        words = tokenize(args)
        mechanism = words[0].upper() if words else ""
        initial = words[1] if len(words) > 1 else None
        if mechanism not in {m.split("=", 1)[1] for m in AUTH_CAPS.split()}:
            await self.send(f"{tag} NO Unsupported AUTHENTICATE mechanism. (Failure)")
            return
        decoded = (decode_b64(b"" if initial == "=" else initial.encode()) if initial is not None
                   else await self.read_sasl())
        if decoded is None:
            await self.send(f"{tag} BAD Invalid SASL argument. (Failure)")
            return
        if mechanism == "PLAIN":
            parsed = parse_plain(decoded)
            account = find_account(self.backend.accounts, parsed[0]) if parsed else None
            outcome = self.password_outcome(account, parsed[1]) if parsed else Outcome.BAD_CREDENTIALS
        elif mechanism in BEARER_MECHANISMS:
            account, outcome = await self._bearer(mechanism, decoded)
        else:  # PLAIN-CLIENTTOKEN, XOAUTH: advertised as Gmail does, no such tokens here
            account, outcome = None, Outcome.BAD_CREDENTIALS
        await self._signed_in(tag, account, outcome)

    async def _bearer(self, mechanism: str, decoded: bytes) -> tuple[SandboxAccount | None, Outcome]:
        """XOAUTH2 / OAUTHBEARER; a refused token gets `+ <base64 JSON>`, an empty answer, then NO."""
        account, outcome = bearer_sign_in(self.backend.accounts, self.backend.grants, mechanism, decoded)
        if outcome is Outcome.BAD_TOKEN:
            await self.send("+ " + base64.b64encode(BEARER_MECHANISMS[mechanism][1]).decode())
            await self.reader.readline()
        return account, outcome

    async def _signed_in(self, tag: str, account: SandboxAccount | None, outcome: Outcome) -> None:
        await self.backend.faults.at("auth")
        if outcome is Outcome.OK and account is not None:
            self.account = account
            await self.send(f"* CAPABILITY {BASE_CAPS}", f"{tag} OK {account.email} authenticated (Success)")
        elif outcome is Outcome.APP_PASSWORD_REQUIRED:
            await self.send(f"{tag} NO [ALERT] Application-specific password required: "
                            "https://support.google.com/accounts/answer/185833 (Failure)")
        elif outcome is Outcome.WEB_LOGIN_REQUIRED:
            await self.send(f"* NO [WEBALERT {web_login_url()}] Web login required.",
                            f"{tag} NO [ALERT] Please log in via your web browser: "
                            "https://support.google.com/mail/accounts/answer/78754 (Failure)")
        elif outcome is Outcome.THROTTLED:
            await self.send(f"{tag} NO [ALERT] Too many login attempts, please try again later. (Failure)")
        else:
            await self.send(f"{tag} {_FAILED}")

    # --- mailboxes ------------------------------------------------------------------------

    def _messages(self, mailbox: str | None) -> list[ReceivedMessage]:
        """The messages of a mailbox, oldest first; a message's UID is its position + 1."""
        email = self.account.email.lower() if self.account else ""
        if mailbox == "INBOX":
            return self.backend.store.inbox(email)
        if mailbox == "[Gmail]/Sent Mail":
            return [m for m in list(self.backend.store.messages) if m.account == email]
        if mailbox == "[Gmail]/All Mail":
            inbox = {id(m) for m in self.backend.store.inbox(email)}
            return [m for m in list(self.backend.store.messages) if m.account == email or id(m) in inbox]
        return []

    @staticmethod
    def _mailbox_name(word: str) -> str | None:
        name = "INBOX" if word.upper() == "INBOX" else word
        return name if name in MAILBOXES and "Noselect" not in MAILBOXES[name] else None

    async def cmd_select(self, tag: str, args: str, readonly: bool = False) -> None:
        words = tokenize(args)
        name = self._mailbox_name(words[0]) if words else None
        await self.backend.faults.at("select")
        if name is None:
            self.selected = None
            await self.send(f"{tag} NO [NONEXISTENT] Unknown Mailbox: {words[0] if words else ''} "
                            "(now in authenticated state) (Failure)")
            return
        self.selected, self.readonly, self.seen = name, readonly, set()
        count = self.known_count = len(self._messages(name))
        permanent = "()" if readonly else f"({FLAGS} \\*)"
        await self.send(f"* FLAGS ({FLAGS})", f"* OK [PERMANENTFLAGS {permanent}] Flags permitted.",
                        f"* OK [UIDVALIDITY {self.backend.store.uid_validity}] UIDs valid.",
                        f"* {count} EXISTS", "* 0 RECENT", f"* OK [UIDNEXT {count + 1}] Predicted next UID.",
                        f"* OK [HIGHESTMODSEQ {count + 1}]",
                        f"{tag} OK [{'READ-ONLY' if readonly else 'READ-WRITE'}] {name} selected. (Success)")

    async def cmd_examine(self, tag: str, args: str) -> None:
        await self.cmd_select(tag, args, readonly=True)

    async def cmd_list(self, tag: str, args: str, verb: str = "LIST") -> None:
        words = tokenize(args)
        if len(words) != 2:
            await self.send(f"{tag} BAD Could not parse command")
            return
        pattern = re.escape(words[0] + words[1]).replace(r"\*", ".*").replace("%", "[^/]*")
        lines = [f'* {verb} ({attrs}) "/" {quote(name)}' for name, attrs in MAILBOXES.items()
                 if re.fullmatch(pattern, name, re.IGNORECASE)]
        await self.send(*lines, f"{tag} OK Success")

    async def cmd_xlist(self, tag: str, args: str) -> None:
        await self.cmd_list(tag, args, verb="XLIST")

    async def cmd_status(self, tag: str, args: str) -> None:
        words = tokenize(args)
        name = self._mailbox_name(words[0]) if words else None
        if name is None:
            await self.send(f"{tag} NO [NONEXISTENT] Unknown Mailbox: {words[0] if words else ''} (Failure)")
            return
        count = len(self._messages(name))
        await self.send(f"* STATUS {quote(name)} (MESSAGES {count} RECENT 0 UIDNEXT {count + 1} "
                        f"UIDVALIDITY {self.backend.store.uid_validity} UNSEEN {count})", f"{tag} OK Success")

    async def cmd_namespace(self, tag: str, args: str) -> None:
        await self.send('* NAMESPACE (("" "/")) NIL NIL', f"{tag} OK Success")

    async def cmd_getquotaroot(self, tag: str, args: str) -> None:
        words = tokenize(args)
        await self.send(f'* QUOTAROOT {quote(words[0] if words else "INBOX")} ""',
                        '* QUOTA "" (STORAGE 0 15728640)', f"{tag} OK Success")

    async def cmd_close(self, tag: str, args: str) -> None:
        self.selected = None
        await self.send(f"{tag} OK Returned to authenticated state. (Success)")

    cmd_unselect = cmd_close

    async def cmd_expunge(self, tag: str, args: str) -> None:
        await self.send(f"{tag} OK Success")

    async def cmd_idle(self, tag: str, args: str) -> None:
        """Wait for DONE, announcing new mail while waiting."""
        await self.send("+ idling")
        while True:
            try:
                line = await asyncio.wait_for(self.reader.readline(), timeout=0.5)
            except TimeoutError:
                if news := self._new_mail():
                    await self.send(*news)
                continue
            if not line or line.strip().upper() == b"DONE":
                break
        await self.send(f"{tag} OK IDLE terminated (Success)")

    def _new_mail(self) -> list[str]:
        if self.selected is None:
            return []
        count = len(self._messages(self.selected))
        if count == self.known_count:
            return []
        self.known_count = count
        return [f"* {count} EXISTS"]

    # --- reading ------------------------------------------------------------------------

    async def cmd_search(self, tag: str, args: str) -> None:
        """UIDs equal sequence numbers here, so UID SEARCH answers the same."""
        messages = self._messages(self.selected)
        found = search(tokenize(args), messages, self.seen)
        if found is None:
            await self.send(f"{tag} BAD Could not parse command")
            return
        await self.send("* SEARCH" + "".join(f" {n}" for n in found), f"{tag} OK SEARCH completed (Success)")

    async def cmd_fetch(self, tag: str, args: str, by_uid: bool = False) -> None:
        messages = self._messages(self.selected)
        words = tokenize(args)
        numbers = parse_sequence(words[0], len(messages)) if len(words) == 2 else None
        if numbers is None:
            await self.send(f"{tag} BAD Could not parse command")
            return
        lines: list[bytes] = []
        for number in numbers:
            body = fetch_items(words[1], messages[number - 1], number, self.seen, by_uid, self.readonly)
            if body is None:
                await self.send(f"{tag} BAD Could not parse command")
                return
            lines.append(f"* {number} FETCH (".encode() + body + b")")
        await self.send(*lines, f"{tag} OK Success")

    async def cmd_uid(self, tag: str, args: str) -> None:
        """UIDs equal sequence numbers here: the sandbox never expunges."""
        verb, _, rest = args.partition(" ")
        if verb.upper() == "FETCH":
            await self.cmd_fetch(tag, rest.strip(), by_uid=True)
        elif verb.upper() == "SEARCH":
            await self.cmd_search(tag, rest.strip())
        else:
            await self.send(f"{tag} BAD Could not parse command")


class ImapServer:
    """The IMAP listener of one sandbox (implicit TLS, 993-style)."""

    def __init__(self, backend: MailBackend, ssl_context: ssl.SSLContext,
                 session_class: type[ImapSession] = ImapSession):
        self.backend = backend
        self.session_class = session_class
        self._tasks: set[asyncio.Task] = set()
        self.listener = Listener(self._protocol, faults=backend.faults, ssl_context=ssl_context)

    def _protocol(self) -> asyncio.StreamReaderProtocol:
        return asyncio.StreamReaderProtocol(asyncio.StreamReader(limit=1 << 16), self._serve)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self.session_class(self.backend, reader, writer).run()
        except asyncio.CancelledError:  # stop() ends sessions; the connection's task ends quietly
            writer.transport.abort()
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]

    async def start(self, host: str = "127.0.0.1") -> tuple[str, int]:
        return await self.listener.start(host, 0)

    async def stop(self) -> None:
        await self.listener.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


__all__ = ["ImapServer", "ImapSession"]
