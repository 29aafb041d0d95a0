"""Every word the domain checks say to the admin: English msgid -> {"es": ..., "pl": ...}, in one table.

Spanish speaks to the admin as *tú*; Polish in the imperative. Placeholders in braces are filled from the
finding (`{domain}`, `{name}` where to publish, `{record}` the exact record). The table's shape is a gettext
catalogue's, so it can move into one as it is.
"""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    # --- DNS faults ---------------------------------------------------------------------------------------
    "DNS did not answer for {queried} in time.": {
        "es": "El DNS no respondió a tiempo por {queried}.",
        "pl": "DNS nie odpowiedział na czas w sprawie {queried}.",
    },
    "The DNS servers failed to answer for {queried} (SERVFAIL or REFUSED).": {
        "es": "Los servidores DNS no lograron responder por {queried} (SERVFAIL o REFUSED).",
        "pl": "Serwery DNS nie zdołały odpowiedzieć w sprawie {queried} (SERVFAIL lub REFUSED).",
    },
    "No DNS server could be asked about {queried}.": {
        "es": "No se pudo preguntar a ningún servidor DNS por {queried}.",
        "pl": "Nie udało się zapytać żadnego serwera DNS o {queried}.",
    },
    "DNS did not answer the {check} questions for {domain} within {seconds} s.": {
        "es": "El DNS no respondió a las consultas {check} de {domain} en {seconds} s.",
        "pl": "DNS nie odpowiedział na zapytania {check} dla {domain} w ciągu {seconds} s.",
    },
    "Ask whoever hosts the domain's DNS to fix its name servers, then run the check again.": {
        "es": "Pide a quien aloja el DNS del dominio que repare sus servidores de nombres y vuelve a ejecutar la "
              "comprobación.",
        "pl": "Poproś firmę obsługującą DNS domeny o naprawę jej serwerów nazw, a potem uruchom sprawdzenie "
              "ponownie.",
    },
    # --- MX ---------------------------------------------------------------------------------------------------
    "{domain} receives mail at {host}.": {
        "es": "{domain} recibe el correo en {host}.",
        "pl": "{domain} odbiera pocztę na {host}.",
    },
    "The domain {domain} does not exist in DNS.": {
        "es": "El dominio {domain} no existe en el DNS.",
        "pl": "Domena {domain} nie istnieje w DNS.",
    },
    "Check the spelling of the accounts' domain; if it is right, renew or set up the domain with its registrar.": {
        "es": "Revisa cómo está escrito el dominio de las cuentas; si es correcto, renueva o configura el dominio "
              "con su registrador.",
        "pl": "Sprawdź pisownię domeny kont; jeśli jest poprawna, odnów lub skonfiguruj domenę u jej "
              "rejestratora.",
    },
    "{domain} has no MX record: it receives no mail, not even replies or bounces.": {
        "es": "{domain} no tiene registro MX: no recibe correo, ni siquiera respuestas ni rebotes.",
        "pl": "{domain} nie ma rekordu MX: nie odbiera poczty, nawet odpowiedzi ani zwrotów.",
    },
    "The accounts of {domain} are on {expected}, but its MX points elsewhere ({host}): mail to the company does "
    "not reach those mailboxes.": {
        "es": "Las cuentas de {domain} están en {expected}, pero su MX apunta a otro lado ({host}): el correo para "
              "la empresa no llega a esos buzones.",
        "pl": "Konta domeny {domain} są w {expected}, ale jej MX wskazuje gdzie indziej ({host}): poczta do firmy "
              "nie trafia do tych skrzynek.",
    },
    "Publish this MX record at {name}: {record}": {
        "es": "Publica este registro MX en {name}: {record}",
        "pl": "Opublikuj ten rekord MX w {name}: {record}",
    },
    "Publish an MX record at {name} naming the server that receives mail for {domain}.": {
        "es": "Publica en {name} un registro MX con el servidor que recibe el correo de {domain}.",
        "pl": "Opublikuj w {name} rekord MX wskazujący serwer, który odbiera pocztę dla {domain}.",
    },
    # --- SPF --------------------------------------------------------------------------------------------------
    "{domain} has no SPF record: receivers cannot tell which servers may send its mail, and Gmail rejects or "
    "files as spam mail that has neither SPF nor DKIM.": {
        "es": "{domain} no tiene registro SPF: los destinatarios no pueden saber qué servidores pueden enviar su "
              "correo, y Gmail rechaza o manda a spam el correo que no tiene ni SPF ni DKIM.",
        "pl": "{domain} nie ma rekordu SPF: odbiorcy nie wiedzą, które serwery mogą wysyłać jej pocztę, a Gmail "
              "odrzuca lub przenosi do spamu pocztę bez SPF i bez DKIM.",
    },
    "{domain} has {count} SPF records: receivers treat that as a permanent error and ignore them all.": {
        "es": "{domain} tiene {count} registros SPF: los destinatarios lo tratan como un error permanente y los "
              "ignoran todos.",
        "pl": "{domain} ma kilka rekordów SPF ({count}): odbiorcy traktują to jako trwały błąd i ignorują je "
              "wszystkie.",
    },
    "The SPF record of {domain} is broken ({error}): receivers ignore it.": {
        "es": "El registro SPF de {domain} está mal formado ({error}): los destinatarios lo ignoran.",
        "pl": "Rekord SPF domeny {domain} jest błędny ({error}): odbiorcy go ignorują.",
    },
    "The SPF record of {domain} includes {target}, which has no single valid SPF record: receivers treat that "
    "as a permanent error.": {
        "es": "El registro SPF de {domain} incluye {target}, que no tiene un único registro SPF válido: los "
              "destinatarios lo tratan como un error permanente.",
        "pl": "Rekord SPF domeny {domain} dołącza {target}, który nie ma jednego poprawnego rekordu SPF: odbiorcy "
              "traktują to jako trwały błąd.",
    },
    "The SPF record of {domain} includes itself through {target}: receivers treat that as a permanent error.": {
        "es": "El registro SPF de {domain} se incluye a sí mismo a través de {target}: los destinatarios lo "
              "tratan como un error permanente.",
        "pl": "Rekord SPF domeny {domain} dołącza sam siebie przez {target}: odbiorcy traktują to jako trwały "
              "błąd.",
    },
    "The SPF record of {domain} needs more than 10 DNS lookups; receivers stop at 10 and treat the record as "
    "a permanent error.": {
        "es": "El registro SPF de {domain} necesita más de 10 consultas DNS; los destinatarios se detienen en 10 y "
              "lo tratan como un error permanente.",
        "pl": "Rekord SPF domeny {domain} wymaga ponad 10 zapytań DNS; odbiorcy zatrzymują się na 10 i traktują "
              "rekord jako trwały błąd.",
    },
    "Remove the includes of services that no longer send for {domain}, or replace them by their ip4:/ip6: "
    "addresses, until at most 10 lookups remain.": {
        "es": "Quita los include de servicios que ya no envían por {domain}, o cámbialos por sus direcciones "
              "ip4:/ip6:, hasta que queden 10 consultas como máximo.",
        "pl": "Usuń include usług, które już nie wysyłają w imieniu {domain}, albo zastąp je ich adresami "
              "ip4:/ip6:, aż zostanie najwyżej 10 zapytań.",
    },
    "The SPF record of {domain} does not authorize {provider_servers}: mail sent through them fails SPF.": {
        "es": "El registro SPF de {domain} no autoriza {provider_servers}: el correo enviado por esos servidores "
              "no pasa SPF.",
        "pl": "Rekord SPF domeny {domain} nie autoryzuje {provider_servers}: poczta wysłana przez te serwery nie "
              "przechodzi SPF.",
    },
    "The SPF record of {domain} ends in +all: it lets any server in the world send mail as {domain}.": {
        "es": "El registro SPF de {domain} termina en +all: permite que cualquier servidor del mundo envíe correo "
              "como {domain}.",
        "pl": "Rekord SPF domeny {domain} kończy się na +all: pozwala każdemu serwerowi na świecie wysyłać pocztę "
              "jako {domain}.",
    },
    "The SPF record of {domain} ends in ?all or has no all: it says nothing about servers it does not list, so "
    "forged mail is not flagged.": {
        "es": "El registro SPF de {domain} termina en ?all o no tiene all: no dice nada de los servidores que no "
              "lista, así que el correo falsificado no se marca.",
        "pl": "Rekord SPF domeny {domain} kończy się na ?all albo nie ma all: nic nie mówi o serwerach, których "
              "nie wymienia, więc sfałszowana poczta nie jest oznaczana.",
    },
    "The SPF record of {domain} is valid (DNS lookups: {count}) and fails mail from servers it does not list.": {
        "es": "El registro SPF de {domain} es válido (consultas DNS: {count}) y rechaza el correo de servidores que "
              "no lista.",
        "pl": "Rekord SPF domeny {domain} jest poprawny (zapytania DNS: {count}) i odrzuca pocztę z serwerów, "
              "których nie wymienia.",
    },
    "The SPF record of {domain} is valid (DNS lookups: {count}); ~all marks mail from other servers as "
    "suspicious.": {
        "es": "El registro SPF de {domain} es válido (consultas DNS: {count}); ~all marca como sospechoso el correo "
              "de otros servidores.",
        "pl": "Rekord SPF domeny {domain} jest poprawny (zapytania DNS: {count}); ~all oznacza pocztę z innych "
              "serwerów jako podejrzaną.",
    },
    "Publish this TXT record at {name}: {record}": {
        "es": "Publica este registro TXT en {name}: {record}",
        "pl": "Opublikuj ten rekord TXT w {name}: {record}",
    },
    "Replace the SPF record at {name} by: {record}": {
        "es": "Reemplaza el registro SPF de {name} por: {record}",
        "pl": "Zastąp rekord SPF w {name} tym: {record}",
    },
    "Keep a single SPF record at {name} (merge the others into it), for example: {record}": {
        "es": "Deja un solo registro SPF en {name} (junta los demás en él), por ejemplo: {record}",
        "pl": "Zostaw jeden rekord SPF w {name} (połącz z nim pozostałe), na przykład: {record}",
    },
    # --- DKIM -------------------------------------------------------------------------------------------------
    "mailkit does not know which DKIM selector the mail server of {domain} signs with.": {
        "es": "mailkit no sabe con qué selector DKIM firma el servidor de correo de {domain}.",
        "pl": "mailkit nie wie, jakim selektorem DKIM podpisuje serwer poczty domeny {domain}.",
    },
    "Ask the mail server's administrator for the selector and check SELECTOR._domainkey.{domain} has a key of "
    "at least 1024 bits.": {
        "es": "Pide el selector al administrador del servidor de correo y comprueba que "
              "SELECTOR._domainkey.{domain} tenga una clave de al menos 1024 bits.",
        "pl": "Poproś administratora serwera poczty o selektor i sprawdź, czy SELECTOR._domainkey.{domain} ma "
              "klucz o długości co najmniej 1024 bitów.",
    },
    "No DKIM key is published at {name}: mail from {domain} is not signed in a way receivers can check.": {
        "es": "No hay ninguna clave DKIM publicada en {name}: el correo de {domain} no va firmado de forma que los "
              "destinatarios puedan comprobarla.",
        "pl": "W {name} nie opublikowano klucza DKIM: poczta z {domain} nie jest podpisana tak, by odbiorcy mogli "
              "to sprawdzić.",
    },
    "{name} holds more than one DKIM key: receivers cannot tell which one signs.": {
        "es": "{name} contiene más de una clave DKIM: los destinatarios no pueden saber cuál firma.",
        "pl": "{name} zawiera więcej niż jeden klucz DKIM: odbiorcy nie wiedzą, który podpisuje.",
    },
    "The DKIM key at {name} cannot be used ({error}).": {
        "es": "La clave DKIM de {name} no se puede usar ({error}).",
        "pl": "Klucza DKIM w {name} nie da się użyć ({error}).",
    },
    "The DKIM key at {name} has only {bits} bits: receivers ignore keys under 1024 bits.": {
        "es": "La clave DKIM de {name} tiene solo {bits} bits: los destinatarios ignoran las claves de menos de "
              "1024 bits.",
        "pl": "Klucz DKIM w {name} jest tylko {bits}-bitowy: odbiorcy ignorują klucze krótsze niż 1024 bity.",
    },
    "The DKIM key at {name} is published ({bits} bits).": {
        "es": "La clave DKIM de {name} está publicada ({bits} bits).",
        "pl": "Klucz DKIM w {name} jest opublikowany ({bits}-bitowy).",
    },
    "Only one of the two DKIM keys of {domain} is published: signing breaks when Microsoft rotates to the "
    "other.": {
        "es": "Solo una de las dos claves DKIM de {domain} está publicada: la firma dejará de funcionar cuando "
              "Microsoft rote a la otra.",
        "pl": "Opublikowano tylko jeden z dwóch kluczy DKIM domeny {domain}: podpisywanie przestanie działać, gdy "
              "Microsoft przełączy się na drugi.",
    },
    "In the Google Admin console open Apps > Google Workspace > Gmail > Authenticate email, generate a 2048-bit "
    "key for {domain}, publish it as a TXT record at {name} ({record}), then click Start authentication.": {
        "es": "En la Consola de administración de Google abre Aplicaciones > Google Workspace > Gmail > Autenticar "
              "correo electrónico, genera una clave de 2048 bits para {domain}, publícala como registro TXT en "
              "{name} ({record}) y haz clic en Iniciar autenticación.",
        "pl": "W konsoli administracyjnej Google otwórz Aplikacje > Google Workspace > Gmail > Uwierzytelnianie "
              "poczty e-mail, wygeneruj klucz 2048-bitowy dla {domain}, opublikuj go jako rekord TXT w {name} "
              "({record}), a potem kliknij Rozpocznij uwierzytelnianie.",
    },
    "In the Microsoft Defender portal open Email authentication settings > DKIM for {domain}, publish the two "
    "CNAME records it shows ({name}: {record}), then enable signing.": {
        "es": "En el portal de Microsoft Defender abre Configuración de autenticación de correo > DKIM para "
              "{domain}, publica los dos registros CNAME que muestra ({name}: {record}) y activa la firma.",
        "pl": "W portalu Microsoft Defender otwórz Ustawienia uwierzytelniania poczty e-mail > DKIM dla {domain}, "
              "opublikuj dwa pokazane rekordy CNAME ({name}: {record}), a potem włącz podpisywanie.",
    },
    # --- DMARC ------------------------------------------------------------------------------------------------
    "{domain} has no DMARC record: receivers get no policy for forged mail, and Gmail requires one from bulk "
    "senders.": {
        "es": "{domain} no tiene registro DMARC: los destinatarios no reciben ninguna política para el correo "
              "falsificado, y Gmail lo exige a quienes envían en masa.",
        "pl": "{domain} nie ma rekordu DMARC: odbiorcy nie dostają żadnej zasady dla sfałszowanej poczty, a Gmail "
              "wymaga go od nadawców masowych.",
    },
    "Publish this TXT record at {name}: {record} (it only asks for reports; tighten it once they show your own "
    "mail passes).": {
        "es": "Publica este registro TXT en {name}: {record} (solo pide informes; endurécelo cuando muestren que tu "
              "propio correo pasa).",
        "pl": "Opublikuj ten rekord TXT w {name}: {record} (prosi tylko o raporty; zaostrz go, gdy pokażą, że "
              "twoja własna poczta przechodzi).",
    },
    "{name} holds {count} DMARC records: receivers ignore them all.": {
        "es": "{name} contiene {count} registros DMARC: los destinatarios los ignoran todos.",
        "pl": "{name} zawiera kilka rekordów DMARC ({count}): odbiorcy ignorują je wszystkie.",
    },
    "Keep a single DMARC record at {name}, for example: {record}": {
        "es": "Deja un solo registro DMARC en {name}, por ejemplo: {record}",
        "pl": "Zostaw jeden rekord DMARC w {name}, na przykład: {record}",
    },
    "The DMARC record of {domain} is broken ({error}): receivers ignore it.": {
        "es": "El registro DMARC de {domain} está mal formado ({error}): los destinatarios lo ignoran.",
        "pl": "Rekord DMARC domeny {domain} jest błędny ({error}): odbiorcy go ignorują.",
    },
    "The DMARC policy of {domain} is p=none: it only watches, forged mail is still delivered.": {
        "es": "La política DMARC de {domain} es p=none: solo observa, el correo falsificado se sigue entregando.",
        "pl": "Zasada DMARC domeny {domain} to p=none: tylko obserwuje, sfałszowana poczta nadal jest "
              "dostarczana.",
    },
    "Once the reports show your own mail passes, replace the record at {name} by: {record}": {
        "es": "Cuando los informes muestren que tu propio correo pasa, reemplaza el registro de {name} por: "
              "{record}",
        "pl": "Gdy raporty pokażą, że twoja własna poczta przechodzi, zastąp rekord w {name} tym: {record}",
    },
    "The DMARC record of {domain} asks for no reports (no rua): nobody learns when mail fails authentication.": {
        "es": "El registro DMARC de {domain} no pide informes (no hay rua): nadie se entera cuando el correo no "
              "pasa la autenticación.",
        "pl": "Rekord DMARC domeny {domain} nie prosi o raporty (brak rua): nikt się nie dowie, gdy poczta nie "
              "przejdzie uwierzytelniania.",
    },
    "Replace the DMARC record at {name} by: {record}": {
        "es": "Reemplaza el registro DMARC de {name} por: {record}",
        "pl": "Zastąp rekord DMARC w {name} tym: {record}",
    },
    "{sub} follows the DMARC record of {domain}, whose policy for it is none: forged mail is still delivered.": {
        "es": "{sub} sigue el registro DMARC de {domain}, cuya política para él es none: el correo falsificado se "
              "sigue entregando.",
        "pl": "{sub} podlega rekordowi DMARC domeny {domain}, którego zasada dla niej to none: sfałszowana poczta "
              "nadal jest dostarczana.",
    },
    "{sub} follows the DMARC record of {domain}: policy {policy}, with reports.": {
        "es": "{sub} sigue el registro DMARC de {domain}: política {policy}, con informes.",
        "pl": "{sub} podlega rekordowi DMARC domeny {domain}: zasada {policy}, z raportami.",
    },
    "The DMARC policy of {domain} is p={policy}, with reports.": {
        "es": "La política DMARC de {domain} es p={policy}, con informes.",
        "pl": "Zasada DMARC domeny {domain} to p={policy}, z raportami.",
    },
    # --- the command line and the report sheet -------------------------------------------------------------
    "domain": {"es": "dominio", "pl": "domena"},
    "companies": {"es": "empresas", "pl": "firmy"},
    "provider": {"es": "proveedor", "pl": "dostawca"},
    "check": {"es": "comprobación", "pl": "test"},
    "status": {"es": "estado", "pl": "stan"},
    "found": {"es": "encontrado", "pl": "znaleziono"},
    "cause": {"es": "causa", "pl": "przyczyna"},
    "remedy": {"es": "solución", "pl": "rozwiązanie"},
    "publish at": {"es": "publicar en", "pl": "opublikuj w"},
    "record to publish": {"es": "registro a publicar", "pl": "rekord do opublikowania"},
    "details": {"es": "detalles", "pl": "szczegóły"},
    "No company domains to check: personal addresses (gmail.com, outlook.com, ...) are not checked.": {
        "es": "No hay dominios de empresa que comprobar: las direcciones personales (gmail.com, outlook.com, ...) "
              "no se comprueban.",
        "pl": "Brak domen firmowych do sprawdzenia: adresy prywatne (gmail.com, outlook.com, ...) nie są "
              "sprawdzane.",
    },
}


def translate(msgid: str, lang: str = "en", **args: Any) -> str:
    """The text in `lang` (English when the language is not es/pl) with its placeholders filled.

    >>> translate("{domain} receives mail at {host}.", "es", domain="acme.mx", host="smtp.google.com")
    'acme.mx recibe el correo en smtp.google.com.'
    """
    text = msgid if lang not in {"es", "pl"} else TEXTS[msgid][lang]
    return text.format(**args)


__all__ = ["TEXTS", "translate"]
