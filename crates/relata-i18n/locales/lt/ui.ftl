# Relata sąsaja lietuviškai.

## Kiekvieno puslapio rėmas

skip-to-content = Pereiti prie turinio
menu = Meniu
nav-main = Pagrindinis meniu
nav-home = Pradžia
nav-service = Aptarnavimas
nav-pipeline = Pardavimų piltuvas
nav-next-call = Kitas skambutis
nav-call-center = Skambučių centras
nav-waiting-calls = Laukiantys skambučiai
nav-channels = Kanalai
search-label = Ieškoti įmonių, kontaktų, potencialių klientų ir pardavimo galimybių
search-placeholder = Ieškoti…
notifications-unread = { $count ->
    [0] Pranešimai, neperskaitytų nėra
   *[other] { PLURAL($count) ->
        [one] Pranešimai, { $count } neperskaitytas
        [few] Pranešimai, { $count } neperskaityti
       *[other] Pranešimai, { $count } neperskaitytų
    }
}
phones-and-calendars = Telefonai ir kalendoriai
preferences-link = Kalba ir laiko juosta
switch-workspace = Keisti darbo sritį
switch = Keisti
sign-out = Atsijungti
incoming-call = Įeinantis skambutis
link-home = Į pradžią
not-found-title = Nerasta
not-found-text = Šioje darbo srityje tokio įrašo nėra.
not-allowed = Neleidžiama
denied-role = Jūsų vaidmuo neleidžia { $right ->
        [read] peržiūrėti
        [create] kurti
        [update] keisti
        [delete] šalinti
       *[export] eksportuoti
    } „{ $what }“ tipo įrašų.
denied-record = Jūsų vaidmuo leidžia { $right ->
        [read] peržiūrėti
        [create] kurti
        [update] keisti
        [delete] šalinti
       *[export] eksportuoti
    } tik kai kuriuos „{ $what }“ tipo įrašus: šis priklauso kitam asmeniui.
denied-admin-only = Tai gali padaryti tik darbo srities administratoriai.
denied-assign = Jūsų vaidmuo neleidžia priskirti „{ $what }“ tipo įrašų šiam savininkui: pasirinkite save arba komandos, kuriai vadovaujate, narį.
denied-made-by-relata = „{ $what }“ tipo įrašus rašo tik Relata.
value-yes = taip
value-no = ne

## Įrašų tipai meniu

entity-accounts = Įmonės
entity-contacts = Kontaktai
entity-leads = Potencialūs klientai
entity-opportunities = Pardavimo galimybės
entity-activities = Veiklos
entity-pipelines = Piltuvai
entity-cases = Užklausos
entity-products = Produktai
entity-quotes = Komerciniai pasiūlymai
entity-orders = Užsakymai
entity-invoices = Sąskaitos faktūros
entity-payments = Mokėjimai
entity-phone_calls = Skambučiai
entity-call_lists = Skambučių sąrašai
entity-emails = El. laiškai
entity-messages = Žinutės
entity-option_groups = Parinkčių grupės
entity-price_books = Kainoraščiai
entity-document_templates = Dokumentų šablonai
entity-call_queue_entries = Planuojami skambučiai
entity-message_templates = Žinučių šablonai
entity-print_batches = Spausdinimo paketai
entity-automation_rules = Automatizavimo taisyklės
entity-automation_runs = Automatizavimo vykdymai
entity-case_comments = Užklausų komentarai
entity-service_teams = Aptarnavimo komandos
entity-service_calendars = Darbo valandos
entity-sla_policies = SLA taisyklės
entity-routing_rules = Paskirstymo taisyklės
entity-service_contracts = Sutartys ir garantijos
entity-kb_articles = Žinių bazė
entity-held_messages = Sulaikyti laiškai
entity-one-accounts = įmonė
entity-one-contacts = kontaktas
entity-one-leads = potencialus klientas
entity-one-opportunities = pardavimo galimybė
entity-one-activities = veikla
entity-one-cases = užklausa
entity-one-products = produktas
entity-one-quotes = komercinis pasiūlymas
entity-one-orders = užsakymas
entity-one-invoices = sąskaita faktūra
entity-one-payments = mokėjimas

## Pradžia

home-title = Pradžia
home-greeting = Laba diena, { $name }
home-attention = Reikia jūsų dėmesio
home-webhook-paused = Webhook į { $url } sustabdytas: { $reason }. Sutvarkykite gavėją, tada atnaujinkite prenumeratą (PATCH /api/v1/webhooks/…, "active": true); pristatymai laukia.
home-my-tasks = Mano atviros užduotys
home-overdue = vėluoja
home-nothing-due = Nieko nelaukia. Puiku.
home-my-pipeline = Mano piltuvas pagal etapus
home-team-forecast = Mano komandos prognozė (atviros, pasvertos pagal etapą)
home-recent = Naujausia veikla
home-nothing-yet = Kol kas nieko. Čia matysite įrašus, kuriuos sukursite ar pakeisite jūs ir jūsų komanda.
home-no-open-opportunities = Atvirų galimybių nėra. Naują galimybę sukursite piltuvo lentoje.
home-chart-pipeline = Atviras piltuvas pagal etapus
home-chart-team = Komandos prognozė pagal atsakingus asmenis


## Sąrašai

list-new = Naujas
list-export-csv = Eksportuoti CSV
list-export-xlsx = Eksportuoti XLSX
list-saved-views = Išsaugoti rodiniai
list-team = komanda
list-delete-view = Ištrinti rodinį
list-search = Ieškoti
list-filter = Filtras
list-apply = Taikyti
list-filter-help = Operatoriai = != < <= > >= ~ in, is null; junkite su and, or, not.
list-add-condition = Pridėti sąlygą:
list-operator = Operatorius
op-is = yra
op-is-not = nėra
op-contains = turi
op-greater = didesnis nei
op-less = mažesnis nei
op-empty = tuščias
op-not-empty = netuščias
list-value = Reikšmė
list-value-placeholder = reikšmė
list-add-to-filter = Pridėti prie filtro
list-columns = Stulpeliai
list-columns-legend = Rodomi stulpeliai
list-show-columns = Rodyti šiuos stulpelius
list-with-selected = Su pažymėtais
list-assign = Priskirti
list-trash = Perkelti į šiukšlinę
list-new-owner = Naujas atsakingas asmuo
list-select = Pažymėti
sorted-ascending = rikiuota didėjančiai
sorted-descending = rikiuota mažėjančiai
list-nothing = Čia nieko nėra. Išvalykite paiešką ar filtrą arba pridėkite naują įrašą.
list-save-view = Išsaugoti šį rodinį
list-view-name = Pavadinimas
list-share = Bendrinti su mano komandomis
list-save-view-button = Išsaugoti rodinį
list-next-page = Kitas puslapis


## Piltuvo lenta

board-new-opportunity = Nauja galimybė
board-pipeline = Piltuvas
board-owner = Atsakingas
board-closing = Uždarymas (MMMM-MM)
board-show = Rodyti
board-weighted = pasverta
board-move-to = Perkelti į kitą etapą
board-move = Perkelti
board-all-of-stage = Visos šio etapo galimybės
board-everyone = Visi
board-me = Aš


## Įrašų puslapiai

record-convert = Konvertuoti
record-edit = Redaguoti
record-lines = Eilutės
record-no-lines = Eilučių dar nėra. Pirmąją pridėsite redaguodami dokumentą.
record-quick-actions = Greiti veiksmai
record-quick-kind = Tipas
record-log-call = Užregistruoti skambutį
record-add-note = Pridėti pastabą
record-schedule-meeting = Suplanuoti susitikimą
record-create-task = Sukurti užduotį
record-subject = Tema
record-details = Išsamiau
record-save = Išsaugoti
record-conversation = Susirašinėjimas
record-from-customer = Iš kliento
record-the-customer = klientas
record-no-replies = Atsakymų ir pastabų dar nėra.
record-write = Rašyti
record-reply = Atsakymas klientui (el. paštu)
record-internal-note = Vidinė pastaba
record-from-template = Pradėti atsakymą nuo šablono
record-no-template = Be šablono
record-text = Tekstas
record-send = Siųsti
record-none-yet = Kol kas nėra.
record-add = Pridėti
record-timeline = Laiko juosta
record-show-in-timeline = Rodyti laiko juostoje
record-no-episodes = Įvykių dar nėra. Užregistruokite skambutį ar pridėkite pastabą aukščiau.
record-history = Pakeitimų istorija
record-everything = Viskas
record-open-opportunities = Atviros galimybės
record-open-worth = { $count }, vertė { $worth }
record-last-contact = Paskutinis kontaktas
history-create = sukurta
history-update = pakeista
history-delete = perkelta į šiukšlinę
history-restore = atkurta
history-redact = asmens duomenys ištrinti


## Formos

form-new = Naujas įrašas: { $type }
form-edit = Redagavimas: { $title }
form-open-current = Atidaryti dabartinę versiją
form-type-first = Pirmiausia nurodykite įrašų tipą.
form-remove = Pašalinti
form-add-lines = Pridėti eilučių
form-cancel = Atšaukti
# Laukas atmestas dėl priežasties, galinčios tikti bet kuriam tokio tipo laukui (pagal kodą).
form-needs-attention = Kai kuriuos laukus reikia pataisyti.
error-required = Užpildykite šį lauką.
error-invalid_type = Tai ne tokios rūšies reikšmė.
error-invalid_email = Tai ne el. pašto adresas.
error-invalid_phone = Tai ne telefono numeris.
error-invalid_date = Tai ne data.
error-invalid_datetime = Tai ne data ir laikas.
error-invalid_id = Tai ne viena iš pasirinkimo galimybių.
error-not_found = Šioje darbo srityje tokio įrašo (ar nario) nėra.
error-too_many = Per daug reikšmių.
error-invalid_choice = Tai ne viena iš pasirinkimo galimybių.
error-invalid_amount = Tai ne suma.
error-invalid_currency = Tai ne valiutos kodas (pvz., EUR).
error-currency_not_enabled = Ši darbo sritis nenaudoja šios valiutos.
error-invalid_decimal = Tai ne skaičius.
error-duplicate = Kitas įrašas jau turi šią reikšmę.
error-unknown_field = Šio lauko negalite pildyti.
error-read_only = Jūsų vaidmuo neleidžia to keisti.
error-forbidden = Jūsų vaidmuo neleidžia to daryti.
error-too_long = Reikšmė per ilga.
error-out_of_range = Reikšmė nepatenka į leistiną intervalą.
error-in_the_past = Pasirinkite būsimą laiką.
list-filter-unread = Relata negali perskaityti šio filtro ({ $column } simbolis): { $detail }

## Kalba ir laiko juosta

preferences-title = Kalba ir laiko juosta
preferences-intro = Puslapiai, datos ir sumos rodomi taip, kaip čia pasirinksite.
preferences-language = Kalba
preferences-language-auto = Kaip prašo naršyklė (dabar: { $language })
preferences-time-zone = Laiko juosta
preferences-time-zone-auto = Darbo srities ({ $zone })
preferences-example = Pavyzdys: { $moment } · { $amount }
preferences-save = Išsaugoti
preferences-saved = Išsaugota.
preferences-bad-language = Relata šia kalba neišversta; pasirinkite kalbą iš sąrašo.
preferences-bad-time-zone = Tai ne laiko juosta; pasirinkite ją iš sąrašo (pvz., Europe/Vilnius).

## Laikas, palyginti su dabartimi

relative-now = ką tik
relative-minutes-ago = { PLURAL($count) ->
    [one] prieš { $count } minutę
    [few] prieš { $count } minutes
   *[other] prieš { $count } minučių
}
relative-minutes-ahead = { PLURAL($count) ->
    [one] po { $count } minutės
   *[other] po { $count } minučių
}
relative-hours-ago = { PLURAL($count) ->
    [one] prieš { $count } valandą
    [few] prieš { $count } valandas
   *[other] prieš { $count } valandų
}
relative-hours-ahead = { PLURAL($count) ->
    [one] po { $count } valandos
   *[other] po { $count } valandų
}
relative-days-ago = { $count ->
    [1] vakar
   *[other] { PLURAL($count) ->
        [one] prieš { $count } dieną
        [few] prieš { $count } dienas
       *[other] prieš { $count } dienų
    }
}
relative-days-ahead = { $count ->
    [1] rytoj
   *[other] { PLURAL($count) ->
        [one] po { $count } dienos
       *[other] po { $count } dienų
    }
}

## Formose įvedamos sumos

amount-not-a-number = Įveskite sumą skaitmenimis, pvz., 1 234,50.
amount-too-precise = { $count ->
    [0] Ši valiuta neturi dešimtainių skaitmenų.
   *[other] { PLURAL($count) ->
        [one] Ši valiuta turi tik { $count } skaitmenį po kablelio.
        [few] Ši valiuta turi tik { $count } skaitmenis po kablelio.
       *[other] Ši valiuta turi tik { $count } skaitmenų po kablelio.
    }
}
amount-ambiguous = „{ $grouped }“ ar „{ $decimal }“? Įveskite sumą be taško arba su dešimtainiu kableliu.
amount-too-large = Ši suma per didelė.

## Numatytojo pardavimų piltuvo etapai

stage-qualification = Kvalifikavimas
stage-needs_analysis = Poreikių analizė
stage-proposal = Pasiūlymas
stage-negotiation = Derybos
stage-won = Laimėta
stage-lost = Pralaimėta

## Pradžios puslapis pagal vaidmenį: vadovo komanda, pardavėjo planas, valdikliai

entity-quotas = Pardavimų planai
entity-one-quotas = pardavimų planas
home-my-team = Mano komanda
home-my-work = Mano darbas
home-team-pipeline = Komandos piltuvas pagal etapą ir atsakingą asmenį
home-total = Iš viso
home-nobody = Niekas
home-win-rate = Laimėjimų dalis šį ketvirtį
home-win-rate-value = { $percent } (laimėta: { $won }, pralaimėta: { $lost })
home-win-rate-none = Šį ketvirtį dar neuždaryta nė viena galimybė.
home-quotas = Prognozė, palyginti su planu
home-quota-target = Planas
home-quota-won = Laimėta
home-quota-forecast = Prognozė
home-no-quotas = Šiandienos neapima joks planas. Vadovai juos nustato skiltyje „Pardavimų planai“.
home-my-quota = Mano planas
home-activities-week = Veiklos šią savaitę
home-no-activities = Šią savaitę neužregistruota jokių veiklų.
home-stale = Galimybės be veiklų 30 dienų
home-my-stale = Mano galimybės be veiklų 30 dienų
home-no-stale = Nė viena galimybė neužstrigo.
home-last-change = paskutinis pakeitimas
home-widgets = Mano valdikliai
home-widget-gone = Šio valdiklio išsaugoto rodinio nebėra.
home-widget-remove = Pašalinti
home-widget-add-hint = Pridėkite rodiklių iš išsaugoto rodinio: atverkite sąrašą, pasirinkite „Pridėti į pradžios puslapį“ ir rodinį.
home-widget-refused = Valdiklis nepridėtas
home-widget-empty = Įrašų nėra.
home-no-value = (nėra)
home-widget-records = { PLURAL($count) ->
    [one] { $count } įrašas
    [few] { $count } įrašai
   *[other] { $count } įrašų
}
list-add-to-home = Pridėti į pradžios puslapį
list-widget-view = Išsaugotas rodinys
list-widget-figure = Rodyti
list-widget-count = Įrašų skaičius
list-widget-sum = Suma: { $field }
list-widget-chart = Diagrama pagal: { $field }
list-widget-add = Pridėti

## Kalendoriai: dienos, savaitės ir mėnesio rodiniai, laiko paieška, priminimai

nav-calendar = Kalendorius
calendar-title = Kalendorius
calendar-day = Diena
calendar-week = Savaitė
calendar-month = Mėnuo
calendar-previous = Atgal
calendar-next = Pirmyn
calendar-today = Šiandien
calendar-mine = Mano
calendar-team = Mano komanda
calendar-find-time = Rasti laiką
calendar-reschedule = Perkelti
calendar-starts = Pradžia
calendar-ends = Pabaiga
calendar-save = Išsaugoti
calendar-saving = Saugoma…
calendar-nothing = Nieko nesuplanuota.
calendar-not-saved = Neišsaugota
calendar-conflict = Kažkas tuo metu pakeitė šią veiklą: atverkite kalendorių iš naujo, kad matytumėte dabartinę būseną.
calendar-bad-times = Nurodykite pradžią ir pabaigą kaip datą ir laiką.
calendar-end-before-start = Pabaiga turi būti po pradžios.
calendar-times-in = Laikas zonoje { $zone }
find-time-title = Rasti laiką
find-time-who = Kas
find-time-length = Trukmė (minutėmis)
find-time-search = Ieškoti
find-time-proposal = Siūlomas laikas: { $when }
find-time-none = Per artimiausias penkias darbo dienas bendro laisvo laiko nėra.
find-time-busy = Užimtas laikas
find-time-free = Laisva
find-time-create = Sukurti susitikimą
reminder-title = Priminimas: { $subject }, { $when }
reminder-at = { $at }
notify-webhook-paused = Webhook į { $url } sustabdytas
notify-webhook-paused-reason = Sustabdyta po nesėkmingų bandymų ({ $attempts }) pristatyti įvykį { $event }: { $error }
notify-automation-rule = Automatizavimo taisyklė: { $rule }
notify-sla-warning = SLA įspėjimas: { $case }
notify-sla-due = Terminas: { $at }
notify-sla-breached = SLA terminas praleistas: { $case }
notify-sla-escalated = Prioritetas padidintas iki: { $priority }
notify-case-assigned = Jums priskirta užklausa: { $case }

## Veiksmai įrašų puslapiuose, laiko juostos įrašų rūšys, tipų pavadinimai vienaskaita

action-download-letters = Atsisiųsti laiškus (PDF)
action-mark-posted = Pažymėti kaip išsiųstą
action-dry-run = Bandomasis paleidimas
action-runs = Paleidimai
action-automation-runs = Automatizavimo paleidimai
action-write-email = Rašyti el. laišką
action-download-pdf = Atsisiųsti PDF
action-revise = Pataisyti
action-create-invoice = Išrašyti sąskaitą
action-download-ubl = Atsisiųsti UBL
action-record-payment = Užregistruoti mokėjimą
action-credit-note = Kreditinė sąskaita
action-configure = Konfigūruoti
action-reply-customer = Atsakyti klientui
action-internal-note = Pridėti vidinę pastabą
action-release = Perkelti į užklausą
action-discard = Atmesti
action-pause = Pristabdyti
action-resume = Tęsti
action-mark-sent = Pažymėti kaip išsiųstą
action-accept = Priimti
action-reject = Atmesti
action-confirm = Patvirtinti
action-issue = Išrašyti
timeline-stage_change = Etapo pakeitimai
timeline-one-stage_change = etapo pakeitimas
timeline-shared_email = Bendrinami el. laiškai
timeline-one-shared_email = bendrinamas el. laiškas
entity-one-pipelines = pardavimų piltuvas
entity-one-phone_calls = telefono skambutis
entity-one-call_lists = skambučių sąrašas
entity-one-emails = el. laiškas
entity-one-messages = pranešimas
entity-one-option_groups = parinkčių grupė
entity-one-price_books = kainoraštis
entity-one-document_templates = dokumento šablonas
entity-one-call_queue_entries = skambutis, kurį reikia atlikti
entity-one-message_templates = pranešimo šablonas
entity-one-print_batches = spausdinimo paketas
entity-one-automation_rules = automatizavimo taisyklė
entity-one-automation_runs = automatizavimo paleidimas
entity-one-case_comments = užklausos komentaras
entity-one-service_teams = aptarnavimo komanda
entity-one-service_calendars = darbo valandos
entity-one-sla_policies = SLA politika
entity-one-routing_rules = paskirstymo taisyklė
entity-one-service_contracts = sutartis ar garantija
entity-one-kb_articles = žinių bazės straipsnis
entity-one-held_messages = sulaikytas pranešimas
not-done = Neatlikta
page-failed = Kažkas nepavyko
page-failed-text = Serveryje kažkas nepavyko; tai užregistruota jūsų administratoriui. Bandykite vėliau.
page-busy-text = Duomenų bazė užimta kitu darbu; niekas nepakeista. Bandykite po akimirkos.
page-out-of-space-text = Relata dabar negali išsaugoti pakeitimų: jos saugykla pilna arba skirta tik skaityti. Niekas nepakeista; skaityti galima.
page-changed-since-text = Tuo metu šį įrašą pakeitė kažkas kitas; niekas neišsaugota. Atidarykite jį iš naujo, kad pamatytumėte pakeitimą.
bulk-select-first = Pirmiausia pažymėkite nuo 1 iki 500 įrašų.
bulk-choose-action = Pasirinkite veiksmą (priskiriant – ir atsakingą asmenį).
bulk-partly-done = Atlikta iš dalies
bulk-partly-done-text = Atlikta: { $done }; neatlikta: { $refused }: { $reasons }
view-not-saved = Rodinys neišsaugotas
board-no-pipeline = Nėra pardavimų piltuvo
board-no-pipeline-text = Šioje darbo srityje dar nėra pardavimų piltuvo.
board-no-such-deal = Tokios pardavimo galimybės nėra.
board-stage-not-allowed = Jūsų vaidmuo neleidžia keisti etapų.
board-changed-meanwhile = Kol žiūrėjote, kažkas pakeitė šią pardavimo galimybę. Grįžkite ir atnaujinkite lentą.
board-choose-team = Pasirinkite komandą, kurioje yra narių.
board-choose-owner = Pasirinkite savininką iš sąrašo.
board-not-a-month = „{ $month }“ nėra mėnuo, pvz., 2026-12.
form-someone = kažkas
form-changed-by = Kol redagavote, įrašą pakeitė { $by } ({ $time }). Jūsų pakeitimai išsaugoti žemiau; įkelkite įrašą iš naujo, kad pamatytumėte kito asmens pakeitimus, ir įveskite savuosius dar kartą.
form-changed = Kol redagavote, įrašas buvo pakeistas.
board-not-moved = Neperkelta
changed-meanwhile = Pakeista tuo metu
record-changed-meanwhile = Kol žiūrėjote, kažkas pakeitė šį įrašą. Atnaujinkite puslapį ir bandykite dar kartą.
form-expired = Formos galiojimas baigėsi
form-expired-text = Grįžkite, atnaujinkite puslapį ir bandykite dar kartą.
