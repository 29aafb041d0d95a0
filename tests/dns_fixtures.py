"""A real DNS server on 127.0.0.1 for tests, pointed at through MAILKIT_NAMESERVER.

It answers over UDP in one of three ways: MX records from a table, NXDOMAIN for everything (a hotel
Wi-Fi's resolver), or never at all (an offline laptop whose resolver packets vanish). Every question
it receives is recorded, so a test can count the lookups mailkit made.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

__all__ = ["TinyDNS", "dns_server"]


class TinyDNS:
    """One UDP DNS server: `mode` is "records", "nxdomain" or "silent"."""

    def __init__(self, mode: str = "records", mx: dict[str, list[str]] | None = None):
        self.mode, self.mx = mode, {k.lower(): v for k, v in (mx or {}).items()}
        self.questions: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            query = dns.message.from_wire(data)
            name = str(query.question[0].name).rstrip(".").lower()
            self.questions.append(name)
            if self.mode != "silent":
                self.sock.sendto(self._answer(query, name).to_wire(), peer)

    def _answer(self, query: dns.message.Message, name: str) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        if self.mode == "nxdomain" or name not in self.mx:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        records = [f"{10 * (i + 1)} {host}." for i, host in enumerate(self.mx[name])]
        response.answer.append(dns.rrset.from_text(query.question[0].name, 300, "IN", "MX", *records))
        return response

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def dns_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[callable]:
    """Start a TinyDNS and point mailkit at it: `dns_server("silent")`, `dns_server(mx={...})`."""
    started: list[TinyDNS] = []

    def start(mode: str = "records", mx: dict[str, list[str]] | None = None) -> TinyDNS:
        server = TinyDNS(mode, mx)
        started.append(server)
        monkeypatch.setenv("MAILKIT_NAMESERVER", server.address)
        return server

    yield start
    for server in started:
        server.stop()
