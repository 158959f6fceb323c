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

## Calls

refuse-call-party = rozmowa musi dotyczyć kontaktu lub firmy; wskaż jedno z nich

## Message templates

refuse-template-key = małe litery a–z, cyfry i _ (np. dunning_reminder)
refuse-unknown-entity = „{ $name }” nie jest typem rekordu
refuse-template-subject = e-maile i listy muszą mieć temat
refuse-template-twice = szablon „{ $key }” już istnieje (kanał: { $channel }, język: { $language })

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
