"""Labels and messages of the widgets in English, Spanish and Polish.

Data only: one entry per key, the three languages side by side so a missing translation shows
up in review (and in `tests/test_ui_widgets.py`). Messages take `{name}` fields.
"""

from __future__ import annotations

from mailkit.i18n import DEFAULT_LANG, LANGS, normalize_lang

LANGUAGE_NAMES = {"en": "English", "es": "Español", "pl": "Polski"}

# key: (en, es, pl)
LABELS: dict[str, tuple[str, str, str]] = {
    # common
    "language": ("Language", "Idioma", "Język"),
    "working": ("Working…", "Trabajando…", "Pracuję…"),
    "account": ("Account", "Cuenta", "Konto"),
    "company": ("Company", "Empresa", "Firma"),
    "all": ("(all)", "(todas)", "(wszystkie)"),
    "none_yet": ("Nothing here yet.", "Todavía no hay nada.", "Jeszcze nic tu nie ma."),
    "no_accounts": ("No accounts yet: add one in the setup form.", "Aún no hay cuentas: agregue una en el "
                    "formulario de configuración.", "Brak kont: dodaj konto w formularzu konfiguracji."),
    "unexpected": ("Unexpected error: {error}", "Error inesperado: {error}", "Nieoczekiwany błąd: {error}"),
    "cause": ("Cause", "Causa", "Przyczyna"),
    "remedy": ("What to do", "Qué hacer", "Co zrobić"),
    "status": ("Status", "Estado", "Status"),
    "refresh": ("Refresh", "Actualizar", "Odśwież"),
    # session
    "mode_sandbox": ("Sandbox mode: a local Gmail on 127.0.0.1 ({accounts} test accounts); workspace {home}",
                     "Modo sandbox: un Gmail local en 127.0.0.1 ({accounts} cuentas de prueba); espacio de "
                     "trabajo {home}",
                     "Tryb sandbox: lokalny Gmail na 127.0.0.1 ({accounts} kont testowych); katalog roboczy {home}"),
    "mode_google": ("Google mode: real Gmail / Google Workspace with your OAuth client; workspace {home}",
                    "Modo Google: Gmail / Google Workspace reales con su cliente OAuth; espacio de trabajo {home}",
                    "Tryb Google: prawdziwy Gmail / Google Workspace z Twoim klientem OAuth; katalog roboczy {home}"),
    # setup form
    "setup_title": ("Company and account setup", "Configuración de empresas y cuentas",
                    "Konfiguracja firm i kont"),
    "company_name": ("Company name", "Nombre de la empresa", "Nazwa firmy"),
    "company_slug": ("Company id", "Id de la empresa", "Id firmy"),
    "tax_id": ("Tax id", "RFC / NIF", "NIP"),
    "save_company": ("Save company", "Guardar empresa", "Zapisz firmę"),
    "company_saved": ("Company {slug} {change}.", "Empresa {slug}: {change}.", "Firma {slug}: {change}."),
    "choose_company": ("Choose or add a company first.", "Elija o agregue primero una empresa.",
                       "Najpierw wybierz lub dodaj firmę."),
    "email": ("Email", "Correo", "E-mail"),
    "display_name": ("Display name", "Nombre visible", "Nazwa wyświetlana"),
    "provider": ("Provider", "Proveedor", "Dostawca"),
    "auth": ("Sign-in", "Autenticación", "Logowanie"),
    "smtp_host": ("SMTP host", "Servidor SMTP", "Serwer SMTP"),
    "smtp_port": ("SMTP port", "Puerto SMTP", "Port SMTP"),
    "security": ("Security", "Seguridad", "Szyfrowanie"),
    "imap_host": ("IMAP host", "Servidor IMAP", "Serwer IMAP"),
    "imap_port": ("IMAP port", "Puerto IMAP", "Port IMAP"),
    "save_account": ("Save account", "Guardar cuenta", "Zapisz konto"),
    "account_saved": ("Account {email} {change} ({provider}, {auth}).", "Cuenta {email}: {change} ({provider}, "
                      "{auth}).", "Konto {email}: {change} ({provider}, {auth})."),
    "email_ok": ("✓ valid address", "✓ dirección válida", "✓ poprawny adres"),
    "detected": ("Detected: {label} — {reason}", "Detectado: {label} — {reason}", "Wykryto: {label} — {reason}"),
    "not_detected": ("Choose the provider: {reason}", "Elija el proveedor: {reason}", "Wybierz dostawcę: {reason}"),
    "accounts_of": ("Accounts of {company}", "Cuentas de {company}", "Konta firmy {company}"),
    "added": ("added", "agregada", "dodano"),
    "updated": ("updated", "actualizada", "zaktualizowano"),
    "unchanged": ("unchanged", "sin cambios", "bez zmian"),
    # consent box: link, countdown, Cancel and paste box (the OAuth panel, the 2SV panel's admin consent)
    "cancel": ("Cancel", "Cancelar", "Anuluj"),
    "oauth_link": ("Open Google's consent page", "Abrir la página de consentimiento de Google",
                   "Otwórz stronę zgody Google"),
    "oauth_opened": ("(opened in this computer's browser)", "(abierto en el navegador de este equipo)",
                     "(otwarto w przeglądarce tego komputera)"),
    "countdown": ("Waiting for the browser: {left} left", "Esperando al navegador: quedan {left}",
                  "Czekam na przeglądarkę: zostało {left}"),
    "paste_url": ("Final address", "Dirección final", "Adres końcowy"),
    "paste_help": ("If the browser runs on another computer, paste here the address it ended on "
                   "(http://127.0.0.1:…/?state=…&code=…):",
                   "Si el navegador está en otro equipo, pegue aquí la dirección en la que terminó "
                   "(http://127.0.0.1:…/?state=…&code=…):",
                   "Jeśli przeglądarka działa na innym komputerze, wklej tu adres, na którym skończyła "
                   "(http://127.0.0.1:…/?state=…&code=…):"),
    "finish": ("Finish", "Terminar", "Zakończ"),
    # oauth panel
    "oauth_title": ("OAuth 2.0 connection", "Conexión OAuth 2.0", "Połączenie OAuth 2.0"),
    "connect": ("Connect with Google", "Conectar con Google", "Połącz z Google"),
    "oauth_open": ("Open this link, choose {email} and press Continue; leave every box ticked:",
                   "Abra este enlace, elija {email} y pulse Continuar; deje marcadas todas las casillas:",
                   "Otwórz ten link, wybierz {email} i kliknij Dalej; zostaw zaznaczone wszystkie pola:"),
    "oauth_ok": ("✓ {email} authorized (signed in as {who}): mailkit can send with OAuth 2.0.",
                 "✓ {email} autorizada (sesión de {who}): mailkit puede enviar con OAuth 2.0.",
                 "✓ {email} autoryzowane (zalogowano jako {who}): mailkit może wysyłać przez OAuth 2.0."),
    "oauth_state": ("Current state: {state}", "Estado actual: {state}", "Obecny stan: {state}"),
    "authorized_as": ("authorized as {who}", "autorizada como {who}", "autoryzowane jako {who}"),
    "not_authorized": ("not authorized yet", "aún sin autorizar", "jeszcze nieautoryzowane"),
    "oauth_only": ("{email} signs in with {auth}, not OAuth 2.0: change it in the setup form.",
                   "{email} usa {auth}, no OAuth 2.0: cámbielo en el formulario de configuración.",
                   "{email} loguje się przez {auth}, nie OAuth 2.0: zmień to w formularzu konfiguracji."),
    # two-step panel
    "twostep_title": ("2-Step Verification", "Verificación en 2 pasos", "Weryfikacja dwuetapowa"),
    "check_twostep": ("Check 2SV", "Comprobar 2SV", "Sprawdź 2SV"),
    "twostep_on": ("on", "activada", "włączona"),
    "twostep_off": ("off", "desactivada", "wyłączona"),
    "twostep_unknown": ("unknown", "desconocido", "nieznany"),
    "source": ("Source", "Fuente", "Źródło"),
    "confirmed_by": ("Checked by", "Revisado por", "Sprawdził(a)"),
    "confirm_manual": ("I confirm 2SV is on", "Confirmo que 2SV está activada", "Potwierdzam, że 2SV jest włączona"),
    "confirmed": ("Recorded: 2SV confirmed by hand for {email}.", "Registrado: 2SV confirmada a mano para {email}.",
                  "Zapisano: 2SV potwierdzona ręcznie dla {email}."),
    "manual_steps": ("How to turn on 2-Step Verification and create an app password",
                     "Cómo activar la verificación en 2 pasos y crear una contraseña de aplicación",
                     "Jak włączyć weryfikację dwuetapową i utworzyć hasło aplikacji"),
    "step_1": ("Sign in as {email} and open <a href='{security}' target='_blank'>the account's Security page</a>.",
               "Inicie sesión como {email} y abra <a href='{security}' target='_blank'>la página de Seguridad de "
               "la cuenta</a>.",
               "Zaloguj się jako {email} i otwórz <a href='{security}' target='_blank'>stronę Bezpieczeństwo "
               "konta</a>."),
    "step_2": ("Turn on <a href='{twostep}' target='_blank'>2-Step Verification</a> (a phone or an authenticator "
               "app; security keys alone give no app passwords).",
               "Active la <a href='{twostep}' target='_blank'>verificación en 2 pasos</a> (un teléfono o una app "
               "autenticadora; con solo llaves de seguridad no hay contraseñas de aplicación).",
               "Włącz <a href='{twostep}' target='_blank'>weryfikację dwuetapową</a> (telefon lub aplikacja "
               "uwierzytelniająca; same klucze bezpieczeństwa nie dają haseł aplikacji)."),
    "step_3": ("Search for “App passwords” or open <a href='{apppw}' target='_blank'>App passwords</a>, name it "
               "after the software (e.g. “Firmao”) and create it.",
               "Busque “Contraseñas de aplicaciones” o abra <a href='{apppw}' target='_blank'>Contraseñas de "
               "aplicaciones</a>, póngale el nombre del programa (p. ej. “CONTPAQi”) y créela.",
               "Wyszukaj „Hasła do aplikacji” lub otwórz <a href='{apppw}' target='_blank'>Hasła do "
               "aplikacji</a>, nazwij je jak program (np. „Firmao”) i utwórz."),
    "step_4": ("Copy the 16 letters into the app-password form below; when one stops working, create a new one, "
               "enter it here, then delete the old one in Google.",
               "Copie las 16 letras en el formulario de contraseña de aplicación; si una deja de funcionar, cree "
               "otra, introdúzcala aquí y luego borre la anterior en Google.",
               "Skopiuj 16 liter do formularza hasła aplikacji; gdy przestanie działać, utwórz nowe, wpisz je tutaj, "
               "a potem usuń stare w Google."),
    "step_ws": ("Google Workspace: an administrator may have to allow 2SV (and app passwords) in the "
                "<a href='{admin}' target='_blank'>Admin console</a>; the servers stay smtp.gmail.com / "
                "imap.gmail.com, never a host derived from the domain.",
                "Google Workspace: puede que un administrador deba permitir 2SV (y las contraseñas de aplicación) "
                "en la <a href='{admin}' target='_blank'>consola de administración</a>; los servidores siguen "
                "siendo smtp.gmail.com / imap.gmail.com, nunca uno derivado del dominio.",
                "Google Workspace: administrator może musieć zezwolić na 2SV (i hasła aplikacji) w "
                "<a href='{admin}' target='_blank'>konsoli administracyjnej</a>; serwery to nadal "
                "smtp.gmail.com / imap.gmail.com, nigdy adres utworzony z domeny."),
    # two-step panel: the Directory read with a Workspace admin's own consent
    "admin_email": ("Workspace admin", "Administrador de Workspace", "Administrator Workspace"),
    "connect_admin": ("Connect as Workspace admin", "Conectar como administrador de Workspace",
                      "Połącz jako administrator Workspace"),
    "admin_open": ("Open this link, sign in as {email} (an admin of the domain) and press Continue; leave every "
                   "box ticked:",
                   "Abra este enlace, inicie sesión como {email} (administrador del dominio) y pulse Continuar; "
                   "deje marcadas todas las casillas:",
                   "Otwórz ten link, zaloguj się jako {email} (administrator domeny) i kliknij Dalej; zostaw "
                   "zaznaczone wszystkie pola:"),
    "admin_ok": ("✓ {email} connected: 2-Step Verification of {domain} is read from the Directory.",
                 "✓ {email} conectado: la verificación en 2 pasos de {domain} se lee del directorio.",
                 "✓ Połączono {email}: weryfikacja dwuetapowa w {domain} jest odczytywana z katalogu."),
    "directory_via": ("Directory access: {how}", "Acceso al directorio: {how}", "Dostęp do katalogu: {how}"),
    "via_service_account": ("service account as {who}", "cuenta de servicio como {who}", "konto usługi jako {who}"),
    "via_admin_oauth": ("admin's own consent: {who}", "consentimiento del administrador: {who}",
                        "zgoda administratora: {who}"),
    "directory_none": ("none yet", "ninguno todavía", "jeszcze brak"),
    # app password form
    "apppw_title": ("App password", "Contraseña de aplicación", "Hasło aplikacji"),
    "app_password": ("App password", "Contraseña de aplicación", "Hasło aplikacji"),
    "test_and_save": ("Test and save", "Probar y guardar", "Sprawdź i zapisz"),
    "apppw_stored": ("✓ {email} signed in; the app password is in the keyring.",
                     "✓ {email} inició sesión; la contraseña de aplicación está en el llavero.",
                     "✓ {email} zalogowano; hasło aplikacji jest w pęku kluczy."),
    "apppw_refused": ("Not stored: {email} did not sign in ({status}).",
                      "No se guardó: {email} no pudo iniciar sesión ({status}).",
                      "Nie zapisano: {email} nie zalogowało się ({status})."),
    "kept_previous": ("The stored one was kept.", "Se conservó la guardada.", "Zachowano zapisane."),
    "password_account": ("This account signs in with its password (not recommended: Google needs an app "
                         "password or OAuth 2.0).", "Esta cuenta usa su contraseña (no recomendado: Google exige "
                         "contraseña de aplicación u OAuth 2.0).", "To konto loguje się hasłem (niezalecane: "
                         "Google wymaga hasła aplikacji lub OAuth 2.0)."),
    # bulk
    "bulk_title": ("Bulk test send", "Envío de prueba masivo", "Masowa wysyłka testowa"),
    "companies": ("Companies", "Empresas", "Firmy"),
    "accounts": ("Accounts", "Cuentas", "Konta"),
    "select_all": ("All companies", "Todas las empresas", "Wszystkie firmy"),
    "send_test": ("Send a test message", "Enviar un mensaje de prueba", "Wyślij wiadomość testową"),
    "attachments": ("Attach the sample invoice (PDF + XML)", "Adjuntar la factura de ejemplo (PDF + XML)",
                    "Dołącz przykładową fakturę (PDF + XML)"),
    "concurrency": ("At once", "A la vez", "Naraz"),
    "start": ("Start", "Iniciar", "Start"),
    "stop": ("Stop", "Detener", "Zatrzymaj"),
    "progress": ("{done} of {total} done", "{done} de {total} listas", "{done} z {total} gotowe"),
    "bulk_done": ("Finished: {ok} ok, {bad} need attention.", "Terminado: {ok} bien, {bad} requieren atención.",
                  "Zakończono: {ok} ok, {bad} wymaga uwagi."),
    "bulk_stopped": ("Stopped after {done} of {total}.", "Detenido tras {done} de {total}.",
                     "Zatrzymano po {done} z {total}."),
    "retrying": ("retrying in {seconds} s: {status}", "reintento en {seconds} s: {status}",
                 "ponowna próba za {seconds} s: {status}"),
    "nothing_selected": ("Select at least one account.", "Seleccione al menos una cuenta.",
                         "Zaznacz co najmniej jedno konto."),
    # report
    "report_title": ("Status report", "Informe de estado", "Raport stanu"),
    "export": ("Export {fmt}", "Exportar {fmt}", "Eksportuj {fmt}"),
    "all_columns": ("All columns", "Todas las columnas", "Wszystkie kolumny"),
    "col_two_step": ("2SV", "2SV", "2SV"),
    "col_last_check": ("Last check", "Última comprobación", "Ostatnie sprawdzenie"),
    "exported": ("Written: {path}", "Escrito: {path}", "Zapisano: {path}"),
    "no_results": ("No checks yet: press “Run the audit now” to check every account's sign-in, or send test "
                   "messages from 04_bulk_test_send.",
                   "Aún no hay comprobaciones: pulse “Ejecutar la auditoría ahora” para comprobar el inicio de sesión "
                   "de todas las cuentas, o envíe mensajes de prueba desde 04_bulk_test_send.",
                   "Brak sprawdzeń: kliknij „Uruchom audyt teraz”, aby sprawdzić logowanie wszystkich kont, albo "
                   "wyślij wiadomości testowe z 04_bulk_test_send."),
    "run_audit": ("Run the audit now", "Ejecutar la auditoría ahora", "Uruchom audyt teraz"),
    "audit_running": ("Checking every account: {done} of {total} done…",
                      "Comprobando todas las cuentas: {done} de {total} listas…",
                      "Sprawdzam wszystkie konta: {done} z {total} gotowe…"),
    # hints next to remedies that name a command a panel offers as a button
    "hint_prefix": ("In the notebooks:", "En los cuadernos:", "W notatnikach:"),
    "hint_oauth": ("02_gmail_oauth, button “Connect with Google”", "02_gmail_oauth, botón “Conectar con Google”",
                   "02_gmail_oauth, przycisk „Połącz z Google”"),
    "hint_oauth_here": ("Or press “Connect with Google” above.", "O pulse “Conectar con Google” arriba.",
                        "Albo kliknij „Połącz z Google” powyżej."),
    "hint_apppw": ("03_two_step_and_app_passwords, the app-password form",
                   "03_two_step_and_app_passwords, formulario de contraseña de aplicación",
                   "03_two_step_and_app_passwords, formularz hasła aplikacji"),
    "hint_apppw_here": ("Or type the new app password above and press “Test and save”.",
                        "O escriba arriba la nueva contraseña de aplicación y pulse “Probar y guardar”.",
                        "Albo wpisz powyżej nowe hasło aplikacji i kliknij „Sprawdź i zapisz”."),
    "hint_bulk": ("04_bulk_test_send, button “Start”", "04_bulk_test_send, botón “Iniciar”",
                  "04_bulk_test_send, przycisk „Start”"),
    "hint_bulk_here": ("Or press “Start” above.", "O pulse “Iniciar” arriba.", "Albo kliknij „Start” powyżej."),
    "hint_concurrency": ("04_bulk_test_send, a lower “At once”", "04_bulk_test_send, un valor menor en “A la vez”",
                         "04_bulk_test_send, mniejsza wartość „Naraz”"),
    "hint_concurrency_here": ("Or lower “At once” above and start again.",
                              "O baje “A la vez” arriba y vuelva a iniciar.",
                              "Albo zmniejsz „Naraz” powyżej i uruchom ponownie."),
    # troubleshooting
    "trouble_title": ("Troubleshooting", "Solución de problemas", "Rozwiązywanie problemów"),
    "run_checks": ("Run the checks", "Ejecutar las comprobaciones", "Uruchom sprawdzenie"),
    "check_imap": ("Also IMAP", "También IMAP", "Również IMAP"),
    "send_to": ("Send test to", "Enviar prueba a", "Wyślij test do"),
    "transcript": ("Transcript", "Transcripción", "Zapis sesji"),
    "not_run": ("not run", "no ejecutado", "nie uruchomiono"),
    "step_dns": ("DNS", "DNS", "DNS"),
    "step_tcp": ("TCP connection", "Conexión TCP", "Połączenie TCP"),
    "step_tls": ("TLS", "TLS", "TLS"),
    "step_ehlo": ("EHLO", "EHLO", "EHLO"),
    "step_auth": ("Sign-in (AUTH)", "Inicio de sesión (AUTH)", "Logowanie (AUTH)"),
    "step_send": ("Test send", "Envío de prueba", "Wysyłka testowa"),
    "step_imap": ("IMAP sign-in", "Inicio de sesión IMAP", "Logowanie IMAP"),
    "all_good": ("✓ Everything works for {email}.", "✓ Todo funciona para {email}.", "✓ Wszystko działa dla {email}."),
}


def t(key: str, lang: str | None = None, **fields: object) -> str:
    """The label `key` in `lang` (English when the language is unknown), with `{fields}` filled in."""
    index = LANGS.index(normalize_lang(lang) or DEFAULT_LANG)
    text = LABELS[key][index]
    return text.format(**fields) if fields else text


__all__ = ["LABELS", "LANGUAGE_NAMES", "t"]
