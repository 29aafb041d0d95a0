"""The sandbox's HTTPS side: Google's OAuth 2.0 endpoints (consent pages, token, revoke, userinfo,
certs), the Admin SDK Directory users API (with a user's app passwords and tokens) and Microsoft's identity
platform (`ms_identity`), served on 127.0.0.1 from a daemon thread.

The pages a person opens in a browser (Google's chooser and consent, Microsoft's sign-in, consent and
device-code pages, the index) are also served over plain HTTP on 127.0.0.1, which browsers trust as a
secure context without any CA: no certificate warning. Everything a program calls (token, revoke,
userinfo, Directory, discovery) stays on HTTPS only, where mailkit's clients verify the sandbox's CA.

Standard library only for the wire: a ThreadingHTTPServer whose connections are wrapped in TLS in
their own thread (a slow handshake never blocks the accept loop). Endpoints live in
`http_consent`, `http_token`, `directory` and `directory_security`; this module parses requests and routes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from mailkit.errors import UsageError
from mailkit.sandbox import (
    aging,
    directory,
    directory_security,
    gmail_settings,
    http_consent,
    http_token,
    iam,
    ms_identity,
)
from mailkit.sandbox.accounts import SandboxAccount
from mailkit.sandbox.clients import SandboxClient
from mailkit.sandbox.delegation import DelegationTable
from mailkit.sandbox.faults import Faults
from mailkit.sandbox.grants import GrantRegistry
from mailkit.sandbox.http_core import (
    GOOGLE_ISSUER,
    HttpContext,
    Request,
    Response,
    html_response,
    json_response,
)
from mailkit.sandbox.http_keys import SERVICE_ACCOUNT_FILE, RsaKey, ServiceAccount
from mailkit.sandbox.http_pages import index_page
from mailkit.secrets.redaction import redact, remember

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
#: What `mailkit.sandbox.supervisor` asks to tell a live sandbox from a stale sandbox.json.
HEALTH_PATH = "/_sandbox/health"
Endpoint = Callable[[HttpContext, Request], Response]

#: (method, path) -> endpoint. Paths mirror Google's (mailkit.endpoints.SANDBOX_PATHS).
ROUTES: dict[tuple[str, str], Endpoint] = {
    ("GET", "/o/oauth2/auth"): http_consent.authorize,
    ("GET", "/o/oauth2/v2/auth"): http_consent.authorize,
    ("POST", "/o/oauth2/approve"): http_consent.approve,
    ("POST", "/token"): http_token.token,
    ("POST", "/o/oauth2/token"): http_token.token,
    ("POST", "/revoke"): http_token.revoke,
    ("GET", "/revoke"): http_token.revoke,
    ("POST", "/o/oauth2/revoke"): http_token.revoke,
    ("GET", "/v1/userinfo"): http_token.userinfo,
    ("POST", "/v1/userinfo"): http_token.userinfo,
    ("GET", "/oauth2/v3/userinfo"): http_token.userinfo,
    ("GET", "/oauth2/v3/tokeninfo"): http_token.tokeninfo,
    ("POST", "/oauth2/v3/tokeninfo"): http_token.tokeninfo,
    ("GET", "/oauth2/v3/certs"): lambda ctx, req: json_response({"keys": [ctx.id_key.jwk()]}),
    ("GET", "/oauth2/v1/certs"): lambda ctx, req: json_response(
        {ctx.id_key.kid: ctx.id_key.certificate_pem("accounts.google.com")}),
    ("GET", "/.well-known/openid-configuration"): lambda ctx, req: json_response(_openid_configuration(ctx)),
    ("GET", "/"): lambda ctx, req: html_response(index_page(ctx.base_url, ENDPOINTS, ctx.accounts.values())),
    ("GET", HEALTH_PATH): lambda ctx, req: json_response({"pid": os.getpid(), "state_dir": ctx.state_dir}),
    ("POST", aging.AGE_PATH): aging.age_endpoint,
}

#: Google's browser pages, also served over plain HTTP (see the module docstring).
GOOGLE_PAGES = frozenset({("GET", "/"), ("GET", "/o/oauth2/auth"), ("GET", "/o/oauth2/v2/auth"),
                          ("POST", "/o/oauth2/approve")})


def is_page(method: str, path: str) -> bool:
    """Whether a request is for a page a person opens in a browser (served over plain HTTP too)."""
    path = path.rstrip("/") or "/"
    return (method, path) in GOOGLE_PAGES or ms_identity.is_page(method, path)

ENDPOINTS = [
    ("GET", "/o/oauth2/auth", "authorization: account chooser and consent page"),
    ("POST", "/token", "token exchange: authorization_code, refresh_token, jwt-bearer (service account)"),
    ("POST", "/revoke", "revoke a refresh or access token"),
    ("GET", "/v1/userinfo", "the account behind an access token"),
    ("GET", "/oauth2/v3/tokeninfo", "scopes and expiry of an access token"),
    ("GET", "/oauth2/v3/certs", "ID-token signing keys (JWKS); /oauth2/v1/certs as x509"),
    ("GET", directory.USERS_PATH, "Admin SDK Directory users.list (?domain= or ?customer=my_customer)"),
    ("GET", directory.USERS_PATH + "/{userKey}", "Admin SDK Directory users.get"),
    ("GET", directory.USERS_PATH + "/{userKey}/asps", "Admin SDK Directory asps.list (app passwords); DELETE "
     ".../asps/{codeId} revokes one"),
    ("GET", directory.USERS_PATH + "/{userKey}/tokens", "Admin SDK Directory tokens.list (third-party apps); "
     "DELETE .../tokens/{clientId} revokes one"),
    ("GET", gmail_settings.GMAIL_PATH + "/{userId}/settings/sendAs", "Gmail API sendAs.list (the addresses a "
     "mailbox may send as), for the mailbox's own token"),
    ("GET", iam.IAM_PATH + "/projects/-/serviceAccounts/{email}", "IAM serviceAccounts.get, for a Service Account "
     "Token Creator's cloud-platform token"),
    ("POST", iam.CREDENTIALS_PATH + "/projects/-/serviceAccounts/{email}:signBlob", "IAM Credentials signBlob "
     "(and :signJwt): the service account signs for a Token Creator (keyless domain-wide delegation)"),
    ("GET", "/{tenant}/v2.0/.well-known/openid-configuration", "Microsoft: the OpenID discovery msal reads"),
    ("GET", "/{tenant}/oauth2/v2.0/authorize", "Microsoft: account picker and consent page"),
    ("POST", "/{tenant}/oauth2/v2.0/token", "Microsoft: authorization_code, refresh_token, device_code"),
    ("POST", "/{tenant}/oauth2/v2.0/devicecode", "Microsoft: start a device-code sign-in"),
    ("GET", "/devicelogin", "Microsoft: enter a device code"),
]


def _openid_configuration(ctx: HttpContext) -> dict[str, object]:
    base = ctx.base_url
    pages = ctx.pages_url or base  # the browser opens the page that needs no CA
    return {"issuer": GOOGLE_ISSUER, "authorization_endpoint": pages + "/o/oauth2/v2/auth",
            "token_endpoint": base + "/token", "userinfo_endpoint": base + "/v1/userinfo",
            "revocation_endpoint": base + "/revoke", "jwks_uri": base + "/oauth2/v3/certs",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "grant_types_supported": ["authorization_code", "refresh_token", http_token.JWT_BEARER]}


def route(ctx: HttpContext, req: Request) -> Response:
    """The endpoint's response for a request; Google-like 404/405 otherwise."""
    path = req.path.rstrip("/") or "/"
    endpoint = ROUTES.get((req.method, path))
    if endpoint is not None:
        return endpoint(ctx, req)
    if path.startswith(directory.USERS_PATH + "/") and "/" in path[len(directory.USERS_PATH) + 1:]:
        user_key, _, rest = path[len(directory.USERS_PATH) + 1:].partition("/")
        return directory_security.route(ctx, req, user_key, rest)
    if path == directory.USERS_PATH or path.startswith(directory.USERS_PATH + "/"):
        if req.method != "GET":
            return json_response({"error": {"code": 405, "message": "Method not allowed."}}, 405)
        key = path[len(directory.USERS_PATH) + 1:] or None
        return directory.users(ctx, req, key)
    if path.startswith(gmail_settings.GMAIL_PATH + "/"):
        gmail = gmail_settings.route(ctx, req, path[len(gmail_settings.GMAIL_PATH) + 1:])
        if gmail is not None:
            return gmail
    robot = "/robot/v1/metadata/x509/" + ctx.service_account.email
    if req.method == "GET" and path == robot:
        sa_key = ctx.service_account.key
        return json_response({sa_key.kid: sa_key.certificate_pem(ctx.service_account.email)})
    cloud = iam.route(ctx, req)
    if cloud is not None:
        return cloud
    microsoft = ms_identity.route(ctx, req)
    if microsoft is not None:
        return microsoft
    if any(p == path for _, p in ROUTES):
        return json_response({"error": {"code": 405, "message": "Method not allowed."}}, 405)
    return Response(404, b"404. That's an error. The requested URL was not found on this server.\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, address: tuple[str, int], side: HttpSide, tls: bool = True):
        self.side = side
        self.tls = tls
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, conn: socket.socket, alive: bool) -> None:
        with self._open_lock:
            (self._open.add if alive else self._open.discard)(conn)

    def close_connections(self) -> None:
        """Hang up on kept-alive clients so their handler threads end with the server."""
        with self._open_lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        log.debug("HTTPS connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    timeout = 30
    #: Headers and body leave in separate writes: with Nagle's algorithm the body waited for the client's delayed
    #: ACK (~40 ms per request on a kept-alive connection); Google's front ends answer at once.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        """TLS handshake here, in the connection's own thread (the plain-HTTP pages server has none)."""
        self.request.settimeout(self.timeout)
        # headers and body leave in two writes: without this, Nagle's algorithm holds the body until the client's
        # delayed ACK (40 ms a request on Linux), which a kept-alive client pays on every call
        with contextlib.suppress(OSError):
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.server.tls:
            self.request = self.server.side.ssl_context.wrap_socket(self.request, server_side=True)
        self.server.track(self.request, True)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.request, False)
            self.request.close()

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        side = self.server.side
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send(Response(413, b"Request Entity Too Large\n"), close=True)
            return
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        req = Request(method, parts.path, parse_qs(parts.query, keep_blank_values=True),
                      _parse_body(self.headers.get("Content-Type", ""), body), self.headers, body)
        try:
            if self.server.tls or is_page(method, parts.path):
                response = route(side.context, req)
            else:  # an API call over plain HTTP: Google answers those on HTTPS only
                response = Response(404, b"404. That's an error. The requested URL was not found on this server.\n")
        except Exception:  # the server must answer; the traceback goes to the log
            log.exception("sandbox HTTP endpoint failed for %s %s", method, redact(parts.path))
            response = json_response({"error": {"code": 500, "message": "Internal error."}}, 500)
        # read per reply: a running sandbox's latency can change; the health check is never slowed, or a
        # sandbox started with --latency-ms would look dead to the supervisor and get a twin on its state
        delay = side.faults.reply_delay() if parts.path != HEALTH_PATH else 0
        if delay:
            time.sleep(delay)
        self._send(response)

    def _send(self, response: Response, close: bool = False) -> None:
        self.send_response(response.status)
        headers = {"Content-Type": response.content_type, "Content-Length": str(len(response.body)),
                   "X-Content-Type-Options": "nosniff", **response.headers}
        if close:
            headers["Connection"] = "close"
            self.close_connection = True
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        log.debug("%s %s", self.address_string(), redact(format % args))


def _parse_body(content_type: str, body: bytes) -> dict[str, list[str]]:
    kind = content_type.split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    if kind == "application/json":
        try:
            raw = json.loads(text or "{}")
        except (ValueError, RecursionError):  # a deeply nested body is no more JSON than a broken one
            return {}
        return {str(k): [str(v)] for k, v in raw.items()} if isinstance(raw, dict) else {}
    if kind == "application/x-www-form-urlencoded" or (text and not kind):
        return parse_qs(text, keep_blank_values=True)
    return {}


class HttpSide:
    """Google's OAuth and Directory endpoints for the sandbox, over HTTPS on 127.0.0.1."""

    def __init__(self, accounts: dict[str, SandboxAccount], grants: GrantRegistry, *, client_id: str,
                 client_secret: str, ssl_context: ssl.SSLContext, latency_ms: int = 0, state_dir: Path,
                 faults: Faults | None = None, microsoft: ms_identity.MicrosoftIdentity | None = None,
                 clients: dict[str, SandboxClient] | None = None, delegations: DelegationTable | None = None):
        self.accounts = accounts
        self.clients = dict(clients or {})
        self.delegations = delegations
        self.microsoft = microsoft
        self.grants = grants
        self.client_id = client_id
        self.client_secret = client_secret
        self.ssl_context = ssl_context
        self.faults = faults if faults is not None else Faults()  # the sandbox's, shared with SMTP and IMAP
        if latency_ms:
            self.faults.latency_ms = max(0, int(latency_ms))
        self.state_dir = Path(state_dir)
        self._context: HttpContext | None = None
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        remember(client_secret)
        for extra in self.clients.values():
            remember(extra.client_secret)

    @property
    def context(self) -> HttpContext:
        if self._context is None:
            raise RuntimeError("the sandbox HTTP side is not started")
        return self._context

    @property
    def base_url(self) -> str:
        return self.context.base_url

    @property
    def pages_url(self) -> str:
        """`http://127.0.0.1:P`: where the browser pages are served without TLS."""
        return self.context.pages_url

    @property
    def service_account_file(self) -> Path:
        return self.state_dir / SERVICE_ACCOUNT_FILE

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Bind, write service_account.json, serve; returns the base URL `https://127.0.0.1:P` (the
        plain-HTTP pages' base URL is then `pages_url`)."""
        if host not in ("127.0.0.1", "localhost"):
            raise UsageError(f"the sandbox serves on 127.0.0.1 only, not {host}")
        return await asyncio.to_thread(self._start, port)

    async def stop(self) -> None:
        await asyncio.to_thread(self._stop)

    def _start(self, port: int) -> str:
        if self._servers:
            return self.base_url
        service_account = ServiceAccount.load_or_create(self.service_account_file)
        server = _Server(("127.0.0.1", port), self)
        try:
            pages = _Server(("127.0.0.1", 0), self, tls=False)
        except OSError:
            server.server_close()
            raise
        base_url = f"https://127.0.0.1:{server.server_address[1]}"
        self._context = HttpContext(self.accounts, self.grants, self.client_id, self.client_secret,
                                    RsaKey.generate(), service_account, base_url, microsoft=self.microsoft,
                                    pages_url=f"http://127.0.0.1:{pages.server_address[1]}",
                                    state_dir=str(self.state_dir), clients=self.clients,
                                    delegations=self.delegations, faults=self.faults)
        service_account.write(self.service_account_file, base_url)
        for each, name in ((server, "mailkit-sandbox-https"), (pages, "mailkit-sandbox-pages")):
            thread = threading.Thread(target=each.serve_forever, kwargs={"poll_interval": 0.1}, name=name, daemon=True)
            self._servers.append(each)
            self._threads.append(thread)
            thread.start()
        log.info("sandbox OAuth/Directory endpoints at %s, browser pages at %s", base_url, self.pages_url)
        return base_url

    def _stop(self) -> None:
        servers, threads, self._servers, self._threads = self._servers, self._threads, [], []
        for server in servers:
            server.shutdown()
            server.close_connections()
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)


__all__ = ["ENDPOINTS", "HEALTH_PATH", "ROUTES", "HttpSide", "is_page", "route"]
