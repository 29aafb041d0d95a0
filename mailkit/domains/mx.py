"""MX: does the domain take mail, and at the provider its accounts are set up for?

Sending does not need an MX, but replies, bounces and DMARC reports do, and receivers distrust a sender
whose domain takes no mail. An MX pointing elsewhere than the accounts' provider usually means a half-done
migration: mail for the company lands where nobody reads it.
"""

from __future__ import annotations

from mailkit.domains.findings import MISSING, OK, WARNING, Finding, dns_fault
from mailkit.domains.lookups import Lookups
from mailkit.i18n import N_
from mailkit.providers import classify_mx

#: The MX each provider's setup guide publishes.
PROVIDER_MX = {"google": "1 smtp.google.com", "microsoft": "0 {dashed}.mail.protection.outlook.com"}
_DETECTED = {"workspace": "google", "microsoft365": "microsoft", "custom": "custom"}


def provider_from_mx(domain: str, records: tuple[str, ...]) -> str:
    """"google", "microsoft" or "custom" from MX records ("PREF HOST"), as account detection decides it."""
    hosts = tuple(r.split()[-1] for r in sorted(records, key=lambda r: int(r.split()[0])) if r.split()[-1] != ".")
    return _DETECTED.get(classify_mx(domain, hosts).provider or "", "custom")


async def check_mx(lookups: Lookups, domain: str, provider: str) -> Finding:
    """The MX finding for a domain whose accounts the `provider` hosts."""
    answer = await lookups.mx(domain)
    if answer.failed:
        return dns_fault("mx", answer)
    publish = PROVIDER_MX.get(provider, "").format(dashed=domain.replace(".", "-"))
    args = {"domain": domain}
    remedy = N_("Publish this MX record at {name}: {record}") if publish else \
        N_("Publish an MX record at {name} naming the server that receives mail for {domain}.")
    if not answer.exists:
        return Finding("mx", MISSING, N_("The domain {domain} does not exist in DNS."), N_("Check the spelling of the "
                       "accounts' domain; if it is right, renew or set up the domain with its registrar."), args)
    hosts = [r for r in answer.records if r.split()[-1] not in {".", ""}]
    if not hosts:
        return Finding("mx", MISSING, N_("{domain} has no MX record: it receives no mail, not even replies or "
                       "bounces."), remedy, args, answer.records, domain, publish)
    seen = provider_from_mx(domain, answer.records)
    if provider in {"google", "microsoft"} and seen != provider:
        return Finding("mx", WARNING, N_("The accounts of {domain} are on {expected}, but its MX points elsewhere "
                       "({host}): mail to the company does not reach those mailboxes."), remedy,
                       {**args, "expected": _LABEL[provider], "host": hosts[0].split()[-1]}, answer.records,
                       domain, publish, {"mx_provider": seen})
    return Finding("mx", OK, N_("{domain} receives mail at {host}."), "", {**args, "host": hosts[0].split()[-1]},
                   answer.records, details={"mx_provider": seen})


_LABEL = {"google": "Google Workspace", "microsoft": "Microsoft 365"}

__all__ = ["PROVIDER_MX", "check_mx", "provider_from_mx"]
