"""Causes and remedies for every status, in English, Mexican Spanish and Polish.

Pure data, read by `mailkit.diagnose`. Keys are status strings, or "status:variant" for a finer
case with its own wording. Each language holds (cause, remedy). Placeholders: {email}, {company},
{host}, {port}, {detail}. A segment in [[double brackets]] is dropped when a placeholder in it has
no value, so each language keeps its own grammar; {email} outside brackets (in commands) becomes
the EMAIL metavariable.
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
    "sender_rejected:non_ascii": {
        "en": ("The From address[[ {detail}]] has letters outside ASCII (such as accents) and the server does not "
               "offer SMTPUTF8, the extension that carries such addresses: the message was not sent.",
               "Send from an address without accents (ASCII only), or through a server that offers SMTPUTF8 "
               "(Gmail does)."),
        "es": ("La dirección del remitente[[ {detail}]] tiene caracteres fuera de ASCII (como acentos) y el servidor "
               "no ofrece SMTPUTF8, la extensión que admite esas direcciones: el mensaje no se envió.",
               "Envía desde una dirección sin acentos (solo ASCII) o a través de un servidor que ofrezca SMTPUTF8 "
               "(Gmail lo ofrece)."),
        "pl": ("Adres nadawcy[[ {detail}]] zawiera znaki spoza ASCII (np. litery z akcentami), a serwer nie oferuje "
               "SMTPUTF8, rozszerzenia, które przenosi takie adresy: wiadomość nie została wysłana.",
               "Wysyłaj z adresu bez znaków diakrytycznych (tylko ASCII) albo przez serwer oferujący SMTPUTF8 "
               "(Gmail go oferuje)."),
    },
    "recipient_rejected:non_ascii": {
        "en": ("The recipient address[[ {detail}]] has letters outside ASCII (such as accents) and the server does "
               "not offer SMTPUTF8, the extension that carries such addresses: the message was not sent.",
               "Send the test to an address without accents (--send-to), or through a server that offers "
               "SMTPUTF8 (Gmail does)."),
        "es": ("La dirección del destinatario[[ {detail}]] tiene caracteres fuera de ASCII (como acentos) y el "
               "servidor no ofrece SMTPUTF8, la extensión que admite esas direcciones: el mensaje no se envió.",
               "Envía la prueba a una dirección sin acentos (--send-to) o a través de un servidor que ofrezca "
               "SMTPUTF8 (Gmail lo ofrece)."),
        "pl": ("Adres odbiorcy[[ {detail}]] zawiera znaki spoza ASCII (np. litery z akcentami), a serwer nie oferuje "
               "SMTPUTF8, rozszerzenia, które przenosi takie adresy: wiadomość nie została wysłana.",
               "Wyślij test na adres bez znaków diakrytycznych (--send-to) albo przez serwer oferujący SMTPUTF8 "
               "(Gmail go oferuje)."),
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

__all__ = ["TEXTS"]
