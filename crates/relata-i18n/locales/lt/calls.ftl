# Call center pages (waiting calls, the next call, a call's page, the dashboard).

## Page titles
calls-next-title = Kitas skambutis
calls-waiting-title = Laukiantys skambučiai
calls-dashboard-title = Skambučių centras
calls-call-title = Skambutis: { $who }

## The next call and the progressive dialler
calls-dialler-on = Progresyvusis rinkiklis įjungtas: kitas numeris surenkamas, kai tik atsilaisvinsite.
calls-dialler-turn-off = Išjungti
calls-dialler-turn-on = Įjungti progresyvųjį rinkiklį
calls-on-a-call = Vyksta pokalbis:
calls-dialler-waits = Rinkiklis palauks, kol pokalbis baigsis.
calls-phone = Telefonas
calls-call-number = Skambinti { $number }
calls-no-number = numerio nėra
calls-dialled = Surinktas skambutis
calls-talked-for = kalbėta { $duration }
calls-priority = Prioritetas
calls-attempts = Bandymai
calls-attempts-last = { $attempts } (paskutinis: { $outcome })
calls-lately = Naujausi įvykiai
calls-dialler-countdown = Rinkiklis surinks { $number } po { $seconds } s.
calls-dialler-countdown-customer = Rinkiklis paskambins klientui po { $seconds } s.
calls-dial-now = Skambinti dabar
calls-pause-dialler = Pristabdyti rinkiklį
calls-dial-from-extension = Skambinti iš mano vidinio numerio
calls-none-due = Šiuo metu numatytų skambučių nėra. Puikus darbas!
calls-log-and-go-on = Užregistruoti skambutį ir tęsti

## Logging a call
calls-outcome = Rezultatas
calls-notes = Pastabos
calls-call-back-at = Perskambinimo laikas (UTC, rezultatui „Perskambinti“)
calls-follow-up-task = Tolesnė užduotis
calls-task-due = Užduoties terminas (UTC)
calls-error-not-a-time = { $field }: „{ $text }“ nėra data ir laikas
calls-error-field-follow-up-due = užduoties terminas
calls-error-field-call-back-at = perskambinimo laikas
calls-error-follow-up-due-missing = užduoties terminas: nurodykite, iki kada atlikti užduotį
calls-error-follow-up-subject-missing = tolesnė užduotis: nurodykite, ką reikia padaryti

## A call's page
calls-on-the-line = Linijoje
calls-number = Numeris
calls-number-not-shown = nerodomas
calls-number-withheld = Numeris paslėptas
calls-status = Būsena
calls-talked = Pokalbio trukmė
calls-talked-duration = { $minutes } min. { $seconds } s
calls-fact-contact = Kontaktas
calls-fact-lead = Potencialus klientas
calls-fact-account = Įmonė
calls-fact-value = Kliento vertė
calls-value-priority = { $tier } (prioritetas { $priority })
calls-fact-open-cases = Atviros užklausos
calls-fact-overdue-invoices = Pradelstos sąskaitos
calls-fact-open-opportunities = Atviros pardavimo galimybės
calls-fact-unknown-number = Nežinomas numeris
calls-new-contact = Naujas kontaktas
calls-call-record = Skambučio įrašas
calls-log-call = Užregistruoti skambutį
calls-logged = Užregistruota:
calls-logged-link = skambutis kliento laiko juostoje
calls-order-title = Priimti užsakymą
calls-order-taken = Užsakymas priimtas:
calls-order-open = atidaryti užsakymą
calls-product = Produktas
calls-quantity = Kiekis
calls-product-row = Produktas { $row }
calls-quantity-row = Kiekis { $row }
calls-order-notes = Užsakymo pastabos
calls-take-order = Priimti užsakymą
calls-prices-note = Kainos imamos iš kainynų, kaip ir bet kuriam užsakymui.
calls-order-needs-account = Užsakymui reikia skambinančiojo įmonės.
calls-order-needs-account-hint = Užsakymui reikia skambinančiojo įmonės: atidarykite jo įrašą ir priskirkite įmonę.
calls-dial-number = Skambinti { $number }

## Waiting calls
calls-queue-heading = { $queue } ({ $count })
calls-no-queue = Be eilės
calls-caller = Skambinantysis
calls-value = Kliento vertė
calls-ringing-since = Skamba nuo
calls-unknown-caller = nežinomas skambinantysis
calls-no-one-waiting = Niekas nelaukia.

## The dashboard
calls-download-report = Atsisiųsti ataskaitą (XLSX)
calls-inbound = Įeinantys skambučiai
calls-answered = Atsiliepta
calls-abandoned = Nutraukti laukiant
calls-outbound = Išeinantys skambučiai
calls-first-call-resolution = Išspręsta per pirmąjį skambutį
calls-count-share = { $count } ({ $share })
calls-chart-per-agent = Skambučiai pagal operatorių
calls-chart-per-hour = Skambučiai pagal valandą (UTC)
calls-chart-wait-by-tier = Vidutinis laukimo laikas pagal kliento vertę
calls-chart-list-penetration = Skambučių sąrašai: aprėptis
calls-seconds = { $seconds } s

## Tekstai, kuriuos rašo puslapio scenarijus (paieška, lenta, skambučio langas)
script-untitled = (be pavadinimo)
script-saving = Saugoma…
script-saved = Išsaugota.
script-not-moved = Neperkelta:
script-calling = Skambinate:
script-incoming = Įeinantis skambutis:
script-call-ended = Pokalbis baigtas:
script-number-withheld = numeris paslėptas
script-unknown-caller = nežinomas skambintojas
script-value-of = %tier% (prioritetas %priority%)
script-open-cases = Atviros užklausos
script-overdue-invoices = Vėluojančios sąskaitos
script-open-opportunities = Atviros pardavimo galimybės
script-open = Atverti
script-new-contact = Naujas kontaktas
script-log-call = Užregistruoti pokalbį
script-close = Uždaryti
script-pick-date = Pasirinkite datą
script-previous-month = Ankstesnis mėnuo
script-next-month = Kitas mėnuo
