"""A TCP listener on 127.0.0.1 for the sandbox's mail servers.

It does two things asyncio's `create_server(ssl=...)` cannot: it runs the implicit-TLS handshake
itself, so the `tls_reset` fault can cut a handshake half-way (as a middlebox or an overloaded
server does), and it remembers its connections so `stop()` really ends them, stalled ones included.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
from collections.abc import Callable

from mailkit.sandbox.faults import Faults

HANDSHAKE_TIMEOUT = 15.0


def reset(transport: asyncio.BaseTransport) -> None:
    """Close with a TCP reset (RST) instead of a polite FIN."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()  # type: ignore[attr-defined]


class Listener:
    """Serves `protocol_factory` connections, over implicit TLS when `ssl_context` is given."""

    def __init__(self, protocol_factory: Callable[[], asyncio.BaseProtocol], *, faults: Faults,
                 ssl_context: ssl.SSLContext | None = None):
        self.protocol_factory = protocol_factory
        self.ssl_context = ssl_context
        self.faults = faults
        self._server: asyncio.Server | None = None
        self._transports: set[asyncio.BaseTransport] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Listen; the (host, port) actually bound."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Gate(self), host, port)
        bound = self._server.sockets[0].getsockname()
        return bound[0], bound[1]

    async def stop(self) -> None:
        """Stop listening and cut every open connection."""
        if self._server is not None:
            self._server.close()
        for transport in list(self._transports):
            transport.abort()  # type: ignore[attr-defined]
        self._transports.clear()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def _track(self, transport: asyncio.BaseTransport) -> None:
        self._transports = {t for t in self._transports if not t.is_closing()}
        self._transports.add(transport)


class _Gate(asyncio.Protocol):
    """Owns a fresh TCP connection until it is handed, TLS-wrapped or not, to the real protocol."""

    def __init__(self, listener: Listener):
        self.listener = listener
        self.transport: asyncio.Transport | None = None
        self.task: asyncio.Task | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.listener._track(transport)
        if self.listener.ssl_context is None:
            app = self.listener.protocol_factory()
            transport.set_protocol(app)
            app.connection_made(transport)
        elif not self.listener.faults.tls_reset:
            transport.pause_reading()  # type: ignore[attr-defined]
            self.task = asyncio.get_running_loop().create_task(self._start_tls())
        # with tls_reset on, wait for the ClientHello (data_received) and reset then

    def data_received(self, data: bytes) -> None:
        if self.transport is not None:
            reset(self.transport)

    async def _start_tls(self) -> None:
        loop = asyncio.get_running_loop()
        app = self.listener.protocol_factory()
        try:
            tls_transport = await loop.start_tls(self.transport, app, self.listener.ssl_context,  # type: ignore[arg-type]
                                                 server_side=True, ssl_handshake_timeout=HANDSHAKE_TIMEOUT)
        except (TimeoutError, OSError, ssl.SSLError, ConnectionError):
            if self.transport is not None:
                self.transport.abort()
            return
        if tls_transport is None:  # the peer went away during the handshake
            return
        app.connection_made(tls_transport)


__all__ = ["Listener", "reset"]
