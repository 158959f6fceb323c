### What the domain modules' rules refuse, said next to the field refused.
### The API gives the English text as the problem's `message`: keep these
### lower-case phrases, as the API's other messages are. Arguments named
### `status`, `was` and `asked` are choice labels ("Paid"), already in the
### reader's language.

## Quotes

refuse-quote-created = komercinis pasiūlymas kuriamas kaip juodraštis arba iš karto kaip išsiųstas
refuse-quote-settled = komercinio pasiūlymo būsena – „{ $status }“; norėdami jį pakeisti, sukurkite pataisytą versiją
refuse-quote-settled-already = komercinio pasiūlymo būsena jau yra „{ $status }“
refuse-quote-expired = komercinio pasiūlymo galiojimo laikas baigėsi; norėdami jį priimti, sukurkite pataisytą versiją
refuse-quote-other-account = ši pardavimo galimybė priklauso kitai įmonei
refuse-quote-no-lines = priimti galima tik komercinį pasiūlymą, kuriame yra bent viena eilutė

## Invoices and credit notes

refuse-invoice-created = sąskaita faktūra kuriama kaip juodraštis ir tik tada išrašoma
refuse-invoice-issued = išrašyta sąskaita faktūra nebekeičiama; koreguokite ją kreditine sąskaita faktūra
refuse-invoice-transition = sąskaitos faktūros būsenos negalima pakeisti iš „{ $was }“ į „{ $asked }“: apmokėta ji tampa gavus mokėjimus, pradelsta – praėjus mokėjimo terminui, o atšaukti galima tik sąskaitą faktūrą, pagal kurią nieko nesumokėta ir nekredituota
refuse-invoice-no-lines = išrašyti galima tik sąskaitą faktūrą, kurioje yra bent viena eilutė
refuse-invoice-delete-issued = išrašytos sąskaitos faktūros ištrinti negalima; atšaukite ją arba koreguokite kreditine sąskaita faktūra
refuse-invoice-overpaid = mokėjimai viršytų sąskaitos faktūros bendrą sumą
refuse-credit-note-corrects = kreditinėje sąskaitoje faktūroje turi būti nurodyta, kurią sąskaitą faktūrą ji koreguoja
refuse-credit-note-of-credit-note = kreditinė sąskaita faktūra koreguoja sąskaitą faktūrą, o ne kitą kreditinę sąskaitą faktūrą
refuse-credit-note-other-account = koreguojama sąskaita faktūra priklauso kitai įmonei
refuse-credit-note-not-issued = koreguoti galima tik išrašytą sąskaitą faktūrą
refuse-credit-note-only = sąskaitą faktūrą koreguoti gali tik kreditinė sąskaita faktūra
refuse-credit-over-invoice = kreditinių sąskaitų faktūrų suma viršija koreguojamos sąskaitos faktūros sumą
refuse-billing-currency = su šia įmone atsiskaitoma valiuta { $currency }; jos sąskaitos faktūros ir mokėjimai taip pat turi būti valiuta { $currency }

## Payments

refuse-not-positive = reikšmė turi būti didesnė už 0
refuse-payment-account = mokėjimas, paskirstytas sąskaitoms faktūroms, lieka priskirtas tų sąskaitų įmonei
refuse-refund-allocated = grąžinimu klientui grąžinama permoka; jis sąskaitoms faktūroms nepaskirstomas
refuse-payment-invoice-twice = ta pati sąskaita faktūra nurodyta du kartus
# $number: the invoice's number, or refuse-a-draft's words for one without.
refuse-a-draft = be numerio (juodraštis)
refuse-payment-other-account = sąskaita faktūra { $number } priklauso kitai įmonei
refuse-payment-credit-note = dokumentas { $number } yra kreditinė sąskaita faktūra, o ne apmokėtina sąskaita faktūra
refuse-payment-not-payable = sąskaitos faktūros { $number } būsena – „{ $status }“, jos apmokėti negalima
refuse-payment-currency = sąskaita faktūra { $number } išrašyta valiuta { $currency }
refuse-payment-over-balance = daugiau nei sąskaitos faktūros { $number } mokėtina suma ({ $balance })
refuse-payment-over-amount = iš viso paskirstyta { $allocated }, t. y. daugiau nei mokėjimo suma ({ $amount })
refuse-refund-over-credit = įmonė turi tik { $credit } permokos, kurią galima grąžinti

## Price books and documents' lines

refuse-ends-before-start = pabaiga yra ankstesnė nei pradžia
refuse-price-book-twice = šis produktas šiame kainoraštyje jau turi kainą nuo šio kiekio
refuse-price-negative = kaina negali būti neigiama
refuse-price-book-overlap = sutampa su kainoraščiu „{ $name }“, skirtu tiems patiems klientams valiuta { $currency }; vienas turi baigtis prieš prasidedant kitam
refuse-unknown-currency = „{ $code }“ nėra šios darbo srities valiuta
refuse-product-inactive = šis produktas nebeparduodamas
refuse-whole-units = šis produktas parduodamas tik sveikais vienetais ({ $unit }); { $quantity } nėra sveikasis skaičius
refuse-tax-rate-required = būtina nurodyti (produkte tarifas nenurodytas)
refuse-percentage = procentai nuo 0 iki 100
refuse-not-configurable = šis produktas neturi parinkčių
refuse-price-currency = nurodyta valiuta { $given }, o dokumento valiuta – { $currency }
refuse-no-price = nė viename kainoraštyje valiuta { $currency } nėra šio produkto kainos { $day }; nurodykite vieneto kainą
refuse-price-required = būtina nurodyti eilutėje be produkto
refuse-price-override = kainoraščio kaina – { $list }; kitokia kaina parduoti gali tik tas, kas tvarko kainoraščius
refuse-lines-too-large = eilučių suma per didelė
refuse-option-code = kodas be tarpų, kablelių, + ir *
refuse-option-twice = produktas jau turi parinktį { $code }
refuse-below-minimum = reikšmė mažesnė už minimalią
refuse-logo-too-large = failo dydis baitais negali viršyti { $bytes }
refuse-logo-not-jpeg = reikia JPEG failo, užkoduoto base64 (galima ir kaip URL data:image/jpeg;base64,)

## Opportunities and quotas

refuse-no-such-pipeline = tokio pardavimų piltuvo nėra
refuse-no-pipeline = šioje darbo srityje dar nėra pardavimų piltuvo; pirmiausia jį sukurkite
refuse-not-a-stage = „{ $stage }“ nėra piltuvo „{ $pipeline }“ etapas (etapai: { $stages })
refuse-no-open-stage = piltuvas neturi nė vieno atviro etapo
refuse-stage-in-use = etape „{ $stage }“ dar yra pardavimo galimybių; prieš šalindami etapą, jas perkelkite
refuse-lead-converted = šis potencialus klientas jau konvertuotas
refuse-period-before-start = laikotarpis baigiasi anksčiau, nei prasideda

## Service

refuse-case-resolution = nurodykite, kaip užklausa buvo išspręsta
refuse-no-such-case = tokios užklausos nėra
refuse-template-not-reply = iš šablono galima rašyti tik atsakymą klientui
refuse-comment-body = įrašykite komentaro tekstą (arba, jei tai atsakymas, pasirinkite šabloną)
refuse-reply-no-recipient = užklausoje nėra kontakto ar pateikėjo su el. pašto adresu, kuriuo būtų galima atsakyti; pridėkite jį arba parašykite pastabą
refuse-publish-role = straipsnius skelbia vadovas arba administratorius; paprašykite peržiūros
refuse-archived-to-review = archyvuotą straipsnį pirmiausia reikia grąžinti į juodraštį
refuse-feedback-unpublished = atsiliepimus galima teikti tik apie paskelbtus straipsnius
refuse-holiday-date = nurodykite šventinės dienos datą
refuse-time-of-day = laikas, pvz., 09:00 arba 17:30
refuse-hours-time = nurodykite darbo valandų laiką
refuse-hours-overlap = persidengia su kitu tos pačios dienos laikotarpiu
refuse-calendar-zone = „{ $zone }“ nėra laiko juosta (pvz., Europe/Vilnius)

## Calls

refuse-call-party = skambutis turi būti susietas su kontaktu arba įmone; nurodykite vieną iš jų
refuse-list-skill = įgūdis, kurio reikia šio sąrašo skambučiams – reikalingas skirstant pagal įgūdžius

## Message templates

refuse-template-key = mažosios raidės a–z, skaitmenys ir _ (pvz., dunning_reminder)
refuse-unknown-entity = „{ $name }“ nėra įrašų tipas
refuse-template-subject = el. laiškai ir popieriniai laiškai turi turėti temą
refuse-template-syntax = Relata negali perskaityti šio šablono: { $detail }
refuse-merge-field = tai ne šio šablono suliejimo laukas: { $detail }
refuse-template-twice = šablonas „{ $key }“ jau yra (kanalas: { $channel }, kalba: { $language })

## Saved views and home widgets

refuse-view-name = pavadinimas (nuo 1 iki 100 simbolių)
refuse-view-query = ne daugiau kaip 4000 simbolių
refuse-view-unknown = nėra tokio išsaugoto rodinio – nei jūsų, nei jūsų komandos
refuse-view-searches = valdiklis skaičiuoja įrašus pagal rodinio filtrą, o šiame rodinyje naudojama paieška
refuse-widget-figure = count, sum:<sumos laukas> arba chart:<laukas>
refuse-widget-money = „{ $field }“ nėra jums matomas sumos laukas
refuse-widget-chart = „{ $field }“ nėra jums matomas laukas, pagal kurį galima grupuoti diagramos duomenis
refuse-widget-many = valdiklių skaičius pradžios puslapyje – ne daugiau kaip { $max }

## Automation rules
# $type: a type's singular name; $detail: the reading's own words (a
# filter's, a schedule's, an address's), which stay as they are.

refuse-rule-entity = tai ne įrašų tipas; galimi tipai: { $types }
refuse-rule-watch-field = įrašų tipas „{ $type }“ neturi lauko „{ $field }“
refuse-rule-not-a-date = tai ne įrašų tipo „{ $type }“ datos laukas
refuse-rule-date-field = nurodykite įrašų tipo „{ $type }“ datos lauką
refuse-rule-no-steps = aktyvi taisyklė turi turėti bent vieną žingsnį
refuse-rule-no-such-field = įrašų tipas „{ $type }“ tokio lauko neturi
refuse-rule-maintained = šio lauko reikšmę automatiškai nustato Relata
refuse-rule-triggers-itself = taisyklė reaguoja į lauko „{ $field }“ pakeitimus ir pati jį keistų; nurodykite stebimus laukus be šio lauko arba pridėkite sąlygų
refuse-rule-subject = nurodykite užduoties, žinutės ar skambučio temą
refuse-rule-priority = skambučio prioritetas nuo 0 iki 100
refuse-rule-url = Relata negali iškviesti šio adreso: { $detail }
refuse-rule-wait = nurodykite, kiek laukti (dienomis arba valandomis)
refuse-rule-condition = nurodykite šakojimo sąlygą
refuse-rule-branch = „stop“ arba vieno iš tolesnių žingsnių numeris (nuo { $first } iki { $last })
refuse-rule-template = nurodykite kanalo „{ $channel }“ šablono raktą
refuse-rule-no-template = kanalui „{ $channel }“ nėra šablono su raktu „{ $key }“
refuse-rule-wrong-template = šablonas skirtas įrašų tipui „{ $about }“, o taisyklė – įrašų tipui „{ $type }“
refuse-rule-assignee = negalima priskirti: { $detail }
refuse-filter = Relata neatpažįsta šios sąlygos: { $detail }
refuse-filter-before = before.<laukas> – tai lauko reikšmė prieš pakeitimą: ją galima naudoti tik taisyklių, vykdomų atnaujinus įrašą, sąlygose
refuse-time-zone = tai ne laiko juosta: { $detail }
refuse-cron-required = nurodykite cron formatu, kada vykdoma taisyklė (0 0 8 * * Mon)
refuse-cron = Relata neatpažįsta šio grafiko: { $detail }

## Any record

# $what: a type's singular name, or refuse-member's words.
refuse-no-such = nerasta: { $what } { $id }
refuse-member = šios darbo srities naudotojas
refuse-no-such-line-record = įrašas { $id } nerastas
refuse-already-used = kitas įrašas (tipas: { $what }) jau turi reikšmę { $value }
refuse-used = ši reikšmė jau naudojama
refuse-no-lines = šis įrašų tipas neturi eilučių
refuse-hidden-field = nėra šio tipo įrašų laukas
refuse-read-only = jūsų vaidmeniui leidžiama tik skaityti
refuse-owner = jūsų vaidmuo neleidžia priskirti įrašų šiam atsakingam asmeniui

## Actions the current state refuses (the API answers 409)
# $state: a job's state as the API names it (queued, running, dead…);
# $object: a custom object's API name; $fields: field names, as the API
# writes them.

refuse-order-cancelled-invoice = atšauktam užsakymui sąskaita neišrašoma
refuse-invoice-draft-printed = sąskaitos juodraštis dar neturi numerio: pirmiausia ją išrašykite
refuse-job-retry = užduoties būsena – „{ $state }“; kartojamos tik nepavykusios (dead) arba atšauktos (cancelled) užduotys
refuse-job-cancel = užduoties būsena – „{ $state }“; atšaukiamos tik eilėje laukiančios (queued) užduotys
refuse-call-logged = šis skambutis jau užregistruotas
refuse-call-not-open = šis skambutis jau nebeatviras
refuse-do-not-call = numerio { $number } savininkas paprašė jam neskambinti (draudimas skambinti)
refuse-no-extension = neturite vidinio numerio, iš kurio galėtumėte skambinti (telefonijos nustatymai)
refuse-objects-many = darbo srityje gali būti ne daugiau kaip { $max } pasirinktinių objektų
refuse-object-targeted = į objektą { $object } nurodo ryšio laukai: { $fields }; pirmiausia juos pašalinkite
refuse-object-has-records = objektas { $object } turi { PLURAL($count) ->
    [one] { $count } įrašą; pirmiausia perkelkite jį
    [few] { $count } įrašus; pirmiausia perkelkite juos
   *[other] { $count } įrašų; pirmiausia perkelkite juos
} į šiukšlinę (šiukšlinėje esantys įrašai pašalinami kartu su objektu)
refuse-totp-enabled = antrasis prisijungimo veiksnys jau įjungtas; pirmiausia jį išjunkite
refuse-totp-not-started = pradėkite nuo POST /api/v1/auth/totp/setup
refuse-sync-cursor-old = šis žymeklis senesnis už tą, kurį įrenginys jau naudojo: sinchronizuokite iš pradžių (be žymeklio)
refuse-sync-busy = šis įrenginys jau sinchronizuojamas; bandykite dar kartą
refuse-admin-role-fixed = administratoriaus vaidmuo visada turi visas teises ir jo pakeisti negalima
refuse-role-held = vaidmenį „{ $role }“ turi nariai; pirmiausia suteikite jiems kitą vaidmenį
refuse-member-already = { $email } jau yra šios darbo srities narys
refuse-last-admin = darbo sritis turi turėti bent vieną aktyvų administratorių
refuse-desk-smtp = šio skyriaus laiškai pristatomi į Relatos SMTP tašką: nėra ko skaityti
refuse-message-settled = šis laiškas jau praleistas arba atmestas

## What who acts may not do (the API answers 403)

refuse-no-membership = ši paskyra nėra aktyvi tos darbo srities narė; kreipkitės į jos administratorių
refuse-forecast-amounts = jūsų vaidmuo neleidžia matyti pardavimo galimybių sumų, iš kurių sudaroma prognozė
refuse-printed-amounts = jūsų vaidmuo neleidžia matyti dokumento sumų, kurias rodo spausdinamas dokumentas
refuse-people-only = tai gali atlikti tik prisijungęs asmuo, ne API raktas
refuse-sync-policy-admin = tik administratoriai nustato, kaip sprendžiami sinchronizavimo konfliktai
