"""A real authoritative DNS server for the domain checks: Debian's NSD on 127.0.0.1, serving zone files
for good and broken company domains (and the provider names their SPF includes and DKIM CNAMEs reach).

NSD runs in the foreground (`nsd -d`) as its own instance, unprivileged: as the test's user, or as
`nobody` when the tests run as root. A zone that fails to load is answered SERVFAIL, which is how the
"server fails" domain is made. When NSD is not installed the tests fail (CI installs it: `.ci/run`).

    def test_x(authoritative_dns):           # MAILKIT_NAMESERVER points at it for this test
        ...
"""

from __future__ import annotations

import base64
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.resolver
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["DOMAINS", "AuthoritativeDNS", "authoritative_dns", "nsd_server"]

NSD = shutil.which("nsd") or ("/usr/sbin/nsd" if Path("/usr/sbin/nsd").exists() else None)
START_TIMEOUT = 15.0


def dkim_key(bits: int, seed: int) -> str:
    """The base64 DER of an RSA public key of exactly `bits` bits (no private key needed: nothing signs here)."""
    n = random.Random(seed).getrandbits(bits) | (1 << (bits - 1)) | 1
    key = rsa.RSAPublicNumbers(65537, n).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def txt(text: str) -> str:
    """A TXT value in zone-file syntax, split into <=255-byte strings (what a DNS host does with long keys)."""
    return " ".join(f'"{text[i:i + 200]}"' for i in range(0, len(text), 200))


GOOGLE_SPF = "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com ~all"
KEY_2048, KEY_1024, KEY_512 = dkim_key(2048, 1), dkim_key(1024, 2), dkim_key(512, 3)
GOOD_DMARC = "v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:dmarc@{d}"


def google_domain(d: str, *, spf: list[str] | None = None, dkim: str | None = f"v=DKIM1; k=rsa; p={KEY_2048}",
                  dmarc: list[str] | None = None, mx: str = "1 smtp.google.com.") -> list[str]:
    """The records of a Google Workspace domain set up right, unless told otherwise."""
    spf = ["v=spf1 include:_spf.google.com ~all"] if spf is None else spf
    dmarc = [GOOD_DMARC.format(d=d)] if dmarc is None else dmarc
    lines = [f"@ MX {mx}"] if mx else []
    lines += [f"@ TXT {txt(s)}" for s in spf] + ['@ TXT "google-site-verification=abc123"']
    lines += [f"google._domainkey TXT {txt(dkim)}"] if dkim else []
    lines += [f"_dmarc TXT {txt(r)}" for r in dmarc]
    return lines


def _chain(d: str, links: int) -> list[str]:
    """An SPF that needs 1 + 3 * links lookups: each include costs one and holds an `a` and an `mx`."""
    includes = " ".join(f"include:s{i}.{d}" for i in range(links))
    lines = [f"@ TXT {txt(f'v=spf1 include:_spf.google.com {includes} ~all')}"]
    lines += [f"s{i} TXT {txt('v=spf1 a mx ~all')}" for i in range(links)]
    return lines


#: Zone name -> records (relative names); `None` writes a zone file NSD cannot load (answered SERVFAIL).
DOMAINS: dict[str, list[str] | None] = {
    "good-google.example": google_domain("good-google.example") + [  # a subdomain that follows its parent's DMARC
        "envios MX 1 smtp.google.com.", f"envios TXT {txt('v=spf1 include:_spf.google.com ~all')}",
        f"google._domainkey.envios TXT {txt('v=DKIM1; k=rsa; p=' + KEY_2048)}"],
    "sp-none.example": google_domain("sp-none.example", dmarc=[
        "v=DMARC1; p=reject; sp=none; rua=mailto:dmarc@sp-none.example"]) + [
        "envios MX 1 smtp.google.com.", f"envios TXT {txt('v=spf1 include:_spf.google.com ~all')}",
        f"google._domainkey.envios TXT {txt('v=DKIM1; k=rsa; p=' + KEY_2048)}"],
    "good-microsoft.example": [
        "@ MX 0 good-microsoft-example.mail.protection.outlook.com.",
        f"@ TXT {txt('v=spf1 include:spf.protection.outlook.com -all')}",
        "selector1._domainkey CNAME selector1-good-microsoft-example._domainkey.contoso.onmicrosoft.com.",
        "selector2._domainkey CNAME selector2-good-microsoft-example._domainkey.contoso.onmicrosoft.com.",
        f"_dmarc TXT {txt('v=DMARC1; p=reject; rua=mailto:dmarc@good-microsoft.example')}",
    ],
    "half-microsoft.example": [
        "@ MX 0 half-microsoft-example.mail.protection.outlook.com.",
        f"@ TXT {txt('v=spf1 include:spf.protection.outlook.com -all')}",
        "selector1._domainkey CNAME selector1-half-microsoft-example._domainkey.contoso.onmicrosoft.com.",
        f"_dmarc TXT {txt('v=DMARC1; p=reject; rua=mailto:dmarc@half-microsoft.example')}",
    ],
    "no-spf.example": google_domain("no-spf.example", spf=[]),
    "two-spf.example": google_domain("two-spf.example", spf=["v=spf1 include:_spf.google.com ~all",
                                                             "v=spf1 include:mailgun.org ~all"]),
    "plus-all.example": google_domain("plus-all.example", spf=["v=spf1 include:_spf.google.com +all"]),
    "neutral-all.example": google_domain("neutral-all.example", spf=["v=spf1 include:_spf.google.com ?all"]),
    "no-include.example": google_domain("no-include.example", spf=["v=spf1 ip4:203.0.113.5 -all"]),
    "too-many.example": google_domain("too-many.example", spf=[]) + _chain("too-many.example", 4),
    "spf-loop.example": google_domain("spf-loop.example", spf=["v=spf1 include:_spf.google.com "
                                                               "include:spf-loop.example ~all"]),
    "dangling-include.example": google_domain("dangling-include.example", spf=[
        "v=spf1 include:_spf.google.com include:gone.dangling-include.example ~all"]),
    "no-dkim.example": google_domain("no-dkim.example", dkim=None),
    "weak-dkim.example": google_domain("weak-dkim.example", dkim=f"v=DKIM1; k=rsa; p={KEY_512}"),
    "revoked-dkim.example": google_domain("revoked-dkim.example", dkim="v=DKIM1; k=rsa; p="),
    "dmarc-none.example": google_domain("dmarc-none.example",
                                        dmarc=["v=DMARC1; p=none; rua=mailto:dmarc@dmarc-none.example"]),
    "no-rua.example": google_domain("no-rua.example", dmarc=["v=DMARC1; p=reject"]),
    "no-dmarc.example": google_domain("no-dmarc.example", dmarc=[]),
    "bad-dmarc.example": google_domain("bad-dmarc.example", dmarc=["v=DMARC1; p=maybe"]),
    "no-mx.example": google_domain("no-mx.example", mx=""),
    "moved-mx.example": google_domain("moved-mx.example", mx="10 mx.other-host.example."),
    "custom.example": ["@ MX 10 mail.custom.example.", "mail A 203.0.113.7",
                       f"@ TXT {txt('v=spf1 a:mail.custom.example -all')}",
                       f"_dmarc TXT {txt('v=DMARC1; p=quarantine; rua=mailto:dmarc@custom.example')}"],
    "broken.example": None,
    # what the company domains' includes and CNAMEs reach
    "google.com": [f"_spf TXT {txt(GOOGLE_SPF)}",
                   f"_netblocks TXT {txt('v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ~all')}",
                   f"_netblocks2 TXT {txt('v=spf1 ip6:2001:4860:4000::/36 ~all')}",
                   "smtp A 142.250.0.26"],
    "outlook.com": [f"spf.protection TXT {txt('v=spf1 ip4:40.92.0.0/15 ip4:52.100.0.0/14 -all')}"],
    "onmicrosoft.com": [
        f"selector1-good-microsoft-example._domainkey.contoso TXT {txt('v=DKIM1; k=rsa; p=' + KEY_2048)}",
        f"selector2-good-microsoft-example._domainkey.contoso TXT {txt('v=DKIM1; k=rsa; p=' + KEY_1024)}",
        f"selector1-half-microsoft-example._domainkey.contoso TXT {txt('v=DKIM1; k=rsa; p=' + KEY_2048)}",
    ],
}


def zone_file(name: str, records: list[str] | None) -> str:
    if records is None:
        return "this is not a zone file\n"
    head = [f"$ORIGIN {name}.", "$TTL 300", "@ SOA ns1 hostmaster 1 3600 600 86400 300", "@ NS ns1",
            "ns1 A 127.0.0.1"]
    return "\n".join(head + records) + "\n"


def _config(home: Path, port: int) -> str:
    zones = "".join(f"zone:\n  name: {name}\n  zonefile: {name}.zone\n" for name in DOMAINS)
    return f"""server:
  ip-address: 127.0.0.1
  port: {port}
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "{home}"
  database: ""
  zonelistfile: "{home}/zone.list"
  xfrdfile: "{home}/xfrd.state"
  xfrdir: "{home}"
  pidfile: "{home}/nsd.pid"
  logfile: "{home}/nsd.log"
  server-count: 1
  verbosity: 1
remote-control:
  control-enable: no
{zones}"""


def free_udp_tcp_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (NSD listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket() as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return int(port)
    raise RuntimeError("no free port")


@dataclass
class AuthoritativeDNS:
    home: Path
    port: int
    process: subprocess.Popen

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        path = self.home / "nsd.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _answers(port: int) -> bool:
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port, resolver.lifetime = ["127.0.0.1"], port, 0.5
    try:
        resolver.resolve("good-google.example", "SOA")
    except dns.exception.DNSException:
        return False
    return True


def _unprivileged() -> dict:
    """Popen arguments that drop root to `nobody` (NSD itself then never needs to change user)."""
    if os.geteuid() != 0:
        return {}
    return {"user": "nobody", "group": "nogroup", "extra_groups": []}


@pytest.fixture(scope="session")
def nsd_server() -> Iterator[AuthoritativeDNS]:
    """NSD serving DOMAINS on 127.0.0.1, for the whole session."""
    if NSD is None:
        pytest.fail("NSD is not installed: apt-get install -y --no-install-recommends nsd (.ci/run does this)",
                    pytrace=False)
    home = Path(tempfile.mkdtemp(prefix="mailkit-nsd-"))
    for name, records in DOMAINS.items():
        (home / f"{name}.zone").write_text(zone_file(name, records))
    port = free_udp_tcp_port()
    (home / "nsd.conf").write_text(_config(home, port))
    if os.geteuid() == 0:
        shutil.chown(home, "nobody", "nogroup")
    out = open(home / "stderr.log", "wb")  # noqa: SIM115 - open for the server's whole life
    process = subprocess.Popen([NSD, "-d", "-c", str(home / "nsd.conf")], stdin=subprocess.DEVNULL, stdout=out,
                               stderr=subprocess.STDOUT, **_unprivileged())
    server = AuthoritativeDNS(home, port, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                said = (home / "stderr.log").read_text(errors="replace")
                pytest.fail(f"NSD did not start (exit {process.poll()}): {said}\n{server.log}", pytrace=False)
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        out.close()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def authoritative_dns(nsd_server: AuthoritativeDNS, monkeypatch: pytest.MonkeyPatch) -> AuthoritativeDNS:
    """NSD, with mailkit pointed at it through MAILKIT_NAMESERVER for this test."""
    monkeypatch.setenv("MAILKIT_NAMESERVER", nsd_server.address)
    return nsd_server
