### What the domain modules' rules refuse, said next to the field refused.
### The API gives the English text as the problem's `message`: keep these
### lower-case phrases, as the API's other messages are. Arguments named
### `status`, `was` and `asked` are choice labels ("Paid"), already in the
### reader's language.

## Quotes

refuse-quote-created = ofertę tworzy się jako szkic albo od razu jako wysłaną
refuse-quote-settled = oferta ma status „{ $status }”; aby ją zmienić, utwórz nową wersję
refuse-quote-settled-already = oferta ma już status „{ $status }”
refuse-quote-expired = termin ważności oferty minął; aby ją zaakceptować, utwórz nową wersję
refuse-quote-other-account = ta szansa sprzedaży należy do innej firmy
refuse-quote-no-lines = zaakceptować można tylko ofertę z co najmniej jedną pozycją

## Invoices and credit notes

refuse-invoice-created = fakturę tworzy się jako szkic, a dopiero potem wystawia
refuse-invoice-issued = wystawionej faktury nie można zmienić; wystaw do niej fakturę korygującą
refuse-invoice-transition = faktura nie może zmienić statusu z „{ $was }” na „{ $asked }”: zapłaconą czynią ją płatności, przeterminowaną – upływ terminu płatności, a anulować można tylko fakturę bez żadnych wpłat i korekt
refuse-invoice-no-lines = wystawić można tylko fakturę z co najmniej jedną pozycją
refuse-invoice-delete-issued = wystawionej faktury nie można usunąć; anuluj ją albo wystaw do niej fakturę korygującą
refuse-invoice-overpaid = suma płatności przekroczyłaby wartość faktury
refuse-credit-note-corrects = faktura korygująca musi wskazywać fakturę, którą koryguje
refuse-credit-note-of-credit-note = faktura korygująca koryguje fakturę, a nie inną fakturę korygującą
refuse-credit-note-other-account = korygowana faktura należy do innej firmy
refuse-credit-note-not-issued = skorygować można tylko wystawioną fakturę
refuse-credit-note-only = fakturę może korygować tylko faktura korygująca
refuse-credit-over-invoice = suma faktur korygujących przekracza wartość korygowanej faktury
refuse-billing-currency = ta firma jest rozliczana w walucie { $currency }; jej faktury i płatności również muszą być w { $currency }

## Payments

refuse-not-positive = wartość musi być większa od 0
refuse-payment-account = płatność rozliczona z fakturami pozostaje przypisana do firmy, do której należą te faktury
refuse-refund-allocated = zwrot oddaje klientowi nadpłatę; nie rozlicza się go z fakturami
refuse-payment-invoice-twice = tę samą fakturę rozliczono dwukrotnie
# $number: the invoice's number, or refuse-a-draft's words for one without.
refuse-a-draft = bez numeru (szkic)
refuse-payment-other-account = faktura { $number } należy do innej firmy
refuse-payment-credit-note = dokument { $number } to faktura korygująca, a nie faktura do zapłaty
refuse-payment-not-payable = faktura { $number } ma status „{ $status }”, więc nie można jej opłacić
refuse-payment-currency = faktura { $number } jest wystawiona w walucie { $currency }
refuse-payment-over-balance = więcej, niż pozostało do zapłaty na fakturze { $number } ({ $balance })
refuse-payment-over-amount = rozliczenia wynoszą łącznie { $allocated }, czyli więcej niż kwota płatności ({ $amount })
refuse-refund-over-credit = firma ma tylko { $credit } nadpłaty do zwrotu

## Price books and documents' lines

refuse-ends-before-start = data końcowa jest wcześniejsza niż początkowa
refuse-price-book-twice = ten produkt ma już w tym cenniku cenę od tej ilości
refuse-price-negative = cena nie może być ujemna
refuse-price-book-overlap = pokrywa się z cennikiem „{ $name }” dla tych samych klientów w walucie { $currency }; jeden z nich musi się kończyć, zanim zacznie obowiązywać drugi
refuse-unknown-currency = „{ $code }” nie jest walutą używaną w tej przestrzeni roboczej
refuse-product-inactive = ten produkt nie jest już sprzedawany
refuse-whole-units = ten produkt sprzedaje się tylko w całych jednostkach ({ $unit }); { $quantity } nie jest liczbą całkowitą
refuse-tax-rate-required = należy ją podać (produkt jej nie określa)
refuse-percentage = wartość procentowa od 0 do 100
refuse-not-configurable = ten produkt nie ma opcji do wyboru
refuse-price-currency = podano w walucie { $given }, a dokument jest w walucie { $currency }
refuse-no-price = żaden cennik w walucie { $currency } nie zawiera ceny tego produktu na dzień { $day }; podaj cenę jednostkową
refuse-price-required = jest wymagana w pozycji bez produktu
refuse-price-override = cena z cennika to { $list }; sprzedawać po innej cenie może tylko osoba zarządzająca cennikami
refuse-lines-too-large = suma pozycji jest za duża
refuse-option-code = kod bez spacji, przecinków oraz znaków + i *
refuse-option-twice = produkt ma już opcję { $code }
refuse-below-minimum = wartość jest poniżej minimum
refuse-logo-too-large = rozmiar pliku w bajtach nie może przekraczać { $bytes }
refuse-logo-not-jpeg = wymagany plik JPEG zakodowany w base64 (można też podać adres URL data:image/jpeg;base64,)

## Opportunities and quotas

refuse-no-such-pipeline = nie ma takiego lejka sprzedaży
refuse-no-pipeline = ta przestrzeń robocza nie ma jeszcze lejka sprzedaży; najpierw go utwórz
refuse-not-a-stage = „{ $stage }” nie jest etapem lejka „{ $pipeline }” (etapy: { $stages })
refuse-no-open-stage = lejek nie ma żadnego otwartego etapu
refuse-stage-in-use = na etapie „{ $stage }” wciąż są szanse sprzedaży; przenieś je, zanim usuniesz ten etap
refuse-lead-converted = ten lead został już przekonwertowany
refuse-period-before-start = okres kończy się wcześniej, niż się zaczyna

## Service

refuse-case-resolution = opisz, jak rozwiązano zgłoszenie
refuse-no-such-case = nie ma takiego zgłoszenia
refuse-template-not-reply = z szablonu można przygotować tylko odpowiedź do klienta
refuse-comment-body = wpisz treść komentarza (albo, w przypadku odpowiedzi, wybierz szablon)
refuse-reply-no-recipient = zgłoszenie nie ma kontaktu ani zgłaszającego z adresem e-mail, na który można odpowiedzieć; dodaj go albo napisz notatkę
refuse-publish-role = artykuły publikuje kierownik lub administrator; poproś o recenzję
refuse-archived-to-review = zarchiwizowany artykuł trzeba najpierw przywrócić do szkicu
refuse-feedback-unpublished = oceniać można tylko opublikowane artykuły
refuse-holiday-date = dzień wolny wymaga daty
refuse-time-of-day = godzina w postaci 09:00 lub 17:30
refuse-hours-time = godziny pracy wymagają podania godziny
refuse-hours-overlap = nakłada się na inny przedział tego samego dnia
refuse-calendar-zone = „{ $zone }” nie jest strefą czasową (np. Europe/Warsaw)

## Calls

refuse-call-party = rozmowa musi dotyczyć kontaktu lub firmy; wskaż jedno z nich
refuse-list-skill = umiejętność, której wymagają połączenia z tej listy – potrzebna do podziału według umiejętności

## Message templates

refuse-template-key = małe litery a–z, cyfry i _ (np. dunning_reminder)
refuse-unknown-entity = „{ $name }” nie jest typem rekordu
refuse-template-subject = e-maile i listy muszą mieć temat
refuse-template-syntax = Relata nie potrafi odczytać tego szablonu: { $detail }
refuse-merge-field = to nie jest pole korespondencji seryjnej tego szablonu: { $detail }
refuse-template-twice = szablon „{ $key }” już istnieje (kanał: { $channel }, język: { $language })

## Saved views and home widgets

refuse-view-name = nazwa o długości od 1 do 100 znaków
refuse-view-query = maksymalnie 4000 znaków
refuse-view-unknown = nie ma takiego zapisanego widoku – ani Twojego, ani Twojego zespołu
refuse-view-searches = widżet liczy rekordy według filtra widoku, a ten widok korzysta z wyszukiwania
refuse-widget-figure = count, sum:<pole kwoty> lub chart:<pole>
refuse-widget-money = „{ $field }” nie jest widocznym dla Ciebie polem kwoty
refuse-widget-chart = „{ $field }” nie jest widocznym dla Ciebie polem, według którego można grupować dane na wykresie
refuse-widget-many = liczba widżetów na stronie startowej nie może przekraczać { $max }

## Automation rules
# $type: a type's singular name; $detail: the reading's own words (a
# filter's, a schedule's, an address's), which stay as they are.

refuse-rule-entity = to nie jest typ rekordu; dozwolone typy: { $types }
refuse-rule-watch-field = rekordy typu „{ $type }” nie mają pola „{ $field }”
refuse-rule-not-a-date = to nie jest pole daty rekordów typu „{ $type }”
refuse-rule-date-field = wskaż pole daty rekordów typu „{ $type }”
refuse-rule-no-steps = aktywna reguła musi mieć co najmniej jeden krok
refuse-rule-no-such-field = rekordy typu „{ $type }” nie mają takiego pola
refuse-rule-maintained = wartość tego pola ustawia automatycznie Relata
refuse-rule-triggers-itself = reguła reaguje na zmiany pola „{ $field }” i sama zmieniałaby jego wartość; wskaż pola do obserwowania bez tego pola albo dodaj warunki
refuse-rule-subject = podaj temat zadania, wiadomości lub rozmowy
refuse-rule-priority = priorytet rozmowy od 0 do 100
refuse-rule-url = Relata nie może wywołać tego adresu: { $detail }
refuse-rule-wait = podaj, jak długo czekać (w dniach lub godzinach)
refuse-rule-condition = podaj warunek rozgałęzienia
refuse-rule-branch = „stop” albo numer jednego z dalszych kroków (od { $first } do { $last })
refuse-rule-template = podaj klucz szablonu dla kanału „{ $channel }”
refuse-rule-no-template = dla kanału „{ $channel }” nie ma szablonu o kluczu „{ $key }”
refuse-rule-wrong-template = szablon dotyczy rekordów typu „{ $about }”, a reguła – rekordów typu „{ $type }”
refuse-rule-assignee = nie można przypisać: { $detail }
refuse-filter = Relata nie rozpoznaje tego warunku: { $detail }
refuse-filter-before = before.<pole> to wartość pola sprzed zmiany: można jej używać tylko w warunkach reguł uruchamianych przy aktualizacji rekordu
refuse-time-zone = to nie jest strefa czasowa: { $detail }
refuse-cron-required = podaj w formacie cron, kiedy reguła ma się uruchamiać (0 0 8 * * Mon)
refuse-cron = Relata nie rozpoznaje tego harmonogramu: { $detail }

## Any record

# $what: a type's singular name, or refuse-member's words.
refuse-no-such = { $what } o identyfikatorze { $id } nie istnieje
refuse-member = użytkownik tej przestrzeni roboczej
refuse-no-such-line-record = rekord o identyfikatorze { $id } nie istnieje
refuse-already-used = inny rekord typu „{ $what }” ma już wartość { $value }
refuse-used = ta wartość jest już używana
refuse-no-lines = ten typ rekordu nie ma pozycji
refuse-hidden-field = nie jest polem tego typu rekordu
refuse-read-only = tylko do odczytu dla Twojej roli
refuse-owner = przy Twojej roli nie można przypisywać rekordów temu opiekunowi

## Actions the current state refuses (the API answers 409)
# $state: a job's state as the API names it (queued, running, dead…);
# $object: a custom object's API name; $fields: field names, as the API
# writes them.

refuse-order-cancelled-invoice = do anulowanego zamówienia nie wystawia się faktury
refuse-invoice-draft-printed = szkic faktury nie ma jeszcze numeru: najpierw ją wystaw
refuse-job-retry = zadanie ma stan „{ $state }”; ponawia się tylko zadania nieudane (dead) albo anulowane (cancelled)
refuse-job-cancel = zadanie ma stan „{ $state }”; anuluje się tylko zadania czekające w kolejce (queued)
refuse-call-logged = ta rozmowa jest już zarejestrowana
refuse-call-not-open = ta rozmowa nie jest już otwarta
refuse-do-not-call = numer { $number } prosił, by do niego nie dzwonić (zakaz połączeń)
refuse-no-extension = nie masz numeru wewnętrznego, z którego można dzwonić (ustawienia telefonii)
refuse-objects-many = przestrzeń robocza może mieć najwyżej { $max } obiektów niestandardowych
refuse-object-targeted = na obiekt { $object } wskazują pola relacji: { $fields }; najpierw je usuń
refuse-object-has-records = obiekt { $object } ma { $count ->
    [one] { $count } rekord; najpierw przenieś go
    [few] { $count } rekordy; najpierw przenieś je
   *[other] { $count } rekordów; najpierw przenieś je
} do kosza (rekordy z kosza zostaną usunięte razem z obiektem)
refuse-totp-enabled = drugi składnik logowania jest już włączony; najpierw go wyłącz
refuse-totp-not-started = zacznij od POST /api/v1/auth/totp/setup
refuse-sync-cursor-old = ten kursor jest starszy niż ten, którego urządzenie już użyło: zsynchronizuj od początku (bez kursora)
refuse-sync-busy = trwa już inna synchronizacja tego urządzenia; spróbuj ponownie
refuse-admin-role-fixed = rola administratora zawsze ma wszystkie uprawnienia i nie można jej zmienić
refuse-role-held = rolę „{ $role }” mają przypisani użytkownicy; najpierw nadaj im inną rolę
refuse-member-already = { $email } jest już członkiem tej przestrzeni roboczej
refuse-last-admin = przestrzeń robocza musi mieć co najmniej jednego aktywnego administratora
refuse-desk-smtp = poczta tego działu trafia do punktu SMTP Relaty: nie ma czego odczytywać
refuse-message-settled = ta wiadomość została już przepuszczona albo odrzucona

## What who acts may not do (the API answers 403)

refuse-no-membership = to konto nie jest aktywnym członkiem tej przestrzeni roboczej; zwróć się do jej administratora
refuse-forecast-amounts = Twoja rola nie pozwala widzieć kwot szans sprzedaży, z których składa się prognoza
refuse-printed-amounts = Twoja rola nie pozwala widzieć kwot dokumentu, które pokazuje wydruk
refuse-people-only = to może zrobić tylko zalogowana osoba, nie token API
refuse-sync-policy-admin = tylko administratorzy ustalają, jak rozstrzygać konflikty synchronizacji
