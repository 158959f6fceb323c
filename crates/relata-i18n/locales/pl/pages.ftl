# Other domain pages (service, conversion, product configuration, rule dry runs, channel settings, connect, notifications, sign-in).

## Pulpit obsługi klienta

service-download-report = Pobierz raport (XLSX)
service-worked-cases = Zgłoszenia w toku według terminu
service-held-mail = Wstrzymana poczta ({ $count })
service-open-cases = Otwarte zgłoszenia
service-resolved = Rozwiązane (30 dni)
service-sla = Dotrzymanie SLA
service-sla-value = { $percent } (naruszenia: { $breached })
service-first-response = Pierwsza odpowiedź
service-resolution = Rozwiązanie
service-times = mediana { $median }, 90 % w ciągu { $p90 }
service-minutes = { $minutes } min
service-hours = { $hours } godz.
service-days = { $days } dnia
service-age-under-a-day = poniżej doby
service-age-1-to-3-days = 1–3 dni
service-age-3-to-7-days = 3–7 dni
service-age-7-to-30-days = 7–30 dni
service-age-over-30-days = ponad 30 dni
service-chart-age = Otwarte zgłoszenia według wieku
service-chart-team = Otwarte zgłoszenia według zespołu
service-chart-priority = Otwarte zgłoszenia według priorytetu
service-chart-backlog = Zaległe zgłoszenia, ostatnie 14 dni
service-chart-backlog-label = Zaległe zgłoszenia dzień po dniu
service-chart-categories = Najczęstsze kategorie
service-chart-root-causes = Najczęstsze przyczyny źródłowe

## Konwersja leada

convert-title = Konwersja leada
convert-heading = Konwersja: { $title }
convert-intro = Tworzy z leada kontakt wraz z firmą (nową, na podstawie firmy podanej w leadzie, albo wskazaną przez Ciebie) oraz — jeśli chcesz — szansę sprzedaży, wszystko za jednym razem.
convert-account = Identyfikator istniejącej firmy (zostaw puste, aby utworzyć „{ $company }”)
convert-create-opportunity = Utwórz szansę sprzedaży
convert-opportunity-name = Nazwa szansy sprzedaży
convert-opportunity-default = { $company } – szansa sprzedaży
convert-amount = Kwota (np. 1200,00 EUR)
convert-needs-attention = Niektóre pola wymagają poprawienia.

## Konfiguracja produktu

configure-title = Konfiguracja: { $product }
configure-valid = Ta konfiguracja jest poprawna.
configure-broken = Ta konfiguracja narusza następujące reguły:
configure-new-quote = Nowa oferta z tą konfiguracją
configure-quantity = Ilość
configure-no-groups = Ten produkt nie ma jeszcze grup opcji.
configure-check = Sprawdź i wyceń
configure-choose = wybierz { $count }
configure-choose-between = wybierz od { $min } do { $max }
configure-choose-at-least = wybierz co najmniej { $count }
configure-choose-at-most = wybierz najwyżej { $count }
configure-requires = wymaga: { $options }
configure-excludes = wyklucza: { $options }
configure-unit-price = Cena jednostkowa: { $price }
configure-options-price = w tym opcje: { $price }
configure-no-price = brak ceny w cenniku
configure-configuration = Konfiguracja: { $options }
configure-no-options = bez opcji

## Próbne uruchomienie reguły

dry-run-title = Próbne uruchomienie: { $rule }
dry-run-back = Wróć do reguły
dry-run-found = Nic nie zostało wykonane: tak reguła zadziałałaby teraz. Objęłaby { $count ->
    [one] { $count } rekord
    [few] { $count } rekordy
    [many] { $count } rekordów
   *[other] { $count } rekordu
}.
dry-run-found-first = Nic nie zostało wykonane: tak reguła zadziałałaby teraz. Objęłaby { $count ->
    [one] { $count } rekord
    [few] { $count } rekordy
    [many] { $count } rekordów
   *[other] { $count } rekordu
}; poniżej pierwsze { $shown }.
dry-run-steps = Kroki
rule-step-wait-until = czekaj do { $until } + { $days } dni
rule-step-wait = czekaj { $days } dni { $hours } godz.
rule-step-branch-stop = jeśli { $condition }, zakończ
rule-step-branch = jeśli { $condition }, przejdź do kroku { $step }
rule-step-set = ustaw { $field } na „{ $value }”
rule-step-send = { $action } z szablonem { $template }
rule-step-other = { $action }: { $subject }
dry-run-records = Rekordy
dry-run-to = do { $address }
dry-run-nothing = Reguła nie objęłaby teraz żadnego rekordu.

## Ustawienia kanałów (administratorzy)

channels-email = E-mail (SMTP)
channels-sms = Bramka SMS
channels-save = Zapisz: { $channel }
channels-saved-email = Zapisano ustawienia poczty e-mail.
channels-saved-sms = Zapisano ustawienia SMS.
channels-secret-set = (ustawione; zostaw puste, aby zachować)
channels-smtp-server = Serwer SMTP
channels-port = Port
channels-security = Zabezpieczenie połączenia
channels-security-none = brak szyfrowania
channels-user-name = Nazwa użytkownika
channels-password = Hasło
channels-from-address = Adres nadawcy
channels-from-name = Nazwa nadawcy
channels-reply-to = Adres do odpowiedzi
channels-gateway-url = Adres URL bramki
channels-method = Metoda
channels-body-format = Format treści
channels-body-form = formularz
channels-body = Treść (z { "{{to}}" }, { "{{from}}" }, { "{{text}}" })
channels-sender = Nadawca
channels-credential-header = Nagłówek uwierzytelniania
channels-credential = Dane uwierzytelniające
channels-success-contains = Odpowiedź oznaczająca powodzenie zawiera

## Telefony i kalendarze (CardDAV, CalDAV, hasła aplikacji)

connect-intro = Twoje kontakty są książką adresową, a spotkania, rozmowy i zadania — kalendarzem dla aplikacji w telefonie i komputerze (CardDAV i CalDAV: iPhone, Android z DAVx⁵, Thunderbird, macOS). Dodaj tam konto z podanym niżej serwerem, swoim adresem e-mail jako nazwą użytkownika i utworzonym tutaj hasłem aplikacji jako hasłem. Zmiany wprowadzone tam zapisują się w Relata tak, jakby zostały wprowadzone tutaj.
connect-server = Serwer
connect-user-name = Nazwa użytkownika
connect-address-book = Książka adresowa
connect-new-secret = Twoje nowe hasło aplikacji, widoczne tylko teraz:
connect-what-they-show = Co pokazują
connect-contacts = Kontakty (filtr listy; <code>owner = me</code> to Twoje)
connect-activities = Spotkania, rozmowy i zadania (filtr listy)
connect-app-passwords = Hasła aplikacji
connect-access = Dostęp
connect-made = Utworzono
connect-last-used = Ostatnio użyte
connect-never = nigdy
connect-revoke = Unieważnij
connect-revoke-named = Unieważnij: { $name }
connect-device-name = Nazwa (urządzenie)
connect-read-write = Odczyt i zmiany
connect-read-only = Tylko odczyt
connect-make = Utwórz hasło aplikacji
connect-name-needed = podaj nazwę urządzenia, dla którego jest to hasło

## Powiadomienia

notifications-title = Powiadomienia
notifications-mark-all-read = Oznacz wszystkie jako przeczytane
notifications-mark-read = Oznacz jako przeczytane
notifications-nothing = Jeszcze nic.
notifications-older = Starsze

## Logowanie i dołączanie (strony dla niezalogowanych)

signin-title = Zaloguj się
signin-heading = Zaloguj się do Relata
signin-email = E-mail
signin-password = Hasło
signin-code = Kod z aplikacji uwierzytelniającej
signin-expired = Formularz wygasł; zaloguj się ponownie.
signin-wrong-credentials = Nieprawidłowy adres e-mail lub hasło.
signin-code-required = To konto ma drugi składnik logowania: wpisz 6-cyfrowy kod z aplikacji uwierzytelniającej.
signin-wrong-code = Kod drugiego składnika jest nieprawidłowy lub wygasł.
signin-locked = Zbyt wiele nieudanych prób logowania; spróbuj ponownie po { $time } UTC.
signin-no-membership = To konto nie ma aktywnego członkostwa w tej przestrzeni roboczej; zwróć się do jej administratora.
signin-running = CRM działa.
signin-rest-api = REST API:
signin-api-reference = dokumentacja
signin-openapi = dokument OpenAPI 3.1
signin-join-title = Dołącz do Relata
signin-your-name = Imię i nazwisko
signin-choose-password = Ustaw hasło (co najmniej 10 znaków)
signin-join = Dołącz
signin-password-refused = Hasło: { $reason }
signin-invitation-invalid = Zaproszenie jest nieznane, zostało już użyte lub wygasło.

## Strona wypisu, którą klient otwiera z e-maila lub SMS-a

unsubscribe-title = Wypisz się
unsubscribe-invalid = Ten link jest nieprawidłowy
unsubscribe-question-email = Nie chcesz już otrzymywać od nas e-maili?
unsubscribe-question-sms = Nie chcesz już otrzymywać od nas SMS-ów?
unsubscribe-button = Wypisz mnie
unsubscribed-title = Wypisano Cię
unsubscribed-text = Nie będziemy już pisać do Ciebie w ten sposób.
