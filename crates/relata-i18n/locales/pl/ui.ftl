# Interfejs Relata po polsku.

## Ramka każdej strony

skip-to-content = Przejdź do treści
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
