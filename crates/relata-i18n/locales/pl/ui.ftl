# Interfejs Relata po polsku.

## Ramka każdej strony

skip-to-content = Przejdź do treści
menu = Menu
nav-main = Menu główne
nav-home = Start
nav-service = Obsługa klienta
nav-pipeline = Lejek sprzedaży
nav-next-call = Następna rozmowa
nav-call-center = Call center
nav-waiting-calls = Oczekujące połączenia
nav-channels = Kanały
search-label = Szukaj firm, kontaktów, leadów i szans sprzedaży
search-placeholder = Szukaj…
notifications-unread = { $count ->
    [0] Powiadomienia, brak nieprzeczytanych
    [one] Powiadomienia, { $count } nieprzeczytane
    [few] Powiadomienia, { $count } nieprzeczytane
   *[other] Powiadomienia, { $count } nieprzeczytanych
}
phones-and-calendars = Telefony i kalendarze
preferences-link = Język i strefa czasowa
switch-workspace = Zmień przestrzeń roboczą
switch = Zmień
sign-out = Wyloguj
incoming-call = Połączenie przychodzące
link-home = Strona startowa
not-found-title = Nie znaleziono
not-found-text = W tej przestrzeni roboczej nie ma takiego rekordu.
not-allowed = Brak uprawnień
denied-role = Twoja rola nie pozwala { $right ->
        [read] przeglądać
        [create] tworzyć
        [update] zmieniać
        [delete] usuwać
       *[export] eksportować
    } rekordów typu „{ $what }”.
denied-record = Twoja rola pozwala { $right ->
        [read] przeglądać
        [create] tworzyć
        [update] zmieniać
        [delete] usuwać
       *[export] eksportować
    } tylko niektóre rekordy typu „{ $what }”: ten należy do kogoś innego.
denied-admin-only = Może to zrobić tylko administrator przestrzeni roboczej.
denied-assign = Twoja rola nie pozwala przypisać rekordów typu „{ $what }” temu właścicielowi: wybierz siebie albo członka zespołu, którym kierujesz.
denied-made-by-relata = Rekordy typu „{ $what }” zapisuje tylko Relata.
value-yes = tak
value-no = nie

## Typy rekordów w menu

entity-accounts = Firmy
entity-contacts = Kontakty
entity-leads = Leady
entity-opportunities = Szanse sprzedaży
entity-activities = Działania
entity-pipelines = Lejki
entity-cases = Zgłoszenia
entity-products = Produkty
entity-quotes = Oferty
entity-orders = Zamówienia
entity-invoices = Faktury
entity-payments = Płatności
entity-phone_calls = Rozmowy telefoniczne
entity-call_lists = Listy telefoniczne
entity-emails = E-maile
entity-messages = Wiadomości
entity-option_groups = Grupy opcji
entity-price_books = Cenniki
entity-document_templates = Szablony dokumentów
entity-call_queue_entries = Rozmowy do wykonania
entity-message_templates = Szablony wiadomości
entity-print_batches = Paczki do druku
entity-automation_rules = Reguły automatyzacji
entity-automation_runs = Przebiegi automatyzacji
entity-case_comments = Komentarze do zgłoszeń
entity-service_teams = Zespoły obsługi
entity-service_calendars = Godziny pracy
entity-sla_policies = Zasady SLA
entity-routing_rules = Reguły przydzielania
entity-service_contracts = Umowy i gwarancje
entity-kb_articles = Baza wiedzy
entity-held_messages = Wstrzymana poczta
entity-one-accounts = firma
entity-one-contacts = kontakt
entity-one-leads = lead
entity-one-opportunities = szansa sprzedaży
entity-one-activities = działanie
entity-one-cases = zgłoszenie
entity-one-products = produkt
entity-one-quotes = oferta
entity-one-orders = zamówienie
entity-one-invoices = faktura
entity-one-payments = płatność

## Start

home-title = Start
home-greeting = Dzień dobry, { $name }
home-attention = Wymaga Twojej uwagi
home-webhook-paused = Webhook do { $url } wstrzymano: { $reason }. Napraw odbiorcę, a potem wznów subskrypcję (PATCH /api/v1/webhooks/…, "active": true); dostawy czekają.
home-my-tasks = Moje otwarte zadania
home-overdue = po terminie
home-nothing-due = Nic nie czeka. Dobra robota.
home-my-pipeline = Mój lejek według etapów
home-team-forecast = Prognoza mojego zespołu (otwarte, ważone etapem)
home-recent = Ostatnie działania
home-nothing-yet = Jeszcze nic. Tu pojawią się rekordy, które Ty i Twój zespół utworzycie lub zmienicie.
home-no-open-opportunities = Brak otwartych szans. Nową szansę dodasz na tablicy lejka.
home-chart-pipeline = Otwarty lejek według etapów
home-chart-team = Prognoza zespołu według opiekunów


## Listy

list-new = Nowy
list-export-csv = Eksport CSV
list-export-xlsx = Eksport XLSX
list-saved-views = Zapisane widoki
list-team = zespół
list-delete-view = Usuń widok
list-search = Szukaj
list-filter = Filtr
list-apply = Zastosuj
list-filter-help = Operatory = != < <= > >= ~ in, is null; łącz przez and, or, not.
list-add-condition = Dodaj warunek:
list-operator = Operator
op-is = jest
op-is-not = nie jest
op-contains = zawiera
op-greater = większe niż
op-less = mniejsze niż
op-empty = jest puste
op-not-empty = nie jest puste
list-value = Wartość
list-value-placeholder = wartość
list-add-to-filter = Dodaj do filtra
list-columns = Kolumny
list-columns-legend = Widoczne kolumny
list-show-columns = Pokaż te kolumny
list-with-selected = Zaznaczone
list-assign = Przypisz do
list-trash = Przenieś do kosza
list-new-owner = Nowy opiekun
list-select = Zaznacz
sorted-ascending = sortowanie rosnąco
sorted-descending = sortowanie malejąco
list-nothing = Nic tu nie ma. Wyczyść wyszukiwanie lub filtr albo dodaj nowy rekord.
list-save-view = Zapisz ten widok
list-view-name = Nazwa
list-share = Udostępnij moim zespołom
list-save-view-button = Zapisz widok
list-next-page = Następna strona


## Tablica lejka

board-new-opportunity = Nowa szansa
board-pipeline = Lejek
board-owner = Opiekun
board-closing = Zamknięcie w miesiącu (RRRR-MM)
board-show = Pokaż
board-weighted = ważone
board-move-to = Przenieś do innego etapu
board-move = Przenieś
board-all-of-stage = Wszystkie szanse tego etapu
board-everyone = Wszyscy
board-me = Ja


## Strony rekordów

record-convert = Konwertuj
record-edit = Edytuj
record-lines = Pozycje
record-no-lines = Brak pozycji. Dodaj pierwszą, edytując dokument.
record-quick-actions = Szybkie akcje
record-quick-kind = Rodzaj
record-log-call = Zapisz rozmowę
record-add-note = Dodaj notatkę
record-schedule-meeting = Zaplanuj spotkanie
record-create-task = Utwórz zadanie
record-subject = Temat
record-details = Szczegóły
record-save = Zapisz
record-conversation = Korespondencja
record-from-customer = Od klienta
record-the-customer = klient
record-no-replies = Brak odpowiedzi i notatek.
record-write = Napisz
record-reply = Odpowiedź do klienta (e-mailem)
record-internal-note = Notatka wewnętrzna
record-from-template = Zacznij odpowiedź od szablonu
record-no-template = Bez szablonu
record-text = Treść
record-send = Wyślij
record-none-yet = Jeszcze nic.
record-add = Dodaj
record-timeline = Historia kontaktów
record-show-in-timeline = Pokaż na osi czasu
record-no-episodes = Brak zdarzeń. Zapisz rozmowę lub dodaj notatkę powyżej.
record-history = Historia zmian
record-everything = Wszystko
record-open-opportunities = Otwarte szanse
record-open-worth = { $count } o wartości { $worth }
record-last-contact = Ostatni kontakt
history-create = utworzono
history-update = zmieniono
history-delete = przeniesiono do kosza
history-restore = przywrócono
history-redact = usunięto dane osobowe


## Formularze

form-new = Nowy rekord: { $type }
form-edit = Edycja: { $title }
form-open-current = Otwórz aktualną wersję
form-type-first = Najpierw podaj typ rekordów.
form-remove = Usuń
form-add-lines = Dodaj pozycje
form-cancel = Anuluj
# Pole odrzucone z powodu, który może dotyczyć każdego pola tego typu (według kodu).
form-needs-attention = Niektóre pola wymagają poprawienia.
error-required = Uzupełnij to pole.
error-invalid_type = To nie jest wartość tego rodzaju.
error-invalid_email = To nie jest adres e-mail.
error-invalid_phone = To nie jest numer telefonu.
error-invalid_date = To nie jest data.
error-invalid_datetime = To nie jest data i godzina.
error-invalid_id = To nie jest żadna z możliwości do wyboru.
error-not_found = W tej przestrzeni roboczej nie ma takiego rekordu (ani użytkownika).
error-too_many = Za dużo wartości.
error-invalid_choice = To nie jest żadna z możliwości do wyboru.
error-invalid_amount = To nie jest kwota.
error-invalid_currency = To nie jest kod waluty (np. PLN).
error-currency_not_enabled = Ta przestrzeń robocza nie używa tej waluty.
error-invalid_decimal = To nie jest liczba.
error-duplicate = Inny rekord ma już tę wartość.
error-unknown_field = Tego pola nie możesz wypełnić.
error-read_only = Twoja rola nie pozwala tego zmieniać.
error-forbidden = Twoja rola na to nie pozwala.
error-too_long = Ta wartość jest za długa.
error-out_of_range = Ta wartość jest poza dozwolonym zakresem.
error-in_the_past = Wybierz termin w przyszłości.
list-filter-unread = Relata nie potrafi odczytać tego filtra (znak { $column }): { $detail }

## Język i strefa czasowa

preferences-title = Język i strefa czasowa
preferences-intro = Strony, daty i kwoty wyglądają tak, jak tu wybierzesz.
preferences-language = Język
preferences-language-auto = Jak w przeglądarce (teraz: { $language })
preferences-time-zone = Strefa czasowa
preferences-time-zone-auto = Strefa przestrzeni roboczej ({ $zone })
preferences-example = Przykład: { $moment } · { $amount }
preferences-save = Zapisz
preferences-saved = Zapisano.
preferences-bad-language = Relata nie ma wersji w tym języku; wybierz język z listy.
preferences-bad-time-zone = To nie jest strefa czasowa; wybierz ją z listy (np. Europe/Warsaw).

## Czas względem teraz

relative-now = przed chwilą
relative-minutes-ago = { $count ->
    [one] minutę temu
    [few] { $count } minuty temu
   *[other] { $count } minut temu
}
relative-minutes-ahead = { $count ->
    [one] za minutę
    [few] za { $count } minuty
   *[other] za { $count } minut
}
relative-hours-ago = { $count ->
    [one] godzinę temu
    [few] { $count } godziny temu
   *[other] { $count } godzin temu
}
relative-hours-ahead = { $count ->
    [one] za godzinę
    [few] za { $count } godziny
   *[other] za { $count } godzin
}
relative-days-ago = { $count ->
    [one] wczoraj
   *[other] { $count } dni temu
}
relative-days-ahead = { $count ->
    [one] jutro
   *[other] za { $count } dni
}

## Kwoty wpisywane w formularzach

amount-not-a-number = Wpisz kwotę cyframi, np. 1 234,50.
amount-too-precise = { $count ->
    [0] Ta waluta nie ma części ułamkowej.
    [one] Ta waluta ma tylko 1 miejsce po przecinku.
    [few] Ta waluta ma tylko { $count } miejsca po przecinku.
   *[other] Ta waluta ma tylko { $count } miejsc po przecinku.
}
amount-ambiguous = „{ $grouped }” czy „{ $decimal }”? Wpisz kwotę bez kropki albo z przecinkiem dziesiętnym.
amount-too-large = Ta kwota jest za duża.

## Etapy domyślnego lejka sprzedaży

stage-qualification = Kwalifikacja
stage-needs_analysis = Analiza potrzeb
stage-proposal = Oferta
stage-negotiation = Negocjacje
stage-won = Wygrana
stage-lost = Przegrana

## Strona startowa według roli: zespół kierownika, plan handlowca, widżety

entity-quotas = Plany sprzedaży
entity-one-quotas = plan sprzedaży
home-my-team = Mój zespół
home-my-work = Moja praca
home-team-pipeline = Lejek zespołu według etapu i opiekuna
home-total = Razem
home-nobody = Nikt
home-win-rate = Skuteczność w tym kwartale
home-win-rate-value = { $percent } (wygrane: { $won }, przegrane: { $lost })
home-win-rate-none = W tym kwartale nie zamknięto jeszcze żadnej szansy.
home-quotas = Prognoza względem planu
home-quota-target = Plan
home-quota-won = Wygrane
home-quota-forecast = Prognoza
home-no-quotas = Żaden plan nie obejmuje dzisiejszego dnia. Kierownicy ustalają je w module Plany sprzedaży.
home-my-quota = Mój plan
home-activities-week = Działania w tym tygodniu
home-no-activities = W tym tygodniu nie zapisano żadnych działań.
home-stale = Szanse bez działań od 30 dni
home-my-stale = Moje szanse bez działań od 30 dni
home-no-stale = Żadna szansa nie utknęła.
home-last-change = ostatnia zmiana
home-widgets = Moje widżety
home-widget-gone = Zapisany widok tego widżetu już nie istnieje.
home-widget-remove = Usuń
home-widget-add-hint = Dodaj wskaźniki z zapisanego widoku: otwórz listę, wybierz „Dodaj do strony startowej” i wskaż widok.
home-widget-refused = Nie dodano widżetu
home-widget-empty = Brak rekordów.
home-no-value = (brak)
home-widget-records = { $count ->
    [one] 1 rekord
    [few] { $count } rekordy
   *[other] { $count } rekordów
}
list-add-to-home = Dodaj do strony startowej
list-widget-view = Zapisany widok
list-widget-figure = Pokaż
list-widget-count = Liczba rekordów
list-widget-sum = Suma: { $field }
list-widget-chart = Wykres według: { $field }
list-widget-add = Dodaj

## Kalendarze: widok dnia, tygodnia i miesiąca, szukanie terminu, przypomnienia

nav-calendar = Kalendarz
calendar-title = Kalendarz
calendar-day = Dzień
calendar-week = Tydzień
calendar-month = Miesiąc
calendar-previous = Wstecz
calendar-next = Dalej
calendar-today = Dziś
calendar-mine = Mój
calendar-team = Mój zespół
calendar-find-time = Znajdź termin
calendar-reschedule = Zmień termin
calendar-starts = Początek
calendar-ends = Koniec
calendar-save = Zapisz
calendar-saving = Zapisywanie…
calendar-nothing = Nic nie zaplanowano.
calendar-not-saved = Nie zapisano
calendar-conflict = Ktoś w międzyczasie zmienił to działanie: otwórz kalendarz ponownie, aby zobaczyć jego aktualny stan.
calendar-bad-times = Podaj początek i koniec jako datę i godzinę.
calendar-end-before-start = Koniec musi nastąpić po początku.
calendar-times-in = Godziny w strefie { $zone }
find-time-title = Znajdź termin
find-time-who = Kto
find-time-length = Długość (minuty)
find-time-search = Szukaj
find-time-proposal = Proponowany termin: { $when }
find-time-none = Brak wspólnego wolnego czasu w najbliższych pięciu dniach roboczych.
find-time-busy = Zajęte terminy
find-time-free = Wolne
find-time-create = Utwórz spotkanie
reminder-title = Przypomnienie: { $subject }, { $when }
reminder-at = { $at }
notify-webhook-paused = Webhook do { $url } wstrzymany
notify-webhook-paused-reason = Wstrzymany po { $attempts } nieudanych próbach doręczenia zdarzenia { $event }: { $error }
notify-automation-rule = Reguła automatyzacji: { $rule }
notify-sla-warning = Ostrzeżenie SLA: { $case }
notify-sla-due = Termin: { $at }
notify-sla-breached = Przekroczony termin SLA: { $case }
notify-sla-escalated = Podniesiono priorytet do: { $priority }
notify-case-assigned = Przypisano Ci zgłoszenie: { $case }

## Akcje na stronach rekordów, rodzaje wpisów osi czasu, nazwy typów w liczbie pojedynczej

action-download-letters = Pobierz listy (PDF)
action-mark-posted = Oznacz jako wysłane
action-dry-run = Próbne uruchomienie
action-runs = Uruchomienia
action-automation-runs = Uruchomienia automatyzacji
action-write-email = Napisz e-mail
action-download-pdf = Pobierz PDF
action-revise = Utwórz nową wersję
action-create-invoice = Wystaw fakturę
action-download-ubl = Pobierz UBL
action-record-payment = Zarejestruj płatność
action-credit-note = Faktura korygująca
action-configure = Konfiguruj
action-reply-customer = Odpowiedz klientowi
action-internal-note = Dodaj notatkę wewnętrzną
action-release = Przenieś do zgłoszenia
action-discard = Odrzuć
action-pause = Wstrzymaj
action-resume = Wznów
action-mark-sent = Oznacz jako wysłaną
action-accept = Akceptuj
action-reject = Odrzuć
action-confirm = Potwierdź
action-issue = Wystaw
timeline-stage_change = Zmiany etapu
timeline-one-stage_change = zmiana etapu
timeline-shared_email = Udostępnione e-maile
timeline-one-shared_email = udostępniony e-mail
entity-one-pipelines = lejek sprzedaży
entity-one-phone_calls = rozmowa telefoniczna
entity-one-call_lists = lista telefoniczna
entity-one-emails = e-mail
entity-one-messages = wiadomość
entity-one-option_groups = grupa opcji
entity-one-price_books = cennik
entity-one-document_templates = szablon dokumentu
entity-one-call_queue_entries = rozmowa do wykonania
entity-one-message_templates = szablon wiadomości
entity-one-print_batches = partia wydruku
entity-one-automation_rules = reguła automatyzacji
entity-one-automation_runs = uruchomienie automatyzacji
entity-one-case_comments = komentarz do zgłoszenia
entity-one-service_teams = zespół obsługi
entity-one-service_calendars = godziny pracy
entity-one-sla_policies = polityka SLA
entity-one-routing_rules = reguła przydziału
entity-one-service_contracts = umowa lub gwarancja
entity-one-kb_articles = artykuł bazy wiedzy
entity-one-held_messages = wstrzymana wiadomość
not-done = Nie wykonano
page-failed = Coś poszło nie tak
page-failed-text = Na serwerze coś poszło nie tak; zostało to zapisane w dzienniku dla administratora. Spróbuj ponownie później.
page-busy-text = Baza danych jest zajęta inną pracą; niczego nie zmieniono. Spróbuj ponownie za chwilę.
page-out-of-space-text = Relata nie może teraz zapisywać zmian: jej magazyn danych jest pełny albo tylko do odczytu. Niczego nie zmieniono; odczyt nadal działa.
page-changed-since-text = W międzyczasie ktoś inny zmienił ten rekord; niczego nie zapisano. Otwórz go ponownie, aby zobaczyć tę zmianę.
bulk-select-first = Najpierw zaznacz od 1 do 500 rekordów.
bulk-choose-action = Wybierz akcję (a przy przypisaniu także właściciela).
bulk-partly-done = Wykonano częściowo
bulk-partly-done-text = Wykonano: { $done }; nie wykonano: { $refused }: { $reasons }
view-not-saved = Widoku nie zapisano
board-no-pipeline = Brak lejka sprzedaży
board-no-pipeline-text = Ta przestrzeń robocza nie ma jeszcze lejka sprzedaży.
board-no-such-deal = Nie ma takiej szansy sprzedaży.
board-stage-not-allowed = Twoja rola nie pozwala zmieniać etapów.
board-changed-meanwhile = Ktoś zmienił tę szansę sprzedaży, gdy ją przeglądałeś. Wróć i odśwież tablicę.
board-choose-team = Wybierz zespół, który ma członków.
board-choose-owner = Wybierz właściciela z listy.
board-not-a-month = „{ $month }” nie jest miesiącem w postaci 2026-12.
form-someone = ktoś
form-changed-by = Rekord zmienił(a) { $by } ({ $time }), gdy go edytowałeś(-aś). Twoje zmiany są zachowane poniżej; wczytaj rekord ponownie, aby zobaczyć cudze zmiany, a potem wprowadź swoje jeszcze raz.
form-changed = Rekord został zmieniony podczas Twojej edycji.
board-not-moved = Nie przeniesiono
changed-meanwhile = Zmieniono w międzyczasie
record-changed-meanwhile = Ktoś zmienił ten rekord, gdy go przeglądałeś. Odśwież stronę i spróbuj ponownie.
form-expired = Formularz wygasł
form-expired-text = Wróć, odśwież stronę i spróbuj ponownie.
