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

## Calls

refuse-call-party = skambutis turi būti susietas su kontaktu arba įmone; nurodykite vieną iš jų

## Message templates

refuse-template-key = mažosios raidės a–z, skaitmenys ir _ (pvz., dunning_reminder)
refuse-unknown-entity = „{ $name }“ nėra įrašų tipas
refuse-template-subject = el. laiškai ir popieriniai laiškai turi turėti temą
refuse-template-twice = šablonas „{ $key }“ jau yra (kanalas: { $channel }, kalba: { $language })

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
