"""Causes and remedies for every status, in English, Mexican Spanish and Polish.

Pure data, read by `mailkit.diagnose`. TEXTS speaks of Google (providers gmail and workspace, and the
default when no provider is given); NEUTRAL of any other server; MICROSOFT of Microsoft 365, falling back
to NEUTRAL. Keys are status strings, or "status:variant" for a finer case with its own wording. Each
language holds (cause, remedy). Placeholders: {email}, {company}, {host}, {port}, {detail}. A segment in
[[double brackets]] is dropped when a placeholder in it has no value, so each language keeps its own
grammar; {email} or {host} outside brackets (in commands) becomes the EMAIL or HOST metavariable.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "ok": {
        "en": ("The server accepted the request[[ for {email}]]: signing in and sending work.",
               "Nothing to do."),
        "es": ("El servidor aceptó la solicitud[[ de {email}]]: el inicio de sesión y el envío funcionan.",
               "No hay nada que hacer."),
        "pl": ("Serwer przyjął żądanie[[ dla {email}]]: logowanie i wysyłanie działają.",
               "Nie trzeba nic robić."),
    },
    "bad_credentials": {
        "en": ("Google did not accept the user name and password[[ of {email}]]. For Gmail this nearly always "
               "means the app password: it was mistyped, deleted, or revoked because the account password was "
               "changed (a password change revokes every app password).",
               "Create a new app password[[ for {email}]] at https://myaccount.google.com/apppasswords, named "
               "after the company[[ ({company})]], delete the old one from that list, then run "
               "`mailkit secret set {email}` and paste the 16 letters. The login must be the full address."),
        "es": ("Google no aceptó el usuario y la contraseña[[ de {email}]]. En Gmail casi siempre se trata de la "
               "contraseña de aplicación: se escribió mal, se eliminó o quedó revocada porque se cambió la "
               "contraseña de la cuenta (al cambiarla se revocan todas las contraseñas de aplicación).",
               "Crea una nueva contraseña de aplicación[[ para {email}]] en "
               "https://myaccount.google.com/apppasswords con el nombre de la empresa[[ ({company})]], elimina "
               "la anterior de esa lista y luego ejecuta `mailkit secret set {email}` y pega las 16 letras. "
               "El usuario debe ser la dirección de correo completa."),
        "pl": ("Google nie zaakceptował nazwy użytkownika i hasła[[ konta {email}]]. W Gmailu prawie zawsze "
               "chodzi o hasło do aplikacji: zostało błędnie wpisane, usunięte albo unieważnione po zmianie hasła "
               "do konta (zmiana hasła unieważnia wszystkie hasła do aplikacji).",
               "Utwórz nowe hasło do aplikacji[[ dla {email}]] na https://myaccount.google.com/apppasswords, "
               "nazwane jak firma[[ ({company})]], usuń stare z tej listy, a potem uruchom "
               "`mailkit secret set {email}` i wklej 16 liter. Login musi być pełnym adresem e-mail."),
    },
    "app_password_required": {
        "en": ("The account[[ {email}]] has 2-Step Verification turned on, so Google refuses its normal "
               "password in mail programs: it needs an app password or OAuth.",
               "Turn on 2-Step Verification[[ for {email}]] (myaccount.google.com → Security) if it is not on "
               "yet, create an app password named after the company[[ ({company})]] "
               "(myaccount.google.com/apppasswords), then run `mailkit secret set {email}` and paste it. "
               "Or switch the account to OAuth with `mailkit oauth login {email}`."),
        "es": ("La cuenta[[ {email}]] tiene activada la verificación en dos pasos, por lo que Google rechaza su "
               "contraseña normal en programas de correo: necesita una contraseña de aplicación u OAuth.",
               "Activa la verificación en dos pasos[[ de {email}]] (myaccount.google.com → Seguridad) si aún "
               "no está activa, crea una contraseña de aplicación con el nombre de la empresa[[ ({company})]] "
               "(myaccount.google.com/apppasswords) y luego ejecuta `mailkit secret set {email}` y pégala. "
               "O cambia la cuenta a OAuth con `mailkit oauth login {email}`."),
        "pl": ("Konto[[ {email}]] ma włączoną weryfikację dwuetapową, więc Google odrzuca jego zwykłe hasło "
               "w programach pocztowych: potrzebne jest hasło do aplikacji albo OAuth.",
               "Włącz weryfikację dwuetapową[[ dla {email}]] (myaccount.google.com → Bezpieczeństwo), jeśli "
               "nie jest jeszcze włączona, utwórz hasło do aplikacji nazwane jak firma[[ ({company})]] "
               "(myaccount.google.com/apppasswords), a potem uruchom `mailkit secret set {email}` i wklej je. "
               "Możesz też przełączyć konto na OAuth: `mailkit oauth login {email}`."),
    },
    "web_login_required": {
        "en": ("Google blocked the sign-in[[ of {email}]] as unusual (new place, device or program) until "
               "someone signs in with a web browser and confirms it.",
               "Sign in once[[ as {email}]] at https://accounts.google.com from a browser, preferably on the "
               "same network as the business software, and complete the check (e.g. confirm on the phone); "
               "then open https://accounts.google.com/DisplayUnlockCaptcha, press Continue and retry within "
               "10 minutes."),
        "es": ("Google bloqueó el inicio de sesión[[ de {email}]] por considerarlo inusual (lugar, dispositivo "
               "o programa nuevo) hasta que alguien inicie sesión en un navegador y lo confirme.",
               "Inicia sesión una vez[[ como {email}]] en https://accounts.google.com desde un navegador, de "
               "preferencia en la misma red que el sistema de la empresa, y completa la verificación (por "
               "ejemplo, confirma en el teléfono); luego abre https://accounts.google.com/DisplayUnlockCaptcha, "
               "haz clic en Continuar y vuelve a intentarlo antes de 10 minutos."),
        "pl": ("Google zablokował logowanie[[ konta {email}]] jako nietypowe (nowe miejsce, urządzenie lub "
               "program), dopóki ktoś nie zaloguje się w przeglądarce i go nie potwierdzi.",
               "Zaloguj się raz[[ jako {email}]] na https://accounts.google.com w przeglądarce, najlepiej w tej "
               "samej sieci co program firmowy, i przejdź weryfikację (np. potwierdź na telefonie); potem "
               "otwórz https://accounts.google.com/DisplayUnlockCaptcha, kliknij Dalej i ponów próbę w ciągu "
               "10 minut."),
    },
    "oauth_token_invalid": {
        "en": ("Google rejected the OAuth access token sent with XOAUTH2[[ for {email}]]: it expired, was "
               "revoked, or was issued for another account.",
               "Check again with `mailkit check {email}` (mailkit fetches a fresh access token first); if it "
               "still fails, authorize again with `mailkit oauth login {email}`."),
        "es": ("Google rechazó el token de acceso OAuth enviado con XOAUTH2[[ para {email}]]: caducó, fue "
               "revocado o se emitió para otra cuenta.",
               "Vuelve a verificar con `mailkit check {email}` (mailkit obtiene antes un token de acceso nuevo); "
               "si sigue fallando, autoriza de nuevo con `mailkit oauth login {email}`."),
        "pl": ("Google odrzucił token dostępu OAuth wysłany przez XOAUTH2[[ dla {email}]]: wygasł, został "
               "unieważniony albo wydano go dla innego konta.",
               "Sprawdź ponownie poleceniem `mailkit check {email}` (mailkit najpierw pobiera nowy token "
               "dostępu); jeśli nadal nie działa, autoryzuj ponownie: `mailkit oauth login {email}`."),
    },
    "oauth_reauth_required": {
        "en": ("The stored OAuth refresh token[[ of {email}]] no longer works (invalid_grant). Likely reasons: "
               "access was revoked in the Google account, the account password was changed, the OAuth consent "
               "screen is External and in Testing status (tokens expire after 7 days), the token went unused "
               "for 6 months, or too many tokens were issued for this client and account (the oldest are "
               "dropped).",
               "Authorize again with `mailkit oauth login {email}`. If tokens keep expiring after 7 days, "
               "publish the consent screen (Google Cloud console → APIs & Services → OAuth consent screen → "
               "Publish app) or, for Workspace-only use, make it Internal."),
        "es": ("El token de actualización OAuth guardado[[ de {email}]] ya no funciona (invalid_grant). Causas "
               "probables: se revocó el acceso en la cuenta de Google, se cambió la contraseña de la cuenta, la "
               "pantalla de consentimiento OAuth es Externa y está en modo de prueba (Testing: los tokens caducan "
               "a los 7 días), el token no se usó en 6 meses o se emitieron demasiados tokens para este cliente "
               "y esta cuenta (se descartan los más antiguos).",
               "Autoriza de nuevo con `mailkit oauth login {email}`. Si los tokens siguen caducando a los 7 "
               "días, publica la pantalla de consentimiento (consola de Google Cloud → APIs y servicios → "
               "Pantalla de consentimiento de OAuth → Publicar app) o, si solo se usa con Workspace, "
               "configúrala como Interna."),
        "pl": ("Zapisany token odświeżania OAuth[[ konta {email}]] już nie działa (invalid_grant). Prawdopodobne "
               "przyczyny: dostęp cofnięto na koncie Google, zmieniono hasło do konta, ekran zgody OAuth jest "
               "zewnętrzny i w stanie testowym (Testing: tokeny wygasają po 7 dniach), token nie był używany "
               "przez 6 miesięcy albo wydano zbyt wiele tokenów dla tego klienta i konta (najstarsze są "
               "usuwane).",
               "Autoryzuj ponownie: `mailkit oauth login {email}`. Jeśli tokeny wygasają po 7 dniach, opublikuj "
               "ekran zgody (konsola Google Cloud → Interfejsy API i usługi → Ekran zgody OAuth → Opublikuj "
               "aplikację) albo, gdy używasz tylko Workspace, ustaw go jako wewnętrzny."),
    },
    "oauth_scope_missing": {
        "en": ("The authorization[[ of {email}]] lacks full Gmail access (https://mail.google.com/), which SMTP "
               "and IMAP need: a box was left unticked on the consent screen, or the token was granted only "
               "gmail.send, which works for the Gmail API but not for SMTP.",
               "Run `mailkit oauth login {email}` and on the consent screen tick the box 'Read, compose, send "
               "and permanently delete all your email from Gmail' (send email on your behalf) before pressing "
               "Continue."),
        "es": ("La autorización[[ de {email}]] no incluye el acceso completo a Gmail (https://mail.google.com/) "
               "que necesitan SMTP e IMAP: se dejó sin marcar una casilla en la pantalla de consentimiento o el "
               "token solo concede gmail.send, que sirve para la API de Gmail pero no para SMTP.",
               "Ejecuta `mailkit oauth login {email}` y en la pantalla de consentimiento marca la casilla «Leer, "
               "redactar y enviar correos electrónicos, y eliminarlos permanentemente de Gmail» (enviar correo "
               "en tu nombre) antes de hacer clic en Continuar."),
        "pl": ("Autoryzacja[[ konta {email}]] nie obejmuje pełnego dostępu do Gmaila (https://mail.google.com/), "
               "którego wymagają SMTP i IMAP: na ekranie zgody pozostawiono niezaznaczone pole albo token "
               "obejmuje tylko gmail.send, który działa z Gmail API, ale nie z SMTP.",
               "Uruchom `mailkit oauth login {email}` i na ekranie zgody zaznacz pole „Czytanie, tworzenie "
               "i wysyłanie e-maili oraz trwałe usuwanie wszystkich e-maili z Gmaila” (wysyłanie e-maili "
               "w Twoim imieniu), zanim klikniesz Dalej."),
    },
    "oauth_wrong_account": {
        "en": ("The browser authorized a different Google account than the one being set up[[ ({email})]]; "
               "that token cannot send as this account.",
               "Run `mailkit oauth login {email}` again; in the browser choose 'Use another account' (or use a "
               "private window) and sign in with the right account[[ ({email})]]."),
        "es": ("En el navegador se autorizó una cuenta de Google distinta de la que se está configurando"
               "[[ ({email})]]; ese token no puede enviar como esta cuenta.",
               "Ejecuta de nuevo `mailkit oauth login {email}`; en el navegador elige «Usar otra cuenta» (o abre "
               "una ventana privada) e inicia sesión con la cuenta correcta[[ ({email})]]."),
        "pl": ("W przeglądarce autoryzowano inne konto Google niż konfigurowane[[ ({email})]]; ten token nie "
               "pozwala wysyłać jako to konto.",
               "Uruchom ponownie `mailkit oauth login {email}`; w przeglądarce wybierz „Użyj innego konta” "
               "(albo otwórz okno prywatne) i zaloguj się na właściwe konto[[ ({email})]]."),
    },
    "not_configured": {
        "en": ("mailkit has no app password or OAuth token stored for this account[[ ({email})]], so it could "
               "not sign in.",
               "Store an app password with `mailkit secret set {email}`, or authorize the account with OAuth: "
               "`mailkit oauth login {email}`."),
        "es": ("mailkit no tiene guardada ninguna contraseña de aplicación ni token OAuth para esta cuenta"
               "[[ ({email})]], así que no pudo iniciar sesión.",
               "Guarda una contraseña de aplicación con `mailkit secret set {email}` o autoriza la cuenta con "
               "OAuth: `mailkit oauth login {email}`."),
        "pl": ("mailkit nie ma zapisanego hasła do aplikacji ani tokenu OAuth dla tego konta[[ ({email})]], więc "
               "nie mógł się zalogować.",
               "Zapisz hasło do aplikacji poleceniem `mailkit secret set {email}` albo autoryzuj konto przez "
               "OAuth: `mailkit oauth login {email}`."),
    },
    "keyring_error": {
        "en": ("mailkit could not read this account's secret from the keyring[[ ({email})]]: the keyring itself "
               "failed (locked, not running, or the wrong passphrase), so nothing was tried against the server.",
               "Unlock or start the keyring (the desktop keyring, or for the encrypted file the passphrase in "
               "MAILKIT_KEYRING_PASSPHRASE), then check again; `mailkit secret backend` shows which keyring is used. "
               "The stored secrets are not lost."),
        "es": ("mailkit no pudo leer el secreto de esta cuenta en el llavero[[ ({email})]]: el propio llavero falló "
               "(bloqueado, sin iniciar o con la frase de paso equivocada), así que no se intentó nada con el "
               "servidor.",
               "Desbloquea o inicia el llavero (el del escritorio o, para el archivo cifrado, la frase de paso en "
               "MAILKIT_KEYRING_PASSPHRASE) y vuelve a comprobar; `mailkit secret backend` muestra qué llavero se "
               "usa. Los secretos guardados no se pierden."),
        "pl": ("mailkit nie odczytał sekretu tego konta z pęku kluczy[[ ({email})]]: zawiódł sam pęk kluczy "
               "(zablokowany, nieuruchomiony albo błędne hasło), więc niczego nie próbowano na serwerze.",
               "Odblokuj lub uruchom pęk kluczy (systemowy albo, dla zaszyfrowanego pliku, hasło w "
               "MAILKIT_KEYRING_PASSPHRASE) i sprawdź ponownie; `mailkit secret backend` pokazuje, który pęk "
               "kluczy jest używany. Zapisane sekrety nie przepadły."),
    },
    "not_configured:insecure": {
        "en": ("This account's settings would send its password unencrypted or to a server outside its provider's"
               "[[ ({detail})]], and nobody allowed that for it, so mailkit did not sign in.",
               "Put the provider's own servers back with STARTTLS or SSL (`mailkit account add {email} --company "
               "COMPANY --provider PROVIDER`), or, if this is on purpose, add it again with --allow-insecure."),
        "es": ("La configuración de esta cuenta enviaría su contraseña sin cifrar o a un servidor ajeno a su "
               "proveedor[[ ({detail})]], y nadie lo permitió para ella, así que mailkit no inició sesión.",
               "Vuelve a poner los servidores del propio proveedor con STARTTLS o SSL (`mailkit account add {email} "
               "--company EMPRESA --provider PROVEEDOR`) o, si es a propósito, agrégala de nuevo con "
               "--allow-insecure."),
        "pl": ("Ustawienia tego konta wysłałyby hasło bez szyfrowania albo do serwera spoza jego dostawcy"
               "[[ ({detail})]], a nikt na to nie zezwolił, więc mailkit się nie logował.",
               "Przywróć serwery samego dostawcy z STARTTLS lub SSL (`mailkit account add {email} --company FIRMA "
               "--provider DOSTAWCA`) albo, jeśli to celowe, dodaj konto ponownie z --allow-insecure."),
    },
    "provider_not_detected": {
        "en": ("mailkit could not tell who hosts the mail of this account's domain[[ ({email})]]: DNS did not answer "
               "when the account was added, so it has no server yet and nothing was sent anywhere.",
               "When the network answers, run `mailkit account detect`; or set the provider yourself with `mailkit "
               "account add {email} --company COMPANY --provider PROVIDER` (the choices are in `mailkit account add "
               "--help`; a custom server also needs --smtp-host)."),
        "es": ("mailkit no pudo saber quién aloja el correo del dominio de esta cuenta[[ ({email})]]: el DNS no "
               "respondió cuando se añadió la cuenta, así que aún no tiene servidor y no se envió nada.",
               "Cuando la red responda, ejecuta `mailkit account detect`; o indica tú el proveedor con `mailkit "
               "account add {email} --company EMPRESA --provider PROVEEDOR` (las opciones están en `mailkit account "
               "add --help`; un servidor propio necesita además --smtp-host)."),
        "pl": ("mailkit nie ustalił, kto obsługuje pocztę domeny tego konta[[ ({email})]]: DNS nie odpowiedział przy "
               "dodawaniu konta, więc nie ma ono jeszcze serwera i nic nigdzie nie wysłano.",
               "Gdy sieć zacznie odpowiadać, uruchom `mailkit account detect`; albo ustaw dostawcę sam poleceniem "
               "`mailkit account add {email} --company FIRMA --provider DOSTAWCA` (wybór w `mailkit account add "
               "--help`; własny serwer wymaga też --smtp-host)."),
    },
    "auth_mechanism_unsupported": {
        "en": ("The server[[ {host}]] does not accept the sign-in method that was tried (for example XOAUTH2 on "
               "a server that only takes passwords).",
               "Check the account's server settings: for Gmail, smtp.gmail.com with port 587 and STARTTLS or "
               "port 465 and SSL/TLS; for a server without XOAUTH2, set the account's auth to app-password and "
               "store it with `mailkit secret set {email}`."),
        "es": ("El servidor[[ {host}]] no acepta el método de inicio de sesión que se intentó (por ejemplo, "
               "XOAUTH2 en un servidor que solo admite contraseñas).",
               "Revisa la configuración del servidor de la cuenta: para Gmail, smtp.gmail.com con el puerto 587 "
               "y STARTTLS o el puerto 465 y SSL/TLS; para un servidor sin XOAUTH2, cambia la autenticación de "
               "la cuenta a app-password y guárdala con `mailkit secret set {email}`."),
        "pl": ("Serwer[[ {host}]] nie przyjmuje użytej metody logowania (na przykład XOAUTH2 na serwerze, który "
               "przyjmuje tylko hasła).",
               "Sprawdź ustawienia serwera konta: dla Gmaila smtp.gmail.com z portem 587 i STARTTLS albo portem "
               "465 i SSL/TLS; dla serwera bez XOAUTH2 ustaw uwierzytelnianie konta na app-password i zapisz "
               "hasło poleceniem `mailkit secret set {email}`."),
    },
    "rate_limited": {
        "en": ("Google is refusing for now: too many sign-ins or connections in a short time (replies 454 or "
               "421, HTTP 429, IMAP THROTTLED or too many simultaneous connections).",
               "Wait 10 to 15 minutes and retry; run audits with lower concurrency "
               "(`mailkit audit --concurrency 2`) and close other programs that sign in as the same account"
               "[[ ({email})]] (Gmail allows about 15 IMAP connections per account)."),
        "es": ("Google rechaza las conexiones por ahora: demasiados inicios de sesión o conexiones en poco tiempo "
               "(respuestas 454 o 421, HTTP 429, IMAP THROTTLED o demasiadas conexiones simultáneas).",
               "Espera de 10 a 15 minutos y vuelve a intentarlo; ejecuta las auditorías con menos concurrencia "
               "(`mailkit audit --concurrency 2`) y cierra otros programas que inicien sesión con la misma "
               "cuenta[[ ({email})]] (Gmail permite unas 15 conexiones IMAP por cuenta)."),
        "pl": ("Google chwilowo odmawia: zbyt wiele logowań lub połączeń w krótkim czasie (odpowiedzi 454 lub "
               "421, HTTP 429, IMAP THROTTLED albo zbyt wiele równoczesnych połączeń).",
               "Odczekaj 10–15 minut i spróbuj ponownie; uruchamiaj audyty z mniejszą współbieżnością "
               "(`mailkit audit --concurrency 2`) i zamknij inne programy logujące się na to samo konto"
               "[[ ({email})]] (Gmail pozwala na około 15 połączeń IMAP na konto)."),
    },
    "rate_limited:temporary": {
        "en": ("The server[[ {host}]] refused for now with a temporary (4xx) reply it did not explain further: "
               "a busy server, a passing fault on its side, or a limit it does not name.",
               "Retry in a few minutes (`mailkit check {email}`); if the same reply keeps coming for hours, "
               "show the raw reply to whoever runs the server."),
        "es": ("El servidor[[ {host}]] rechazó por ahora con una respuesta temporal (4xx) sin más explicación: "
               "un servidor ocupado, una falla pasajera de su lado o un límite que no nombra.",
               "Reintenta en unos minutos (`mailkit check {email}`); si la misma respuesta sigue durante horas, "
               "muestra la respuesta original a quien administra el servidor."),
        "pl": ("Serwer[[ {host}]] chwilowo odmówił odpowiedzią tymczasową (4xx) bez dalszych wyjaśnień: "
               "przeciążenie, przejściowa awaria po jego stronie albo limit, którego nie nazywa.",
               "Ponów za kilka minut (`mailkit check {email}`); jeśli ta sama odpowiedź wraca przez wiele godzin, "
               "pokaż oryginalną odpowiedź administratorowi serwera."),
    },
    "rate_limited:ehlo": {
        "en": ("The server[[ {host}]] closed the connection at the greeting (EHLO) and asked to try again later: "
               "servers do this when the program's EHLO name is missing or odd, or when too many connections "
               "come from this address.",
               "Retry in a few minutes; if it keeps happening, give the sending program a proper HELO/EHLO name "
               "(this machine's full host name) and open fewer connections at once (`mailkit audit "
               "--concurrency 2`)."),
        "es": ("El servidor[[ {host}]] cerró la conexión en el saludo (EHLO) y pidió reintentar más tarde: los "
               "servidores lo hacen cuando falta el nombre EHLO del programa o es extraño, o cuando llegan "
               "demasiadas conexiones desde esta dirección.",
               "Reintenta en unos minutos; si se repite, da al programa que envía un nombre HELO/EHLO correcto "
               "(el nombre completo de este equipo) y abre menos conexiones a la vez (`mailkit audit "
               "--concurrency 2`)."),
        "pl": ("Serwer[[ {host}]] zamknął połączenie przy powitaniu (EHLO) i poprosił o ponowienie później: "
               "serwery robią tak, gdy program nie podaje nazwy EHLO albo jest ona dziwna, lub gdy z tego adresu "
               "przychodzi zbyt wiele połączeń.",
               "Ponów za kilka minut; jeśli to się powtarza, nadaj programowi wysyłającemu poprawną nazwę "
               "HELO/EHLO (pełną nazwę tego komputera) i otwieraj mniej połączeń naraz (`mailkit audit "
               "--concurrency 2`)."),
    },
    "quota_exceeded": {
        "en": ("The account[[ {email}]] reached Google's daily sending limit (about 500 messages a day for "
               "consumer Gmail, 2,000 for Google Workspace, 500 during a Workspace trial), counted over a "
               "rolling 24 hours.",
               "Stop test sends from this account and wait up to 24 hours; spread bulk mail over several "
               "accounts or a mail-sending service. Limits: https://support.google.com/a/answer/166852."),
        "es": ("La cuenta[[ {email}]] alcanzó el límite diario de envío de Google (unos 500 mensajes al día en "
               "Gmail personal, 2,000 en Google Workspace, 500 durante la prueba de Workspace), contado sobre "
               "las últimas 24 horas.",
               "Deja de enviar pruebas desde esta cuenta y espera hasta 24 horas; reparte los envíos masivos "
               "entre varias cuentas o un servicio de envío de correo. Límites: "
               "https://support.google.com/a/answer/166852."),
        "pl": ("Konto[[ {email}]] osiągnęło dzienny limit wysyłania Google (około 500 wiadomości dziennie "
               "w prywatnym Gmailu, 2000 w Google Workspace, 500 w okresie próbnym Workspace), liczony "
               "w kroczącym oknie 24 godzin.",
               "Wstrzymaj wysyłki testowe z tego konta i odczekaj do 24 godzin; rozłóż wysyłkę masową na kilka "
               "kont lub serwis do wysyłki poczty. Limity: https://support.google.com/a/answer/166852."),
    },
    "sender_rejected": {
        "en": ("Google refused the From (sender) address: the account may send only as itself or as an address "
               "added under 'Send mail as' (or allowed by the Workspace admin).",
               "Use the account's own address as From[[ ({email})]], or add the address in Gmail → Settings → "
               "Accounts and Import → Send mail as, and confirm it; in Workspace ask the admin to allow it."),
        "es": ("Google rechazó la dirección del remitente (From): la cuenta solo puede enviar como ella misma o "
               "como una dirección agregada en «Enviar como» (o permitida por el administrador de Workspace).",
               "Usa la dirección de la propia cuenta como remitente[[ ({email})]] o agrega la dirección en "
               "Gmail → Configuración → Cuentas e importación → Enviar como, y confírmala; en Workspace pide al "
               "administrador que la permita."),
        "pl": ("Google odrzucił adres nadawcy (From): konto może wysyłać tylko jako ono samo albo jako adres "
               "dodany w „Wyślij jako” (lub dozwolony przez administratora Workspace).",
               "Użyj jako nadawcy adresu samego konta[[ ({email})]] albo dodaj adres w Gmailu → Ustawienia → "
               "Konta i importowanie → Wyślij jako i potwierdź go; w Workspace poproś administratora "
               "o zezwolenie."),
    },
    "sender_rejected:relay": {
        "en": ("Google's SMTP relay (smtp-relay.gmail.com) refused mail from this sender: the sending device's IP "
               "address or the sender's domain is not registered in the Workspace SMTP relay settings.",
               "In the Google Admin console (Apps → Google Workspace → Gmail → Routing → SMTP relay service) "
               "allow this device's public IP address or require SMTP authentication; or send through "
               "smtp.gmail.com with the account's own sign-in[[ ({email})]]."),
        "es": ("El relay SMTP de Google (smtp-relay.gmail.com) rechazó el correo de este remitente: la IP del "
               "equipo que envía o el dominio del remitente no está registrado en la configuración del relay "
               "SMTP de Workspace.",
               "En la consola de administración de Google (Apps → Google Workspace → Gmail → Enrutamiento → "
               "Servicio de relay SMTP) permite la IP pública de este equipo o exige autenticación SMTP; o envía "
               "por smtp.gmail.com con el inicio de sesión de la propia cuenta[[ ({email})]]."),
        "pl": ("Przekaźnik SMTP Google (smtp-relay.gmail.com) odrzucił pocztę od tego nadawcy: adres IP "
               "urządzenia wysyłającego albo domena nadawcy nie jest zarejestrowana w ustawieniach przekaźnika "
               "SMTP Workspace.",
               "W konsoli administracyjnej Google (Aplikacje → Google Workspace → Gmail → Routing → Usługa "
               "przekaźnika SMTP) zezwól na publiczny adres IP tego urządzenia albo wymagaj uwierzytelniania SMTP; "
               "możesz też wysyłać przez smtp.gmail.com z logowaniem samego konta[[ ({email})]]."),
    },
    "recipient_rejected:relay": {
        "en": ("The server refused to pass the message on to this recipient (relay denied): it does not treat "
               "this connection as signed in, or the account may not send to outside addresses.",
               "Make sure the account signs in (a secret is stored and `mailkit check {email} --transcript` "
               "shows AUTH succeeding) and uses the submission port (587 or 465), not "
               "port 25; otherwise ask the server's admin to allow relaying for the account."),
        "es": ("El servidor se negó a entregar el mensaje a este destinatario (relay denegado): no considera "
               "autenticada esta conexión o la cuenta no puede enviar a direcciones externas.",
               "Asegúrate de que la cuenta inicie sesión (tiene un secreto guardado y `mailkit check {email} "
               "--transcript` muestra AUTH aceptado) y use el puerto de envío "
               "(587 o 465), no el 25; si no, pide al administrador del servidor que permita el relay."),
        "pl": ("Serwer odmówił przekazania wiadomości do tego odbiorcy (relay denied): nie uważa tego połączenia "
               "za zalogowane albo konto nie może wysyłać na adresy zewnętrzne.",
               "Upewnij się, że konto się loguje (sekret jest zapisany, a `mailkit check {email} --transcript` "
               "pokazuje udane AUTH) i używa portu do wysyłki (587 lub "
               "465), a nie 25; w przeciwnym razie poproś administratora serwera o zezwolenie na relay."),
    },
    "sender_rejected:non_ascii": {
        "en": ("The From address[[ {detail}]] has letters outside ASCII (such as accents) and the server does not "
               "offer SMTPUTF8, the extension that carries such addresses: the message was not sent.",
               "Send from an address without accents (ASCII only), or through a server that offers SMTPUTF8 "
               "(most large providers do)."),
        "es": ("La dirección del remitente[[ {detail}]] tiene caracteres fuera de ASCII (como acentos) y el servidor "
               "no ofrece SMTPUTF8, la extensión que admite esas direcciones: el mensaje no se envió.",
               "Envía desde una dirección sin acentos (solo ASCII) o a través de un servidor que ofrezca SMTPUTF8 "
               "(la mayoría de los grandes proveedores lo ofrece)."),
        "pl": ("Adres nadawcy[[ {detail}]] zawiera znaki spoza ASCII (np. litery z akcentami), a serwer nie oferuje "
               "SMTPUTF8, rozszerzenia, które przenosi takie adresy: wiadomość nie została wysłana.",
               "Wysyłaj z adresu bez znaków diakrytycznych (tylko ASCII) albo przez serwer oferujący SMTPUTF8 "
               "(oferuje go większość dużych dostawców)."),
    },
    "recipient_rejected:non_ascii": {
        "en": ("The recipient address[[ {detail}]] has letters outside ASCII (such as accents) and the server does "
               "not offer SMTPUTF8, the extension that carries such addresses: the message was not sent.",
               "Send the test to an address without accents (--send-to), or through a server that offers "
               "SMTPUTF8 (most large providers do)."),
        "es": ("La dirección del destinatario[[ {detail}]] tiene caracteres fuera de ASCII (como acentos) y el "
               "servidor no ofrece SMTPUTF8, la extensión que admite esas direcciones: el mensaje no se envió.",
               "Envía la prueba a una dirección sin acentos (--send-to) o a través de un servidor que ofrezca "
               "SMTPUTF8 (la mayoría de los grandes proveedores lo ofrecen)."),
        "pl": ("Adres odbiorcy[[ {detail}]] zawiera znaki spoza ASCII (np. litery z akcentami), a serwer nie oferuje "
               "SMTPUTF8, rozszerzenia, które przenosi takie adresy: wiadomość nie została wysłana.",
               "Wyślij test na adres bez znaków diakrytycznych (--send-to) albo przez serwer oferujący SMTPUTF8 "
               "(oferuje go większość dużych dostawców)."),
    },
    "recipient_rejected": {
        "en": ("The recipient address was refused: it does not exist, is mistyped, or its mailbox is disabled "
               "or full.",
               "Check the recipient address for typos and send the test to an address known to work: "
               "`mailkit check {email} --send-to ADDRESS`."),
        "es": ("Se rechazó la dirección del destinatario: no existe, está mal escrita o su buzón está "
               "desactivado o lleno.",
               "Revisa que la dirección del destinatario no tenga errores y envía la prueba a una dirección que "
               "sepas que funciona: `mailkit check {email} --send-to DIRECCION`."),
        "pl": ("Adres odbiorcy został odrzucony: nie istnieje, zawiera literówkę albo skrzynka jest wyłączona "
               "lub pełna.",
               "Sprawdź adres odbiorcy pod kątem literówek i wyślij test na adres, który na pewno działa: "
               "`mailkit check {email} --send-to ADRES`."),
    },
    "message_rejected": {
        "en": ("Google refused the message itself: its content or an attachment looks unsafe or like spam (for "
               "example an executable file, or an archive that contains one).",
               "Send the test without attachments to confirm; keep invoices to PDF, XML and HTML (no .exe, "
               ".bat, .js or archives containing them) and check the message text and links."),
        "es": ("Google rechazó el mensaje en sí: su contenido o un adjunto parece inseguro o spam (por ejemplo, "
               "un archivo ejecutable o un archivo comprimido que lo contiene).",
               "Envía la prueba sin adjuntos para confirmarlo; limita las facturas a PDF, XML y HTML (nada de "
               ".exe, .bat, .js ni archivos comprimidos que los contengan) y revisa el texto y los enlaces."),
        "pl": ("Google odrzucił samą wiadomość: jej treść lub załącznik wygląda na niebezpieczny albo na spam "
               "(na przykład plik wykonywalny lub archiwum, które go zawiera).",
               "Wyślij test bez załączników, aby to potwierdzić; faktury wysyłaj jako PDF, XML i HTML (bez .exe, "
               ".bat, .js i archiwów z takimi plikami) i sprawdź treść oraz linki."),
    },
    "message_rejected:size": {
        "en": ("The message is larger than Google allows: 25 MB in total, and attachments grow by about a third "
               "when encoded.",
               "Make the attachments smaller (compress the PDF, send fewer per message) so the message stays "
               "well under 25 MB, or share large files as a link."),
        "es": ("El mensaje supera el tamaño que permite Google: 25 MB en total, y los adjuntos crecen cerca de "
               "un tercio al codificarse.",
               "Reduce los adjuntos (comprime el PDF, envía menos por mensaje) para que el mensaje quede muy por "
               "debajo de 25 MB, o comparte los archivos grandes como enlace."),
        "pl": ("Wiadomość jest większa, niż pozwala Google: łącznie 25 MB, a załączniki po zakodowaniu rosną "
               "o około jedną trzecią.",
               "Zmniejsz załączniki (skompresuj PDF, wysyłaj mniej w jednej wiadomości), aby wiadomość była "
               "wyraźnie poniżej 25 MB, albo udostępnij duże pliki jako link."),
    },
    "starttls_required": {
        "en": ("The program tried to sign in before encrypting the connection: on port 587 the client must "
               "issue STARTTLS before AUTH.",
               "Set the account's security to STARTTLS for port 587 (or SSL/TLS for port 465), in the "
               "inventory's `security` column and in the business software's mail settings."),
        "es": ("El programa intentó iniciar sesión antes de cifrar la conexión: en el puerto 587 el cliente debe "
               "enviar STARTTLS antes de AUTH.",
               "Configura la seguridad de la cuenta como STARTTLS para el puerto 587 (o SSL/TLS para el puerto "
               "465), en la columna `security` del inventario y en la configuración de correo del sistema."),
        "pl": ("Program próbował się zalogować przed zaszyfrowaniem połączenia: na porcie 587 klient musi wysłać "
               "STARTTLS przed AUTH.",
               "Ustaw zabezpieczenia konta na STARTTLS dla portu 587 (albo SSL/TLS dla portu 465) w kolumnie "
               "`security` inwentarza i w ustawieniach poczty programu firmowego."),
    },
    "tls_error": {
        "en": ("The encrypted (TLS) connection[[ to {host}]] could not be set up[[: {detail}]].",
               "Check that the port and security mode match (587 with STARTTLS, 465 with SSL/TLS) and that no "
               "proxy or antivirus on the network intercepts encrypted connections; then retry."),
        "es": ("No se pudo establecer la conexión cifrada (TLS)[[ con {host}]][[: {detail}]].",
               "Verifica que el puerto y el modo de seguridad coincidan (587 con STARTTLS, 465 con SSL/TLS) y "
               "que ningún proxy o antivirus de la red intercepte las conexiones cifradas; luego reintenta."),
        "pl": ("Nie udało się zestawić szyfrowanego połączenia (TLS)[[ z serwerem {host}]][[: {detail}]].",
               "Sprawdź, czy port i tryb zabezpieczeń pasują do siebie (587 ze STARTTLS, 465 z SSL/TLS) i czy "
               "żaden serwer proxy ani antywirus w sieci nie przechwytuje połączeń szyfrowanych; potem ponów."),
    },
    "tls_error:wrong_mode": {
        "en": ("Wrong TLS mode for the port[[ {port}]]: implicit TLS (SSL/TLS) was spoken to a STARTTLS port "
               "such as 587, or STARTTLS to an implicit-TLS port such as 465.",
               "Use port 587 with STARTTLS or 465 with SSL/TLS (in mailkit: `--smtp-port 587 --security "
               "starttls` or `--smtp-port 465 --security ssl`)."),
        "es": ("Modo TLS equivocado para el puerto[[ {port}]]: se usó TLS implícito (SSL/TLS) en un puerto "
               "STARTTLS como el 587, o STARTTLS en un puerto de TLS implícito como el 465.",
               "Usa el puerto 587 con STARTTLS o el 465 con SSL/TLS (en mailkit: `--smtp-port 587 --security "
               "starttls` o `--smtp-port 465 --security ssl`)."),
        "pl": ("Zły tryb TLS dla portu[[ {port}]]: z portem STARTTLS, takim jak 587, połączono się przez "
               "bezpośredni TLS (SSL/TLS) albo z portem bezpośredniego TLS, takim jak 465, przez STARTTLS.",
               "Użyj portu 587 ze STARTTLS albo 465 z SSL/TLS (w mailkit: `--smtp-port 587 --security "
               "starttls` lub `--smtp-port 465 --security ssl`)."),
    },
    "tls_error:certificate": {
        "en": ("The server's certificate could not be verified[[: {detail}]]. Google's certificates are valid, "
               "so the problem is usually on this machine or its network.",
               "Check the system clock and date (a wrong date makes valid certificates look expired); check "
               "whether a corporate proxy, firewall or antivirus intercepts TLS (SSL/HTTPS scanning) and exclude "
               "smtp.gmail.com and imap.gmail.com from it; update the system's root certificates."),
        "es": ("No se pudo verificar el certificado del servidor[[: {detail}]]. Los certificados de Google son "
               "válidos, así que el problema suele estar en este equipo o en su red.",
               "Revisa la fecha y hora del sistema (con una fecha equivocada los certificados válidos parecen "
               "caducados); revisa si un proxy corporativo, firewall o antivirus intercepta TLS (análisis "
               "SSL/HTTPS) y excluye de él smtp.gmail.com e imap.gmail.com; actualiza los certificados raíz del "
               "sistema."),
        "pl": ("Nie udało się zweryfikować certyfikatu serwera[[: {detail}]]. Certyfikaty Google są ważne, więc "
               "problem zwykle leży po stronie tego komputera lub jego sieci.",
               "Sprawdź zegar i datę systemu (przy złej dacie ważne certyfikaty wyglądają na wygasłe); sprawdź, "
               "czy firmowy serwer proxy, zapora lub antywirus nie przechwytuje TLS (skanowanie SSL/HTTPS), "
               "i wyklucz z niego smtp.gmail.com oraz imap.gmail.com; zaktualizuj certyfikaty główne systemu."),
    },
    "dns_error": {
        "en": ("The server name[[ {host}]] could not be resolved (DNS): no internet access, a typo in the host "
               "name, or a DNS server that does not answer.",
               "Check the host name (smtp.gmail.com, imap.gmail.com) and this machine's internet and DNS "
               "settings, e.g. with `nslookup smtp.gmail.com`."),
        "es": ("No se pudo resolver el nombre del servidor[[ {host}]] (DNS): no hay acceso a internet, el nombre "
               "tiene un error o el servidor DNS no responde.",
               "Revisa el nombre del servidor (smtp.gmail.com, imap.gmail.com) y la configuración de internet y "
               "DNS de este equipo, por ejemplo con `nslookup smtp.gmail.com`."),
        "pl": ("Nie udało się przetłumaczyć nazwy serwera[[ {host}]] na adres (DNS): brak dostępu do internetu, "
               "literówka w nazwie albo serwer DNS nie odpowiada.",
               "Sprawdź nazwę serwera (smtp.gmail.com, imap.gmail.com) oraz ustawienia internetu i DNS tego "
               "komputera, np. poleceniem `nslookup smtp.gmail.com`."),
    },
    "connection_refused": {
        "en": ("The connection[[ to {host}]][[ on port {port}]] was refused or could not reach the server: "
               "nothing listens there, or a firewall rejects it (a blocked outbound port 587 is common).",
               "Check the port (587 or 465 for Gmail SMTP, 993 for IMAP; port 25 is not for submission and is "
               "often blocked) and ask the network admin to allow outbound connections to smtp.gmail.com on "
               "ports 587 and 465 and to imap.gmail.com on 993."),
        "es": ("La conexión[[ a {host}]][[ en el puerto {port}]] fue rechazada o no llegó al servidor: no hay "
               "nada escuchando ahí o un firewall la rechaza (es común que el puerto de salida 587 esté "
               "bloqueado).",
               "Revisa el puerto (587 o 465 para SMTP de Gmail, 993 para IMAP; el 25 no es para envío y suele "
               "estar bloqueado) y pide al administrador de la red que permita conexiones de salida a "
               "smtp.gmail.com en los puertos 587 y 465 y a imap.gmail.com en el 993."),
        "pl": ("Połączenie[[ z serwerem {host}]][[ na porcie {port}]] zostało odrzucone albo nie dotarło do "
               "serwera: nic tam nie nasłuchuje lub zapora je blokuje (często zablokowany jest wychodzący port 587).",
               "Sprawdź port (587 lub 465 dla SMTP Gmaila, 993 dla IMAP; port 25 nie służy do wysyłki i bywa "
               "blokowany) i poproś administratora sieci o zezwolenie na połączenia wychodzące do "
               "smtp.gmail.com na portach 587 i 465 oraz do imap.gmail.com na porcie 993."),
    },
    "timeout": {
        "en": ("The server[[ {host}]] did not answer in time[[ on port {port}]]: a firewall silently dropping "
               "outbound mail ports, a slow network, or STARTTLS spoken to the implicit-TLS port 465.",
               "Check that the firewall lets outbound mail ports through[[ (here {port})]]: 587 and 465 for "
               "Gmail SMTP, 993 for IMAP; then retry. With port 465 the mode must be SSL/TLS, not STARTTLS."),
        "es": ("El servidor[[ {host}]] no respondió a tiempo[[ en el puerto {port}]]: un firewall que descarta "
               "en silencio los puertos de correo de salida, una red lenta o STARTTLS usado en el puerto 465, que "
               "es de TLS implícito.",
               "Verifica que el firewall deje salir los puertos de correo[[ (aquí el {port})]]: 587 y 465 para "
               "SMTP de Gmail, 993 para IMAP; luego reintenta. Con el puerto 465 el modo debe ser SSL/TLS, no "
               "STARTTLS."),
        "pl": ("Serwer[[ {host}]] nie odpowiedział na czas[[ na porcie {port}]]: zapora po cichu blokuje "
               "wychodzące porty pocztowe, sieć jest wolna albo z portem 465 (bezpośredni TLS) połączono się "
               "przez STARTTLS.",
               "Sprawdź, czy zapora przepuszcza wychodzące porty pocztowe[[ (tutaj {port})]]: 587 i 465 dla SMTP "
               "Gmaila, 993 dla IMAP; potem ponów próbę. Przy porcie 465 tryb musi być SSL/TLS, nie STARTTLS."),
    },
    "connection_lost": {
        "en": ("The server closed the connection in the middle of the conversation: a network interruption, a "
               "proxy or antivirus cutting it, or the server dropping a busy or idle connection.",
               "Retry in a few minutes; if it keeps happening, check proxies and antivirus mail scanning on this "
               "machine, and that the port and security mode match (587 STARTTLS, 465 SSL/TLS)."),
        "es": ("El servidor cerró la conexión a mitad de la conversación: una interrupción de la red, un proxy o "
               "antivirus que la corta, o el servidor que descarta una conexión ocupada o inactiva.",
               "Reintenta en unos minutos; si se repite, revisa los proxies y el análisis de correo del "
               "antivirus en este equipo, y que el puerto y el modo de seguridad coincidan (587 STARTTLS, 465 "
               "SSL/TLS)."),
        "pl": ("Serwer zamknął połączenie w trakcie rozmowy: przerwa w sieci, serwer proxy lub antywirus, który "
               "je przerywa, albo serwer zrywający zajęte lub bezczynne połączenie.",
               "Ponów próbę za kilka minut; jeśli to się powtarza, sprawdź serwery proxy i skanowanie poczty "
               "przez antywirus na tym komputerze oraz czy port i tryb zabezpieczeń pasują (587 STARTTLS, 465 "
               "SSL/TLS)."),
    },
    "unknown": {
        "en": ("mailkit does not recognise this answer or error[[ ({detail})]]; the raw text shown with the "
               "result (secrets hidden) says more.",
               "Read the raw reply and run `mailkit check {email} --transcript` to see the whole conversation; "
               "if the reply code starts with 4 the problem is temporary: retry later."),
        "es": ("mailkit no reconoce esta respuesta o error[[ ({detail})]]; el texto original que acompaña al "
               "resultado (sin secretos) da más detalles.",
               "Lee la respuesta original y ejecuta `mailkit check {email} --transcript` para ver toda la "
               "conversación; si el código de respuesta empieza con 4, el problema es temporal: reintenta más "
               "tarde."),
        "pl": ("mailkit nie rozpoznaje tej odpowiedzi ani błędu[[ ({detail})]]; więcej mówi oryginalny tekst "
               "pokazany przy wyniku (bez sekretów).",
               "Przeczytaj oryginalną odpowiedź i uruchom `mailkit check {email} --transcript`, aby zobaczyć całą "
               "rozmowę; jeśli kod odpowiedzi zaczyna się od 4, problem jest chwilowy: spróbuj później."),
    },
}

#: Wording for a server that is not Google's (provider "custom", or one mailkit does not know): the same
#: statuses without Google's URLs, hosts, limits or 16-letter app passwords. Only what differs is here;
#: every other key falls back to TEXTS, whose remaining entries name no provider.
NEUTRAL: dict[str, dict[str, tuple[str, str]]] = {
    "bad_credentials": {
        "en": ("The server[[ {host}]] did not accept the user name and password[[ of {email}]]: the password is "
               "wrong or was changed, or the login is not the form this server expects (full address or "
               "user name).",
               "Check the password with the mail provider (sign in to its webmail with it), and the login "
               "form, then store it again with `mailkit secret set {email}`."),
        "es": ("El servidor[[ {host}]] no aceptó el usuario y la contraseña[[ de {email}]]: la contraseña es "
               "incorrecta o cambió, o el usuario no tiene la forma que espera este servidor (dirección completa "
               "o nombre de usuario).",
               "Comprueba la contraseña con el proveedor de correo (inicia sesión en su webmail con ella) y la "
               "forma del usuario, y guárdala de nuevo con `mailkit secret set {email}`."),
        "pl": ("Serwer[[ {host}]] nie zaakceptował nazwy użytkownika i hasła[[ konta {email}]]: hasło jest błędne "
               "lub zostało zmienione albo login nie ma formy oczekiwanej przez ten serwer (pełny adres lub "
               "nazwa użytkownika).",
               "Sprawdź hasło u dostawcy poczty (zaloguj się nim do poczty przez przeglądarkę) oraz formę "
               "loginu, a potem zapisz je ponownie: `mailkit secret set {email}`."),
    },
    "app_password_required": {
        "en": ("The server asks for a separate password for mail programs (an app password)[[ for {email}]]: the "
               "account's normal password is not accepted for SMTP or IMAP, usually because two-factor sign-in "
               "is on.",
               "Create an app password (or device password) in the mail provider's account settings, then run "
               "`mailkit secret set {email}` and paste it."),
        "es": ("El servidor pide una contraseña aparte para programas de correo (contraseña de aplicación)"
               "[[ para {email}]]: la contraseña normal de la cuenta no se acepta en SMTP ni IMAP, por lo general "
               "porque está activado el inicio de sesión en dos pasos.",
               "Crea una contraseña de aplicación (o de dispositivo) en la configuración de la cuenta del "
               "proveedor de correo y luego ejecuta `mailkit secret set {email}` y pégala."),
        "pl": ("Serwer wymaga osobnego hasła dla programów pocztowych (hasła do aplikacji)[[ dla {email}]]: zwykłe "
               "hasło konta nie jest przyjmowane przez SMTP ani IMAP, zwykle z powodu logowania dwuetapowego.",
               "Utwórz hasło do aplikacji (lub urządzenia) w ustawieniach konta u dostawcy poczty, a potem "
               "uruchom `mailkit secret set {email}` i wklej je."),
    },
    "web_login_required": {
        "en": ("The server blocked the sign-in[[ of {email}]] until someone signs in through its web page and "
               "confirms it (a security check on a new place or program).",
               "Sign in once to the provider's webmail as this account, complete the check it shows, then retry "
               "with `mailkit check {email}`."),
        "es": ("El servidor bloqueó el inicio de sesión[[ de {email}]] hasta que alguien inicie sesión en su página "
               "web y lo confirme (un control de seguridad ante un lugar o programa nuevo).",
               "Inicia sesión una vez en el webmail del proveedor con esta cuenta, completa la verificación que "
               "muestre y reintenta con `mailkit check {email}`."),
        "pl": ("Serwer zablokował logowanie[[ konta {email}]], dopóki ktoś nie zaloguje się przez jego stronę "
               "i tego nie potwierdzi (kontrola bezpieczeństwa przy nowym miejscu lub programie).",
               "Zaloguj się raz na to konto w poczcie przez przeglądarkę u dostawcy, przejdź pokazaną weryfikację "
               "i ponów: `mailkit check {email}`."),
    },
    "oauth_token_invalid": {
        "en": ("The server[[ {host}]] rejected the OAuth access token sent[[ for {email}]]: it expired, was "
               "revoked, was issued for another account, or the server does not trust its issuer.",
               "Check again with `mailkit check {email}` (a fresh token is fetched first); if it still fails, "
               "authorize again with `mailkit oauth login {email}`, or use a password if the server takes one."),
        "es": ("El servidor[[ {host}]] rechazó el token de acceso OAuth enviado[[ para {email}]]: caducó, fue "
               "revocado, se emitió para otra cuenta o el servidor no confía en quien lo emitió.",
               "Vuelve a verificar con `mailkit check {email}` (antes se obtiene un token nuevo); si sigue "
               "fallando, autoriza de nuevo con `mailkit oauth login {email}` o usa una contraseña si el servidor "
               "la acepta."),
        "pl": ("Serwer[[ {host}]] odrzucił wysłany token dostępu OAuth[[ dla {email}]]: wygasł, został "
               "unieważniony, wydano go dla innego konta albo serwer nie ufa jego wystawcy.",
               "Sprawdź ponownie: `mailkit check {email}` (najpierw pobierany jest nowy token); jeśli nadal nie "
               "działa, autoryzuj ponownie `mailkit oauth login {email}` albo użyj hasła, jeśli serwer je przyjmuje."),
    },
    "oauth_reauth_required": {
        "en": ("The stored OAuth refresh token[[ of {email}]] no longer works (invalid_grant): access was revoked, "
               "the password changed, or the token expired under the identity provider's rules.",
               "Authorize again with `mailkit oauth login {email}`."),
        "es": ("El token de actualización OAuth guardado[[ de {email}]] ya no funciona (invalid_grant): se revocó "
               "el acceso, cambió la contraseña o el token caducó según las reglas del proveedor de identidad.",
               "Autoriza de nuevo con `mailkit oauth login {email}`."),
        "pl": ("Zapisany token odświeżania OAuth[[ konta {email}]] już nie działa (invalid_grant): cofnięto dostęp, "
               "zmieniono hasło albo token wygasł zgodnie z regułami dostawcy tożsamości.",
               "Autoryzuj ponownie: `mailkit oauth login {email}`."),
    },
    "oauth_scope_missing": {
        "en": ("The authorization[[ of {email}]] lacks the scope the server's challenge asks for, so the token "
               "may not be used for mail.",
               "Run `mailkit oauth login {email}` and grant every permission the consent screen asks for."),
        "es": ("La autorización[[ de {email}]] no incluye el alcance (scope) que pide el desafío del servidor, así "
               "que el token no sirve para el correo.",
               "Ejecuta `mailkit oauth login {email}` y concede todos los permisos que pida la pantalla de "
               "consentimiento."),
        "pl": ("Autoryzacja[[ konta {email}]] nie obejmuje zakresu (scope), którego żąda serwer, więc tokenu nie "
               "można użyć do poczty.",
               "Uruchom `mailkit oauth login {email}` i przyznaj wszystkie uprawnienia, o które prosi ekran zgody."),
    },
    "oauth_wrong_account": {
        "en": ("The browser authorized a different account than the one being set up[[ ({email})]]; that token "
               "cannot send as this account.",
               "Run `mailkit oauth login {email}` again and sign in with the right account[[ ({email})]] (a "
               "private window avoids the account already signed in)."),
        "es": ("En el navegador se autorizó una cuenta distinta de la que se está configurando[[ ({email})]]; ese "
               "token no puede enviar como esta cuenta.",
               "Ejecuta de nuevo `mailkit oauth login {email}` e inicia sesión con la cuenta correcta[[ ({email})]] "
               "(una ventana privada evita la cuenta ya abierta)."),
        "pl": ("W przeglądarce autoryzowano inne konto niż konfigurowane[[ ({email})]]; ten token nie pozwala "
               "wysyłać jako to konto.",
               "Uruchom ponownie `mailkit oauth login {email}` i zaloguj się na właściwe konto[[ ({email})]] "
               "(okno prywatne pomija konto już zalogowane)."),
    },
    "not_configured": {
        "en": ("mailkit has no password or OAuth token stored for this account[[ ({email})]], or the server saw "
               "mail sent without signing in first.",
               "Store the account's password with `mailkit secret set {email}` (or authorize with `mailkit oauth "
               "login {email}` if the server takes OAuth)."),
        "es": ("mailkit no tiene guardada ninguna contraseña ni token OAuth para esta cuenta[[ ({email})]], o el "
               "servidor recibió correo sin inicio de sesión previo.",
               "Guarda la contraseña de la cuenta con `mailkit secret set {email}` (o autoriza con `mailkit oauth "
               "login {email}` si el servidor acepta OAuth)."),
        "pl": ("mailkit nie ma zapisanego hasła ani tokenu OAuth dla tego konta[[ ({email})]] albo serwer dostał "
               "pocztę bez wcześniejszego logowania.",
               "Zapisz hasło konta poleceniem `mailkit secret set {email}` (albo autoryzuj `mailkit oauth login "
               "{email}`, jeśli serwer przyjmuje OAuth)."),
    },
    "auth_mechanism_unsupported": {
        "en": ("The server[[ {host}]] does not accept the sign-in method that was tried (for example XOAUTH2 on a "
               "server that takes only passwords, or AUTH before it was offered).",
               "Look at the AUTH methods the server offers (`mailkit check {email} --transcript`) and set the "
               "account's auth to match: a password stored with `mailkit secret set {email}`, or OAuth."),
        "es": ("El servidor[[ {host}]] no acepta el método de inicio de sesión que se intentó (por ejemplo XOAUTH2 "
               "en un servidor que solo admite contraseñas, o AUTH antes de ofrecerlo).",
               "Mira los métodos AUTH que ofrece el servidor (`mailkit check {email} --transcript`) y ajusta la "
               "autenticación de la cuenta: una contraseña guardada con `mailkit secret set {email}` u OAuth."),
        "pl": ("Serwer[[ {host}]] nie przyjmuje użytej metody logowania (na przykład XOAUTH2 na serwerze, który "
               "przyjmuje tylko hasła, albo AUTH, zanim został zaoferowany).",
               "Sprawdź metody AUTH oferowane przez serwer (`mailkit check {email} --transcript`) i dopasuj "
               "uwierzytelnianie konta: hasło zapisane `mailkit secret set {email}` albo OAuth."),
    },
    "rate_limited": {
        "en": ("The server[[ {host}]] is refusing for now: too many sign-ins or connections from this account or "
               "address in a short time, or its sign-in service is briefly unavailable.",
               "Wait 10 to 15 minutes and retry; run audits with lower concurrency (`mailkit audit "
               "--concurrency 2`) and close other programs connected as the same account[[ ({email})]]."),
        "es": ("El servidor[[ {host}]] rechaza por ahora: demasiados inicios de sesión o conexiones de esta cuenta "
               "o dirección en poco tiempo, o su servicio de autenticación no está disponible un momento.",
               "Espera de 10 a 15 minutos y reintenta; ejecuta las auditorías con menos concurrencia (`mailkit "
               "audit --concurrency 2`) y cierra otros programas conectados con la misma cuenta[[ ({email})]]."),
        "pl": ("Serwer[[ {host}]] chwilowo odmawia: zbyt wiele logowań lub połączeń z tego konta albo adresu "
               "w krótkim czasie albo jego usługa logowania jest na chwilę niedostępna.",
               "Odczekaj 10–15 minut i ponów; uruchamiaj audyty z mniejszą współbieżnością (`mailkit audit "
               "--concurrency 2`) i zamknij inne programy połączone jako to samo konto[[ ({email})]]."),
    },
    "quota_exceeded": {
        "en": ("The account[[ {email}]] reached the sending limit its mail provider sets (messages or recipients "
               "per day or hour).",
               "Stop test sends from this account and wait for the limit to reset (often 24 hours); ask the "
               "provider for the limit, or spread bulk mail over several accounts."),
        "es": ("La cuenta[[ {email}]] alcanzó el límite de envío que fija su proveedor de correo (mensajes o "
               "destinatarios por día u hora).",
               "Deja de enviar pruebas desde esta cuenta y espera a que se restablezca el límite (a menudo 24 "
               "horas); pregunta el límite al proveedor o reparte los envíos masivos entre varias cuentas."),
        "pl": ("Konto[[ {email}]] osiągnęło limit wysyłania ustalony przez dostawcę poczty (wiadomości lub "
               "odbiorców na dzień albo godzinę).",
               "Wstrzymaj wysyłki testowe z tego konta i poczekaj na odnowienie limitu (często 24 godziny); zapytaj "
               "dostawcę o limit albo rozłóż wysyłkę masową na kilka kont."),
    },
    "sender_rejected": {
        "en": ("The server refused the From (sender) address: this account may send only as itself or as "
               "addresses the server assigns to it.",
               "Use the account's own address as From[[ ({email})]], or ask the server's admin to let this "
               "account send as the other address."),
        "es": ("El servidor rechazó la dirección del remitente (From): esta cuenta solo puede enviar como ella "
               "misma o como las direcciones que el servidor le asigna.",
               "Usa la dirección de la propia cuenta como remitente[[ ({email})]] o pide al administrador del "
               "servidor que permita a esta cuenta enviar como la otra dirección."),
        "pl": ("Serwer odrzucił adres nadawcy (From): to konto może wysyłać tylko jako ono samo albo jako adresy, "
               "które serwer mu przypisał.",
               "Użyj jako nadawcy adresu samego konta[[ ({email})]] albo poproś administratora serwera, by "
               "pozwolił temu kontu wysyłać jako inny adres."),
    },
    "sender_rejected:relay": {
        "en": ("The relay refused mail from this sender: the sending device's address or the sender's domain is "
               "not among those it relays for.",
               "Ask the relay's admin to allow this device's public IP address or the sender's domain, or send "
               "with the account's own sign-in[[ ({email})]]."),
        "es": ("El relay rechazó el correo de este remitente: la dirección del equipo que envía o el dominio del "
               "remitente no está entre los que acepta.",
               "Pide al administrador del relay que permita la IP pública de este equipo o el dominio del "
               "remitente, o envía con el inicio de sesión de la propia cuenta[[ ({email})]]."),
        "pl": ("Przekaźnik odrzucił pocztę od tego nadawcy: adres urządzenia wysyłającego albo domena nadawcy nie "
               "należy do obsługiwanych.",
               "Poproś administratora przekaźnika o zezwolenie na publiczny adres IP tego urządzenia lub domenę "
               "nadawcy albo wysyłaj z logowaniem samego konta[[ ({email})]]."),
    },
    "message_rejected": {
        "en": ("The server refused the message itself: its content, an attachment, or a rule of the receiving "
               "organisation blocked it.",
               "Send the test without attachments to confirm; keep invoices to PDF, XML and HTML, and read the "
               "raw reply for the rule that matched."),
        "es": ("El servidor rechazó el mensaje en sí: lo bloqueó su contenido, un adjunto o una regla de la "
               "organización que lo recibe.",
               "Envía la prueba sin adjuntos para confirmarlo; limita las facturas a PDF, XML y HTML y lee en la "
               "respuesta original qué regla se aplicó."),
        "pl": ("Serwer odrzucił samą wiadomość: zablokowała ją treść, załącznik albo reguła organizacji "
               "odbiorcy.",
               "Wyślij test bez załączników, aby to potwierdzić; faktury wysyłaj jako PDF, XML i HTML i sprawdź "
               "w oryginalnej odpowiedzi, która reguła zadziałała."),
    },
    "message_rejected:size": {
        "en": ("The message is larger than the server accepts; attachments grow by about a third when encoded.",
               "Make the attachments smaller (compress the PDF, send fewer per message) or ask the provider for "
               "its size limit."),
        "es": ("El mensaje es más grande de lo que acepta el servidor; los adjuntos crecen cerca de un tercio al "
               "codificarse.",
               "Reduce los adjuntos (comprime el PDF, envía menos por mensaje) o pregunta al proveedor su límite "
               "de tamaño."),
        "pl": ("Wiadomość jest większa, niż przyjmuje serwer; załączniki po zakodowaniu rosną o około jedną "
               "trzecią.",
               "Zmniejsz załączniki (skompresuj PDF, wysyłaj mniej w jednej wiadomości) albo zapytaj dostawcę "
               "o limit rozmiaru."),
    },
    "tls_error:certificate": {
        "en": ("The server's certificate could not be verified[[ ({detail})]]: it may be issued by a private "
               "(company) authority, name another host, or have expired.",
               "Check that the host name matches the certificate and the system clock is right; if the server "
               "uses a private CA, give mailkit that CA file; ask the server's admin about an expired "
               "certificate[[ ({host})]]."),
        "es": ("No se pudo verificar el certificado del servidor[[ ({detail})]]: puede estar emitido por una "
               "autoridad privada (de la empresa), nombrar otro servidor o estar caducado.",
               "Revisa que el nombre del servidor coincida con el certificado y que la hora del sistema sea "
               "correcta; si el servidor usa una CA privada, indica a mailkit ese archivo de CA; consulta al "
               "administrador si el certificado caducó[[ ({host})]]."),
        "pl": ("Nie udało się zweryfikować certyfikatu serwera[[ ({detail})]]: może być wystawiony przez prywatny "
               "(firmowy) urząd, wskazywać inny serwer albo być przeterminowany.",
               "Sprawdź, czy nazwa serwera zgadza się z certyfikatem i czy zegar systemu jest poprawny; jeśli "
               "serwer używa prywatnego CA, wskaż mailkit plik tego CA; zapytaj administratora o wygasły "
               "certyfikat[[ ({host})]]."),
    },
    "dns_error": {
        "en": ("The server name[[ {host}]] could not be resolved (DNS): no internet access, a typo in the host "
               "name, or a DNS server that does not answer.",
               "Check the account's host name with the mail provider and this machine's DNS, e.g. with "
               "`nslookup {host}`."),
        "es": ("No se pudo resolver el nombre del servidor[[ {host}]] (DNS): no hay acceso a internet, el nombre "
               "tiene un error o el servidor DNS no responde.",
               "Comprueba con el proveedor de correo el nombre del servidor de la cuenta y el DNS de este equipo, "
               "por ejemplo con `nslookup {host}`."),
        "pl": ("Nie udało się przetłumaczyć nazwy serwera[[ {host}]] na adres (DNS): brak dostępu do internetu, "
               "literówka w nazwie albo serwer DNS nie odpowiada.",
               "Sprawdź u dostawcy poczty nazwę serwera konta oraz DNS tego komputera, np. poleceniem "
               "`nslookup {host}`."),
    },
    "connection_refused": {
        "en": ("The connection[[ to {host}]][[ on port {port}]] was refused or could not reach the server: nothing "
               "listens there, or a firewall rejects it.",
               "Check the port with the mail provider (usually 587 with STARTTLS or 465 with SSL/TLS for "
               "sending, 993 for IMAP) and ask the network admin to allow outbound connections to it."),
        "es": ("La conexión[[ a {host}]][[ en el puerto {port}]] fue rechazada o no llegó al servidor: no hay nada "
               "escuchando ahí o un firewall la rechaza.",
               "Confirma el puerto con el proveedor de correo (normalmente 587 con STARTTLS o 465 con SSL/TLS "
               "para enviar, 993 para IMAP) y pide al administrador de la red que permita la salida hacia él."),
        "pl": ("Połączenie[[ z serwerem {host}]][[ na porcie {port}]] zostało odrzucone albo nie dotarło do "
               "serwera: nic tam nie nasłuchuje lub zapora je blokuje.",
               "Sprawdź port u dostawcy poczty (zwykle 587 ze STARTTLS lub 465 z SSL/TLS do wysyłki, 993 dla "
               "IMAP) i poproś administratora sieci o zezwolenie na połączenia wychodzące."),
    },
    "timeout": {
        "en": ("The server[[ {host}]] did not answer in time[[ on port {port}]]: a firewall silently dropping the "
               "port, a slow network, or the wrong TLS mode for the port.",
               "Check that the firewall lets the port through[[ (here {port})]] and that the security mode "
               "matches it (SSL/TLS on an implicit-TLS port such as 465, STARTTLS on 587); then retry."),
        "es": ("El servidor[[ {host}]] no respondió a tiempo[[ en el puerto {port}]]: un firewall que descarta el "
               "puerto en silencio, una red lenta o un modo TLS equivocado para el puerto.",
               "Verifica que el firewall deje pasar el puerto[[ (aquí el {port})]] y que el modo de seguridad "
               "coincida (SSL/TLS en un puerto de TLS implícito como el 465, STARTTLS en el 587); luego reintenta."),
        "pl": ("Serwer[[ {host}]] nie odpowiedział na czas[[ na porcie {port}]]: zapora po cichu blokuje port, sieć "
               "jest wolna albo tryb TLS nie pasuje do portu.",
               "Sprawdź, czy zapora przepuszcza port[[ (tutaj {port})]] i czy tryb zabezpieczeń do niego pasuje "
               "(SSL/TLS na porcie bezpośredniego TLS, np. 465, STARTTLS na 587); potem ponów."),
    },
}

#: Wording for Microsoft 365 / Exchange Online (provider "microsoft365"); other keys fall back to NEUTRAL.
MICROSOFT: dict[str, dict[str, tuple[str, str]]] = {
    "bad_credentials": {
        "en": ("Microsoft 365 did not accept the user name and password[[ of {email}]]: the password is wrong or "
               "was changed, or the login is not the full address.",
               "Check the password by signing in at https://outlook.office.com, store it again with `mailkit "
               "secret set {email}`; better, switch the account to OAuth (`mailkit oauth login {email}`), as "
               "Microsoft is retiring password sign-in for SMTP."),
        "es": ("Microsoft 365 no aceptó el usuario y la contraseña[[ de {email}]]: la contraseña es incorrecta o "
               "cambió, o el usuario no es la dirección completa.",
               "Comprueba la contraseña iniciando sesión en https://outlook.office.com y guárdala de nuevo con "
               "`mailkit secret set {email}`; mejor aún, cambia la cuenta a OAuth (`mailkit oauth login {email}`), "
               "porque Microsoft está retirando el inicio de sesión con contraseña en SMTP."),
        "pl": ("Microsoft 365 nie zaakceptował nazwy użytkownika i hasła[[ konta {email}]]: hasło jest błędne lub "
               "zmienione albo login nie jest pełnym adresem.",
               "Sprawdź hasło, logując się na https://outlook.office.com, i zapisz je ponownie `mailkit secret set "
               "{email}`; lepiej przełącz konto na OAuth (`mailkit oauth login {email}`), bo Microsoft wycofuje "
               "logowanie hasłem w SMTP."),
    },
    "app_password_required": {
        "en": ("Microsoft 365 refuses the normal password[[ of {email}]] in mail programs because the account "
               "signs in with multi-factor authentication.",
               "Authorize the account with OAuth: `mailkit oauth login {email}` (app passwords work only where "
               "the tenant still allows them, with `mailkit secret set {email}`)."),
        "es": ("Microsoft 365 rechaza la contraseña normal[[ de {email}]] en programas de correo porque la cuenta "
               "inicia sesión con autenticación multifactor.",
               "Autoriza la cuenta con OAuth: `mailkit oauth login {email}` (las contraseñas de aplicación solo "
               "funcionan donde el inquilino aún las permite, con `mailkit secret set {email}`)."),
        "pl": ("Microsoft 365 odrzuca zwykłe hasło[[ konta {email}]] w programach pocztowych, bo konto loguje się "
               "z uwierzytelnianiem wieloskładnikowym.",
               "Autoryzuj konto przez OAuth: `mailkit oauth login {email}` (hasła aplikacji działają tylko tam, "
               "gdzie dzierżawa nadal na nie pozwala, przez `mailkit secret set {email}`)."),
    },
    "web_login_required": {
        "en": ("Microsoft 365 wants someone to sign in[[ as {email}]] through the web first (a security check, "
               "a password change or a consent that is pending).",
               "Sign in once at https://outlook.office.com as this account, finish what it asks, then retry with "
               "`mailkit check {email}`."),
        "es": ("Microsoft 365 pide que alguien inicie sesión[[ como {email}]] primero por la web (un control de "
               "seguridad, un cambio de contraseña o un consentimiento pendiente).",
               "Inicia sesión una vez en https://outlook.office.com con esta cuenta, completa lo que pida y "
               "reintenta con `mailkit check {email}`."),
        "pl": ("Microsoft 365 wymaga najpierw zalogowania[[ jako {email}]] przez przeglądarkę (kontrola "
               "bezpieczeństwa, zmiana hasła lub oczekująca zgoda).",
               "Zaloguj się raz na https://outlook.office.com na to konto, wykonaj to, o co prosi, i ponów: "
               "`mailkit check {email}`."),
    },
    "oauth_token_invalid": {
        "en": ("Microsoft 365 rejected the OAuth access token[[ for {email}]] (535 5.7.3): it expired, was issued "
               "for another account or resource, or lacks the SMTP.Send permission.",
               "Check again with `mailkit check {email}`; if it still fails, authorize again with `mailkit oauth "
               "login {email}` and make sure the app registration has the delegated permission SMTP.Send."),
        "es": ("Microsoft 365 rechazó el token de acceso OAuth[[ para {email}]] (535 5.7.3): caducó, se emitió para "
               "otra cuenta o recurso, o no tiene el permiso SMTP.Send.",
               "Vuelve a verificar con `mailkit check {email}`; si sigue fallando, autoriza de nuevo con `mailkit "
               "oauth login {email}` y confirma que el registro de la aplicación tiene el permiso delegado "
               "SMTP.Send."),
        "pl": ("Microsoft 365 odrzucił token dostępu OAuth[[ dla {email}]] (535 5.7.3): wygasł, wydano go dla "
               "innego konta lub zasobu albo brakuje mu uprawnienia SMTP.Send.",
               "Sprawdź ponownie `mailkit check {email}`; jeśli nadal nie działa, autoryzuj ponownie `mailkit "
               "oauth login {email}` i upewnij się, że rejestracja aplikacji ma delegowane uprawnienie SMTP.Send."),
    },
    "oauth_reauth_required": {
        "en": ("The stored Microsoft refresh token[[ of {email}]] no longer works (invalid_grant): access was "
               "revoked, the password changed, or a sign-in policy now requires a new sign-in.",
               "Authorize again with `mailkit oauth login {email}`."),
        "es": ("El token de actualización de Microsoft guardado[[ de {email}]] ya no funciona (invalid_grant): se "
               "revocó el acceso, cambió la contraseña o una directiva de inicio de sesión exige iniciar de nuevo.",
               "Autoriza de nuevo con `mailkit oauth login {email}`."),
        "pl": ("Zapisany token odświeżania Microsoft[[ konta {email}]] już nie działa (invalid_grant): cofnięto "
               "dostęp, zmieniono hasło albo zasady logowania wymagają ponownego logowania.",
               "Autoryzuj ponownie: `mailkit oauth login {email}`."),
    },
    "oauth_scope_missing": {
        "en": ("The Microsoft authorization[[ of {email}]] lacks the mail permission: SMTP needs "
               "https://outlook.office.com/SMTP.Send and IMAP needs IMAP.AccessAsUser.All.",
               "Add those delegated permissions to the app registration (Microsoft Entra admin center → App "
               "registrations → API permissions), grant consent, then run `mailkit oauth login {email}`."),
        "es": ("La autorización de Microsoft[[ de {email}]] no incluye el permiso de correo: SMTP necesita "
               "https://outlook.office.com/SMTP.Send e IMAP necesita IMAP.AccessAsUser.All.",
               "Agrega esos permisos delegados al registro de la aplicación (Centro de administración de "
               "Microsoft Entra → Registros de aplicaciones → Permisos de API), concede el consentimiento y "
               "ejecuta `mailkit oauth login {email}`."),
        "pl": ("Autoryzacja Microsoft[[ konta {email}]] nie obejmuje uprawnienia do poczty: SMTP wymaga "
               "https://outlook.office.com/SMTP.Send, a IMAP — IMAP.AccessAsUser.All.",
               "Dodaj te delegowane uprawnienia do rejestracji aplikacji (centrum administracyjne Microsoft "
               "Entra → Rejestracje aplikacji → Uprawnienia interfejsu API), udziel zgody i uruchom `mailkit "
               "oauth login {email}`."),
    },
    "auth_mechanism_unsupported": {
        "en": ("Microsoft 365 refuses password sign-in for SMTP[[ for {email}]]: SMTP AUTH is turned off for the "
               "tenant or mailbox, basic authentication is retired, or security defaults block it.",
               "Switch the account to OAuth: `mailkit oauth login {email}`. Or have the tenant admin turn on "
               "Authenticated SMTP for this mailbox (Microsoft 365 admin center → Active users → Mail → Manage "
               "email apps, or `Set-CASMailbox -SmtpClientAuthenticationDisabled $false`)."),
        "es": ("Microsoft 365 rechaza el inicio de sesión con contraseña en SMTP[[ para {email}]]: SMTP AUTH está "
               "desactivado para el inquilino o el buzón, la autenticación básica se retiró o los valores "
               "predeterminados de seguridad la bloquean.",
               "Cambia la cuenta a OAuth: `mailkit oauth login {email}`. O pide al administrador del inquilino que "
               "active SMTP autenticado para este buzón (Centro de administración de Microsoft 365 → Usuarios "
               "activos → Correo → Administrar aplicaciones de correo, o `Set-CASMailbox "
               "-SmtpClientAuthenticationDisabled $false`)."),
        "pl": ("Microsoft 365 odrzuca logowanie hasłem w SMTP[[ dla {email}]]: SMTP AUTH jest wyłączone dla "
               "dzierżawy lub skrzynki, uwierzytelnianie podstawowe wycofano albo blokują je domyślne ustawienia "
               "zabezpieczeń.",
               "Przełącz konto na OAuth: `mailkit oauth login {email}`. Albo poproś administratora dzierżawy "
               "o włączenie uwierzytelnionego SMTP dla tej skrzynki (centrum administracyjne Microsoft 365 → "
               "Aktywni użytkownicy → Poczta → Zarządzaj aplikacjami poczty e-mail lub `Set-CASMailbox "
               "-SmtpClientAuthenticationDisabled $false`)."),
    },
    "quota_exceeded": {
        "en": ("The mailbox[[ {email}]] reached Microsoft 365's sending limit (for SMTP AUTH: 10,000 recipients "
               "a day, 30 messages a minute).",
               "Stop test sends from this mailbox and wait up to 24 hours; spread bulk mail over several "
               "mailboxes or a mail-sending service."),
        "es": ("El buzón[[ {email}]] alcanzó el límite de envío de Microsoft 365 (para SMTP AUTH: 10,000 "
               "destinatarios al día, 30 mensajes por minuto).",
               "Deja de enviar pruebas desde este buzón y espera hasta 24 horas; reparte los envíos masivos entre "
               "varios buzones o un servicio de envío de correo."),
        "pl": ("Skrzynka[[ {email}]] osiągnęła limit wysyłania Microsoft 365 (dla SMTP AUTH: 10 000 odbiorców "
               "dziennie, 30 wiadomości na minutę).",
               "Wstrzymaj wysyłki testowe z tej skrzynki i odczekaj do 24 godzin; rozłóż wysyłkę masową na kilka "
               "skrzynek lub serwis do wysyłki poczty."),
    },
    "sender_rejected": {
        "en": ("Microsoft 365 refused the From address: the mailbox[[ {email}]] may send only as itself unless it "
               "has Send As permission on the other address.",
               "Use the mailbox's own address as From, or have the Exchange admin grant Send As on the other "
               "mailbox or group (Exchange admin center → Recipients → Delegation)."),
        "es": ("Microsoft 365 rechazó la dirección del remitente: el buzón[[ {email}]] solo puede enviar como él "
               "mismo, salvo que tenga el permiso Enviar como sobre la otra dirección.",
               "Usa la dirección del propio buzón como remitente o pide al administrador de Exchange que conceda "
               "Enviar como sobre el otro buzón o grupo (Centro de administración de Exchange → Destinatarios → "
               "Delegación)."),
        "pl": ("Microsoft 365 odrzucił adres nadawcy: skrzynka[[ {email}]] może wysyłać tylko jako ona sama, chyba "
               "że ma uprawnienie Wyślij jako do innego adresu.",
               "Użyj adresu samej skrzynki jako nadawcy albo poproś administratora Exchange o nadanie uprawnienia "
               "Wyślij jako do innej skrzynki lub grupy (centrum administracyjne Exchange → Adresaci → "
               "Delegowanie)."),
    },
    "rate_limited": {
        "en": ("Microsoft 365 is refusing for now: too many sign-ins, connections or messages from this mailbox in "
               "a short time.",
               "Wait 10 to 15 minutes and retry; run audits with lower concurrency (`mailkit audit "
               "--concurrency 2`) and keep below 30 messages a minute per mailbox[[ ({email})]]."),
        "es": ("Microsoft 365 rechaza por ahora: demasiados inicios de sesión, conexiones o mensajes de este buzón "
               "en poco tiempo.",
               "Espera de 10 a 15 minutos y reintenta; ejecuta las auditorías con menos concurrencia (`mailkit "
               "audit --concurrency 2`) y no pases de 30 mensajes por minuto por buzón[[ ({email})]]."),
        "pl": ("Microsoft 365 chwilowo odmawia: zbyt wiele logowań, połączeń lub wiadomości z tej skrzynki "
               "w krótkim czasie.",
               "Odczekaj 10–15 minut i ponów; uruchamiaj audyty z mniejszą współbieżnością (`mailkit audit "
               "--concurrency 2`) i nie przekraczaj 30 wiadomości na minutę na skrzynkę[[ ({email})]]."),
    },
    "dns_error": {
        "en": ("The server name[[ {host}]] could not be resolved (DNS): no internet access, a typo in the host "
               "name, or a DNS server that does not answer.",
               "Microsoft 365 uses smtp.office365.com (port 587, STARTTLS) and outlook.office365.com (IMAP, 993): "
               "check the host name and this machine's DNS, e.g. with `nslookup smtp.office365.com`."),
        "es": ("No se pudo resolver el nombre del servidor[[ {host}]] (DNS): no hay acceso a internet, el nombre "
               "tiene un error o el servidor DNS no responde.",
               "Microsoft 365 usa smtp.office365.com (puerto 587, STARTTLS) y outlook.office365.com (IMAP, 993): "
               "revisa el nombre del servidor y el DNS de este equipo, por ejemplo con `nslookup "
               "smtp.office365.com`."),
        "pl": ("Nie udało się przetłumaczyć nazwy serwera[[ {host}]] na adres (DNS): brak dostępu do internetu, "
               "literówka w nazwie albo serwer DNS nie odpowiada.",
               "Microsoft 365 używa smtp.office365.com (port 587, STARTTLS) i outlook.office365.com (IMAP, 993): "
               "sprawdź nazwę serwera i DNS tego komputera, np. poleceniem `nslookup smtp.office365.com`."),
    },
    "connection_refused": {
        "en": ("The connection[[ to {host}]][[ on port {port}]] was refused or could not reach the server: nothing "
               "listens there, or a firewall rejects it (a blocked outbound port 587 is common).",
               "Use smtp.office365.com on port 587 with STARTTLS (IMAP: outlook.office365.com on 993) and ask "
               "the network admin to allow outbound connections to them."),
        "es": ("La conexión[[ a {host}]][[ en el puerto {port}]] fue rechazada o no llegó al servidor: no hay nada "
               "escuchando ahí o un firewall la rechaza (es común que el puerto de salida 587 esté bloqueado).",
               "Usa smtp.office365.com en el puerto 587 con STARTTLS (IMAP: outlook.office365.com en el 993) y "
               "pide al administrador de la red que permita la salida hacia ellos."),
        "pl": ("Połączenie[[ z serwerem {host}]][[ na porcie {port}]] zostało odrzucone albo nie dotarło do serwera: "
               "nic tam nie nasłuchuje lub zapora je blokuje (często zablokowany jest wychodzący port 587).",
               "Użyj smtp.office365.com na porcie 587 ze STARTTLS (IMAP: outlook.office365.com na 993) i poproś "
               "administratora sieci o zezwolenie na połączenia wychodzące do nich."),
    },
}

__all__ = ["MICROSOFT", "NEUTRAL", "TEXTS"]
