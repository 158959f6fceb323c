# Call center pages (waiting calls, the next call, a call's page, the dashboard).

## Page titles
calls-next-title = Następna rozmowa
calls-waiting-title = Połączenia oczekujące
calls-dashboard-title = Call center
calls-call-title = Rozmowa: { $who }

## The next call and the progressive dialler
calls-dialler-on = Dialer progresywny włączony: kolejny numer zostanie wybrany, gdy tylko się zwolnisz.
calls-dialler-turn-off = Wyłącz
calls-dialler-turn-on = Włącz dialer progresywny
calls-on-a-call = Trwa rozmowa:
calls-dialler-waits = Dialer poczeka, aż się zakończy.
calls-phone = Telefon
calls-call-number = Zadzwoń pod { $number }
calls-no-number = brak numeru
calls-dialled = Wybrane połączenie
calls-talked-for = czas rozmowy { $duration }
calls-priority = Priorytet
calls-attempts = Próby
calls-attempts-last = { $attempts } (ostatnio: { $outcome })
calls-lately = Ostatnio
calls-dialler-countdown = Dialer zadzwoni pod numer { $number } za { $seconds } s.
calls-dialler-countdown-customer = Dialer zadzwoni do klienta za { $seconds } s.
calls-dial-now = Dzwoń teraz
calls-pause-dialler = Wstrzymaj dialer
calls-dial-from-extension = Dzwoń z mojego numeru wewnętrznego
calls-none-due = Na razie nie ma połączeń do wykonania. Dobra robota!
calls-log-and-go-on = Zapisz rozmowę i przejdź dalej

## Logging a call
calls-outcome = Wynik rozmowy
calls-notes = Notatki
calls-call-back-at = Oddzwonić o (UTC, przy wyniku „Oddzwonić”)
calls-follow-up-task = Zadanie po rozmowie
calls-task-due = Termin zadania (UTC)
calls-error-not-a-time = { $field }: „{ $text }” to nie jest data i godzina
calls-error-field-follow-up-due = termin zadania
calls-error-field-call-back-at = oddzwonić o
calls-error-follow-up-due-missing = termin zadania: podaj, do kiedy zadanie ma być wykonane
calls-error-follow-up-subject-missing = zadanie po rozmowie: podaj, co trzeba zrobić

## A call's page
calls-on-the-line = Na linii
calls-number = Numer
calls-number-not-shown = ukryty
calls-number-withheld = Numer zastrzeżony
calls-status = Status
calls-talked = Czas rozmowy
calls-talked-duration = { $minutes } min { $seconds } s
calls-fact-contact = Kontakt
calls-fact-lead = Lead
calls-fact-account = Firma
calls-fact-value = Wartość klienta
calls-value-priority = { $tier } (priorytet { $priority })
calls-fact-open-cases = Otwarte zgłoszenia
calls-fact-overdue-invoices = Przeterminowane faktury
calls-fact-open-opportunities = Otwarte szanse sprzedaży
calls-fact-unknown-number = Nieznany numer
calls-new-contact = Dodaj kontakt
calls-call-record = Rekord połączenia
calls-log-call = Zapisz rozmowę
calls-logged = Zapisano:
calls-logged-link = rozmowa w historii kontaktów klienta
calls-order-title = Przyjmij zamówienie
calls-order-taken = Przyjęto zamówienie:
calls-order-open = otwórz zamówienie
calls-product = Produkt
calls-quantity = Ilość
calls-product-row = Produkt { $row }
calls-quantity-row = Ilość { $row }
calls-order-notes = Uwagi do zamówienia
calls-take-order = Przyjmij zamówienie
calls-prices-note = Ceny pochodzą z cenników, tak jak w każdym zamówieniu.
calls-order-needs-account = Do zamówienia potrzebna jest firma dzwoniącego.
calls-order-needs-account-hint = Do zamówienia potrzebna jest firma dzwoniącego: otwórz rekord dzwoniącego i przypisz mu firmę.
calls-dial-number = Zadzwoń pod { $number }

## Waiting calls
calls-queue-heading = { $queue } ({ $count })
calls-no-queue = Bez kolejki
calls-caller = Dzwoniący
calls-value = Wartość klienta
calls-ringing-since = Dzwoni od
calls-unknown-caller = nieznany rozmówca
calls-no-one-waiting = Nikt nie czeka na połączenie.

## The dashboard
calls-download-report = Pobierz raport (XLSX)
calls-inbound = Połączenia przychodzące
calls-answered = Odebrane
calls-abandoned = Porzucone
calls-outbound = Połączenia wychodzące
calls-first-call-resolution = Rozwiązane przy pierwszym kontakcie (FCR)
calls-count-share = { $count } ({ $share })
calls-chart-per-agent = Połączenia na konsultanta
calls-chart-per-hour = Połączenia według godziny (UTC)
calls-chart-wait-by-tier = Średni czas oczekiwania według wartości klienta
calls-chart-list-penetration = Listy połączeń: odsetek obdzwonionych
calls-seconds = { $seconds } s

## Teksty pisane przez skrypt strony (wyszukiwanie, tablica, okno połączenia)
script-untitled = (bez nazwy)
script-saving = Zapisywanie…
script-saved = Zapisano.
script-not-moved = Nie przeniesiono:
script-calling = Dzwonisz do:
script-incoming = Połączenie przychodzące:
script-call-ended = Rozmowa zakończona:
script-number-withheld = numer zastrzeżony
script-unknown-caller = nieznany rozmówca
script-value-of = %tier% (priorytet %priority%)
script-open-cases = Otwarte zgłoszenia
script-overdue-invoices = Zaległe faktury
script-open-opportunities = Otwarte szanse sprzedaży
script-open = Otwórz
script-new-contact = Nowy kontakt
script-log-call = Zapisz rozmowę
script-close = Zamknij
script-pick-date = Wybierz datę
script-previous-month = Poprzedni miesiąc
script-next-month = Następny miesiąc
