# Other domain pages (service, conversion, product configuration, rule dry runs, channel settings, connect, notifications, sign-in).

## Aptarnavimo suvestinė

service-download-report = Atsisiųsti ataskaitą (XLSX)
service-worked-cases = Vykdomos užklausos pagal terminą
service-held-mail = Sulaikyti laiškai ({ $count })
service-open-cases = Atviros užklausos
service-resolved = Išspręsta (30 dienų)
service-sla = SLA laikymasis
service-sla-value = { $percent } (pažeista: { $breached })
service-first-response = Pirmasis atsakymas
service-resolution = Išsprendimas
service-times = mediana { $median }, 90 % per { $p90 }
service-minutes = { $minutes } min.
service-hours = { $hours } val.
service-days = { $days } d.
service-age-under-a-day = mažiau nei para
service-age-1-to-3-days = 1–3 dienos
service-age-3-to-7-days = 3–7 dienos
service-age-7-to-30-days = 7–30 dienų
service-age-over-30-days = daugiau nei 30 dienų
service-chart-age = Atviros užklausos pagal senumą
service-chart-team = Atviros užklausos pagal komandą
service-chart-priority = Atviros užklausos pagal prioritetą
service-chart-backlog = Neišspręstos užklausos, paskutinės 14 dienų
service-chart-backlog-label = Neišspręstos užklausos pagal dienas
service-chart-categories = Dažniausios kategorijos
service-chart-root-causes = Dažniausios pagrindinės priežastys

## Potencialaus kliento konvertavimas

convert-title = Potencialaus kliento konvertavimas
convert-heading = Konvertuoti: { $title }
convert-intro = Iš potencialaus kliento iš karto sukuria kontaktą su įmone (nauja – pagal jo nurodytą įmonę – arba jūsų pasirinkta) ir, jei norite, pardavimo galimybę.
convert-account = Esamos įmonės ID (palikite tuščią, kad būtų sukurta „{ $company }“)
convert-create-opportunity = Sukurti pardavimo galimybę
convert-opportunity-name = Pardavimo galimybės pavadinimas
convert-opportunity-default = { $company } – pardavimo galimybė
convert-amount = Suma (pvz., 1200,00 EUR)
convert-needs-attention = Kai kuriuos laukus reikia pataisyti.

## Produkto konfigūravimas

configure-title = Konfigūruoti: { $product }
configure-valid = Ši konfigūracija tinkama.
configure-broken = Ši konfigūracija pažeidžia šias taisykles:
configure-new-quote = Naujas komercinis pasiūlymas su šia konfigūracija
configure-quantity = Kiekis
configure-no-groups = Šis produktas dar neturi parinkčių grupių.
configure-check = Patikrinti ir apskaičiuoti kainą
configure-choose = pasirinkite { $count }
configure-choose-between = pasirinkite nuo { $min } iki { $max }
configure-choose-at-least = pasirinkite bent { $count }
configure-choose-at-most = pasirinkite ne daugiau kaip { $count }
configure-requires = reikia: { $options }
configure-excludes = nesuderinama su: { $options }
configure-unit-price = Vieneto kaina: { $price }
configure-options-price = iš jos parinktys: { $price }
configure-no-price = kainoraštyje kainos nėra
configure-configuration = Konfigūracija: { $options }
configure-no-options = be parinkčių

## Bandomasis taisyklės paleidimas

dry-run-title = Bandomasis paleidimas: { $rule }
dry-run-back = Atgal į taisyklę
dry-run-found = Nieko neatlikta: štai kam taisyklė būtų taikoma dabar. { PLURAL($count) ->
    [one] { $count } įrašas
    [few] { $count } įrašai
   *[other] { $count } įrašų
}.
dry-run-found-first = Nieko neatlikta: štai kam taisyklė būtų taikoma dabar. { PLURAL($count) ->
    [one] { $count } įrašas
    [few] { $count } įrašai
   *[other] { $count } įrašų
}; žemiau – pirmieji { $shown }.
dry-run-steps = Žingsniai
rule-step-wait-until = laukti iki { $until } + { $days } d.
rule-step-wait = laukti { $days } d. { $hours } val.
rule-step-branch-stop = jei { $condition }, baigti
rule-step-branch = jei { $condition }, pereiti į { $step } žingsnį
rule-step-set = nustatyti { $field } į „{ $value }“
rule-step-send = { $action } pagal šabloną { $template }
rule-step-other = { $action }: { $subject }
dry-run-records = Įrašai
dry-run-to = kam: { $address }
dry-run-nothing = Dabar taisyklė nebūtų taikoma nė vienam įrašui.

## Kanalų nustatymai (administratoriams)

channels-email = El. paštas (SMTP)
channels-sms = SMS šliuzas
channels-save = Išsaugoti: { $channel }
channels-saved-email = El. pašto nustatymai išsaugoti.
channels-saved-sms = SMS nustatymai išsaugoti.
channels-secret-set = (nustatyta; palikite tuščią, kad liktų nepakeista)
channels-smtp-server = SMTP serveris
channels-port = Prievadas
channels-security = Ryšio apsauga
channels-security-none = be šifravimo
channels-user-name = Naudotojo vardas
channels-password = Slaptažodis
channels-from-address = Siuntėjo adresas
channels-from-name = Siuntėjo vardas
channels-reply-to = Adresas atsakymams
channels-gateway-url = Šliuzo URL
channels-method = Metodas
channels-body-format = Užklausos turinio formatas
channels-body-form = forma
channels-body = Užklausos turinys (su { "{{to}}" }, { "{{from}}" }, { "{{text}}" })
channels-sender = Siuntėjas
channels-credential-header = Prisijungimo duomenų antraštė
channels-credential = Prisijungimo duomenys
channels-success-contains = Sėkmingame atsakyme yra

## Telefonai ir kalendoriai (CardDAV, CalDAV, programų slaptažodžiai)

connect-intro = Jūsų kontaktai tampa adresų knyga, o susitikimai, skambučiai ir užduotys – kalendoriumi telefono ir kompiuterio programoms (CardDAV ir CalDAV: iPhone, Android su DAVx⁵, Thunderbird, macOS). Pridėkite ten paskyrą su žemiau nurodytu serveriu, savo el. pašto adresu kaip naudotojo vardu ir čia sukurtu programos slaptažodžiu kaip slaptažodžiu. Tai, ką ten pakeisite, Relata bus išsaugota taip, lyg būtumėte pakeitę čia.
connect-server = Serveris
connect-user-name = Naudotojo vardas
connect-address-book = Adresų knyga
connect-new-secret = Jūsų naujas programos slaptažodis, rodomas tik dabar:
connect-what-they-show = Ką jie rodo
connect-contacts = Kontaktai (sąrašo filtras; <code>owner = me</code> – jūsų)
connect-activities = Susitikimai, skambučiai ir užduotys (sąrašo filtras)
connect-app-passwords = Programų slaptažodžiai
connect-access = Prieiga
connect-made = Sukurta
connect-last-used = Paskutinį kartą naudota
connect-never = niekada
connect-revoke = Atšaukti
connect-revoke-named = Atšaukti: { $name }
connect-device-name = Pavadinimas (įrenginys)
connect-read-write = Skaityti ir keisti
connect-read-only = Tik skaityti
connect-make = Sukurti programos slaptažodį
connect-name-needed = nurodykite įrenginį, kuriam skirtas šis slaptažodis

## Pranešimai

notifications-title = Pranešimai
notifications-mark-all-read = Pažymėti visus kaip perskaitytus
notifications-mark-read = Pažymėti kaip perskaitytą
notifications-nothing = Kol kas nieko.
notifications-older = Senesni

## Prisijungimas ir kvietimai (puslapiai neprisijungusiems)

signin-title = Prisijungti
signin-heading = Prisijunkite prie Relata
signin-email = El. paštas
signin-password = Slaptažodis
signin-code = Kodas iš autentifikavimo programėlės
signin-expired = Forma nebegalioja; prisijunkite dar kartą.
signin-wrong-credentials = Neteisingas el. pašto adresas arba slaptažodis.
signin-code-required = Šiai paskyrai įjungtas antrasis veiksnys: įveskite 6 skaitmenų kodą iš autentifikavimo programėlės.
signin-wrong-code = Antrojo veiksnio kodas neteisingas arba nebegalioja.
signin-locked = Per daug nesėkmingų bandymų prisijungti; bandykite dar kartą po { $time } UTC.
signin-no-membership = Ši paskyra neturi aktyvios narystės šioje darbo srityje; kreipkitės į jos administratorių.
signin-running = CRM veikia.
signin-rest-api = REST API:
signin-api-reference = dokumentacija
signin-openapi = OpenAPI 3.1 dokumentas
signin-join-title = Kvietimas į Relata
signin-your-name = Jūsų vardas
signin-choose-password = Sugalvokite slaptažodį (ne trumpesnį nei 10 simbolių)
signin-join = Priimti kvietimą
signin-password-refused = Slaptažodis: { $reason }
signin-invitation-invalid = Kvietimas nežinomas, jau panaudotas arba nebegalioja.

## Prenumeratos atsisakymo puslapis, atveriamas iš el. laiško ar SMS

unsubscribe-title = Atsisakyti prenumeratos
unsubscribe-invalid = Ši nuoroda negalioja
unsubscribe-question-email = Nebenorite gauti mūsų el. laiškų?
unsubscribe-question-sms = Nebenorite gauti mūsų SMS žinučių?
unsubscribe-button = Atsisakyti
unsubscribed-title = Prenumeratos atsisakyta
unsubscribed-text = Daugiau šiuo būdu jums nerašysime.
