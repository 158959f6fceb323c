# Интерфейсът на Relata на български език.

## Рамката на всяка страница

skip-to-content = Към съдържанието
menu = Меню
nav-main = Основно меню
nav-home = Начало
nav-service = Обслужване
nav-pipeline = Фуния на продажбите
nav-next-call = Следващо обаждане
nav-call-center = Кол център
nav-waiting-calls = Чакащи обаждания
nav-channels = Канали
search-label = Търсене на фирми, контакти, потенциални клиенти и сделки
search-placeholder = Търсене…
notifications-unread = { $count ->
    [0] Известия, няма непрочетени
    [one] Известия, { $count } непрочетено
   *[other] Известия, { $count } непрочетени
}
phones-and-calendars = Телефони и календари
preferences-link = Език и часова зона
switch-workspace = Смяна на работното пространство
switch = Смени
sign-out = Изход
incoming-call = Входящо обаждане
link-home = Към началото
not-found-title = Не е намерено
not-found-text = В това работно пространство няма такъв запис.
not-allowed = Нямате достъп
denied-role = Вашата роля не позволява да { $right ->
        [read] преглеждате
        [create] създавате
        [update] променяте
        [delete] изтривате
       *[export] експортирате
    } записи от тип „{ $what }“.
denied-record = Вашата роля позволява да { $right ->
        [read] преглеждате
        [create] създавате
        [update] променяте
        [delete] изтривате
       *[export] експортирате
    } само някои записи от тип „{ $what }“: този е на друг служител.
denied-admin-only = Само администраторите на работното пространство могат да направят това.
denied-assign = Вашата роля не позволява да възложите записи от тип „{ $what }“ на този отговорник: изберете себе си или член на екип, който ръководите.
denied-made-by-relata = Записите от тип „{ $what }“ се създават само от Relata.
value-yes = да
value-no = не

## Типове записи в менюто

entity-accounts = Фирми
entity-contacts = Контакти
entity-leads = Потенциални клиенти
entity-opportunities = Сделки
entity-activities = Дейности
entity-pipelines = Фунии
entity-cases = Запитвания
entity-products = Продукти
entity-quotes = Оферти
entity-orders = Поръчки
entity-invoices = Фактури
entity-payments = Плащания
entity-phone_calls = Телефонни разговори
entity-call_lists = Списъци за обаждане
entity-emails = Имейли
entity-messages = Съобщения
entity-option_groups = Групи опции
entity-price_books = Ценови листи
entity-document_templates = Шаблони на документи
entity-call_queue_entries = Планирани обаждания
entity-message_templates = Шаблони на съобщения
entity-print_batches = Пакети за печат
entity-automation_rules = Правила за автоматизация
entity-automation_runs = Изпълнения на автоматизации
entity-case_comments = Коментари по запитвания
entity-service_teams = Екипи по обслужване
entity-service_calendars = Работно време
entity-sla_policies = Правила за SLA
entity-routing_rules = Правила за разпределение
entity-service_contracts = Договори и гаранции
entity-kb_articles = База знания
entity-held_messages = Задържана поща
entity-one-accounts = фирма
entity-one-contacts = контакт
entity-one-leads = потенциален клиент
entity-one-opportunities = сделка
entity-one-activities = дейност
entity-one-cases = запитване
entity-one-products = продукт
entity-one-quotes = оферта
entity-one-orders = поръчка
entity-one-invoices = фактура
entity-one-payments = плащане

## Начало

home-title = Начало
home-greeting = Добър ден, { $name }
home-attention = Изисква вниманието ви
home-webhook-paused = Уебхукът към { $url } е спрян: { $reason }. Поправете получателя и подновете абонамента (PATCH /api/v1/webhooks/…, "active": true); доставките чакат.
home-my-tasks = Моите отворени задачи
home-overdue = просрочена
home-nothing-due = Нищо не чака. Браво.
home-my-pipeline = Моята фуния по етапи
home-team-forecast = Прогноза на екипа ми (отворени, претеглени по етап)
home-recent = Последна активност
home-nothing-yet = Все още нищо. Тук ще се показват записите, които вие и екипът ви създавате или променяте.
home-no-open-opportunities = Няма отворени сделки. Нова сделка се създава от таблото на фунията.
home-chart-pipeline = Отворена фуния по етапи
home-chart-team = Прогноза на екипа по отговорници


## Списъци

list-new = Нов
list-export-csv = Експорт в CSV
list-export-xlsx = Експорт в XLSX
list-saved-views = Запазени изгледи
list-team = екип
list-delete-view = Изтрий изгледа
list-search = Търсене
list-filter = Филтър
list-apply = Приложи
list-filter-help = Оператори = != < <= > >= ~ in, is null; комбинирайте с and, or, not.
list-add-condition = Добави условие:
list-operator = Оператор
op-is = е
op-is-not = не е
op-contains = съдържа
op-greater = по-голямо от
op-less = по-малко от
op-empty = е празно
op-not-empty = не е празно
list-value = Стойност
list-value-placeholder = стойност
list-add-to-filter = Добави към филтъра
list-columns = Колони
list-columns-legend = Показвани колони
list-show-columns = Покажи тези колони
list-with-selected = С избраните
list-assign = Възложи на
list-trash = Премести в кошчето
list-new-owner = Нов отговорник
list-select = Избери
sorted-ascending = възходящ ред
sorted-descending = низходящ ред
list-nothing = Тук няма нищо. Изчистете търсенето или филтъра или добавете нов запис.
list-save-view = Запази този изглед
list-view-name = Име
list-share = Сподели с моите екипи
list-save-view-button = Запази изгледа
list-next-page = Следваща страница


## Таблото на фунията

board-new-opportunity = Нова сделка
board-pipeline = Фуния
board-owner = Отговорник
board-closing = Приключване през (ГГГГ-ММ)
board-show = Покажи
board-weighted = претеглено
board-move-to = Премести в друг етап
board-move = Премести
board-all-of-stage = Всички сделки от този етап
board-everyone = Всички
board-me = Аз


## Страници на записи

record-convert = Конвертирай
record-edit = Редактирай
record-lines = Редове
record-no-lines = Все още няма редове. Добавете първия, като редактирате документа.
record-quick-actions = Бързи действия
record-quick-kind = Вид
record-log-call = Запиши разговор
record-add-note = Добави бележка
record-schedule-meeting = Насрочи среща
record-create-task = Създай задача
record-subject = Тема
record-details = Подробности
record-save = Запази
record-conversation = Кореспонденция
record-from-customer = От клиента
record-the-customer = клиентът
record-no-replies = Все още няма отговори и бележки.
record-write = Напиши
record-reply = Отговор до клиента (по имейл)
record-internal-note = Вътрешна бележка
record-from-template = Започни отговор от шаблон
record-no-template = Без шаблон
record-text = Текст
record-send = Изпрати
record-none-yet = Все още няма.
record-add = Добави
record-timeline = Хронология
record-show-in-timeline = Покажи в хронологията
record-no-episodes = Все още няма събития. Запишете разговор или добавете бележка по-горе.
record-history = История на промените
record-everything = Всичко
record-open-opportunities = Отворени сделки
record-open-worth = { $count } на стойност { $worth }
record-last-contact = Последен контакт
history-create = създаден
history-update = променен
history-delete = преместен в кошчето
history-restore = възстановен
history-redact = личните данни са изтрити


## Формуляри

form-new = Нов запис: { $type }
form-edit = Редакция: { $title }
form-open-current = Отвори текущата версия
form-type-first = Първо посочете типа на записите.
form-remove = Премахни
form-add-lines = Добави редове
form-cancel = Отказ
# Поле, отхвърлено по причина, обща за всички полета от този тип (по код).
form-needs-attention = Някои полета трябва да се поправят.
error-required = Попълнете това поле.
error-invalid_type = Това не е стойност от този вид.
error-invalid_email = Това не е имейл адрес.
error-invalid_phone = Това не е телефонен номер.
error-invalid_date = Това не е дата.
error-invalid_datetime = Това не е дата и час.
error-invalid_id = Това не е нито една от възможностите за избор.
error-not_found = В това работно пространство няма такъв запис (или член).
error-too_many = Твърде много стойности.
error-invalid_choice = Това не е нито една от възможностите за избор.
error-invalid_amount = Това не е сума.
error-invalid_currency = Това не е код на валута (напр. BGN).
error-currency_not_enabled = Това работно пространство не използва тази валута.
error-invalid_decimal = Това не е число.
error-duplicate = Друг запис вече има тази стойност.
error-unknown_field = Не можете да попълвате това поле.
error-read_only = Вашата роля не позволява да променяте това.
error-forbidden = Вашата роля не позволява това.
error-too_long = Стойността е твърде дълга.
error-out_of_range = Стойността е извън допустимия диапазон.
error-in_the_past = Изберете момент в бъдещето.
list-filter-unread = Relata не може да прочете този филтър (знак { $column }): { $detail }

## Език и часова зона

preferences-title = Език и часова зона
preferences-intro = Страниците, датите и сумите се показват според избора ви тук.
preferences-language = Език
preferences-language-auto = Според браузъра (сега: { $language })
preferences-time-zone = Часова зона
preferences-time-zone-auto = Зоната на работното пространство ({ $zone })
preferences-example = Пример: { $moment } · { $amount }
preferences-save = Запази
preferences-saved = Запазено.
preferences-bad-language = Relata не е преведена на този език; изберете език от списъка.
preferences-bad-time-zone = Това не е часова зона; изберете от списъка (например Europe/Sofia).

## Време спрямо сега

relative-now = току-що
relative-minutes-ago = { $count ->
    [one] преди { $count } минута
   *[other] преди { $count } минути
}
relative-minutes-ahead = { $count ->
    [one] след { $count } минута
   *[other] след { $count } минути
}
relative-hours-ago = { $count ->
    [one] преди { $count } час
   *[other] преди { $count } часа
}
relative-hours-ahead = { $count ->
    [one] след { $count } час
   *[other] след { $count } часа
}
relative-days-ago = { $count ->
    [1] вчера
   *[other] преди { $count } дни
}
relative-days-ahead = { $count ->
    [1] утре
   *[other] след { $count } дни
}

## Суми, въвеждани във формуляри

amount-not-a-number = Въведете сумата с цифри, например 1 234,50.
amount-too-precise = { $count ->
    [0] Тази валута няма дробна част.
    [one] Тази валута има само { $count } знак след десетичната запетая.
   *[other] Тази валута има само { $count } знака след десетичната запетая.
}
amount-ambiguous = „{ $grouped }“ или „{ $decimal }“? Въведете сумата без точка или с десетична запетая.
amount-too-large = Сумата е твърде голяма.

## Етапи на фунията на продажбите по подразбиране

stage-qualification = Квалификация
stage-needs_analysis = Анализ на нуждите
stage-proposal = Оферта
stage-negotiation = Преговори
stage-won = Спечелена
stage-lost = Загубена

## Началната страница според ролята: екипът на мениджъра, планът на търговеца, джаджи

entity-quotas = Планове за продажби
entity-one-quotas = план за продажби
home-my-team = Моят екип
home-my-work = Моята работа
home-team-pipeline = Фуния на екипа по етап и отговорник
home-total = Общо
home-nobody = Никой
home-win-rate = Успеваемост това тримесечие
home-win-rate-value = { $percent } (спечелени: { $won }, загубени: { $lost })
home-win-rate-none = Това тримесечие още няма приключени сделки.
home-quotas = Прогноза спрямо плана
home-quota-target = План
home-quota-won = Спечелени
home-quota-forecast = Прогноза
home-no-quotas = Нито един план не обхваща днешния ден. Мениджърите ги задават в „Планове за продажби“.
home-my-quota = Моят план
home-activities-week = Дейности тази седмица
home-no-activities = Тази седмица няма записани дейности.
home-stale = Сделки без дейност от 30 дни
home-my-stale = Моите сделки без дейност от 30 дни
home-no-stale = Няма застинали сделки.
home-last-change = последна промяна
home-widgets = Моите джаджи
home-widget-gone = Запазеният изглед на тази джаджа вече не съществува.
home-widget-remove = Премахване
home-widget-add-hint = Добавете показатели от запазен изглед: отворете списък, изберете „Добави в началната страница“ и посочете изглед.
home-widget-refused = Джаджата не е добавена
home-widget-empty = Няма записи.
home-no-value = (няма)
home-widget-records = { $count ->
    [one] 1 запис
   *[other] { $count } записа
}
list-add-to-home = Добави в началната страница
list-widget-view = Запазен изглед
list-widget-figure = Покажи
list-widget-count = Брой записи
list-widget-sum = Сума: { $field }
list-widget-chart = Диаграма по: { $field }
list-widget-add = Добави

## Календари: ден, седмица и месец, търсене на време, напомняния

nav-calendar = Календар
calendar-title = Календар
calendar-day = Ден
calendar-week = Седмица
calendar-month = Месец
calendar-previous = Назад
calendar-next = Напред
calendar-today = Днес
calendar-mine = Моят
calendar-team = Моят екип
calendar-find-time = Намери време
calendar-reschedule = Пренасрочи
calendar-starts = Начало
calendar-ends = Край
calendar-save = Запази
calendar-saving = Запазване…
calendar-nothing = Нищо не е планирано.
calendar-not-saved = Не е запазено
calendar-conflict = Някой междувременно промени тази дейност: отворете календара отново, за да я видите в текущия ѝ вид.
calendar-bad-times = Посочете начало и край като дата и час.
calendar-end-before-start = Краят трябва да е след началото.
calendar-times-in = Часове в зоната { $zone }
find-time-title = Намери време
find-time-who = Кой
find-time-length = Продължителност (минути)
find-time-search = Търси
find-time-proposal = Предложено време: { $when }
find-time-none = Няма общо свободно време през следващите пет работни дни.
find-time-busy = Заето време
find-time-free = Свободен
find-time-create = Създай среща
reminder-title = Напомняне: { $subject }, { $when }
reminder-at = { $at }
notify-webhook-paused = Уебкукът към { $url } е спрян
notify-webhook-paused-reason = Спрян след неуспешни опити ({ $attempts }) за доставка на събитие { $event }: { $error }
notify-automation-rule = Правило за автоматизация: { $rule }
notify-sla-warning = SLA предупреждение: { $case }
notify-sla-due = Срок: { $at }
notify-sla-breached = Нарушен SLA срок: { $case }
notify-sla-escalated = Приоритетът е повишен до: { $priority }
notify-case-assigned = Възложен ви е казус: { $case }

## Действия на страниците на записите, видове събития в хронологията, имена на типовете в единствено число

action-download-letters = Изтегли писмата (PDF)
action-mark-posted = Отбележи като изпратена
action-dry-run = Пробно изпълнение
action-runs = Изпълнения
action-automation-runs = Изпълнения на автоматизацията
action-write-email = Напиши имейл
action-download-pdf = Изтегли PDF
action-revise = Нова версия
action-create-invoice = Издай фактура
action-download-ubl = Изтегли UBL
action-record-payment = Запиши плащане
action-credit-note = Кредитно известие
action-configure = Конфигурирай
action-reply-customer = Отговори на клиента
action-internal-note = Добави вътрешна бележка
action-release = Прехвърли към запитване
action-discard = Отхвърли
action-pause = Спри временно
action-resume = Продължи
action-mark-sent = Отбележи като изпратена
action-accept = Приеми
action-reject = Отхвърли
action-confirm = Потвърди
action-issue = Издай
timeline-stage_change = Промени на етапа
timeline-one-stage_change = промяна на етапа
timeline-shared_email = Споделени имейли
timeline-one-shared_email = споделен имейл
entity-one-pipelines = фуния на продажбите
entity-one-phone_calls = телефонно обаждане
entity-one-call_lists = списък за обаждания
entity-one-emails = имейл
entity-one-messages = съобщение
entity-one-option_groups = група опции
entity-one-price_books = ценова листа
entity-one-document_templates = шаблон на документ
entity-one-call_queue_entries = обаждане за извършване
entity-one-message_templates = шаблон на съобщение
entity-one-print_batches = пакет за печат
entity-one-automation_rules = правило за автоматизация
entity-one-automation_runs = изпълнение на автоматизация
entity-one-case_comments = коментар към запитване
entity-one-service_teams = екип за обслужване
entity-one-service_calendars = работно време
entity-one-sla_policies = SLA политика
entity-one-routing_rules = правило за разпределение
entity-one-service_contracts = договор или гаранция
entity-one-kb_articles = статия от базата знания
entity-one-held_messages = задържано съобщение
not-done = Не е изпълнено
page-failed = Нещо се обърка
page-failed-text = Нещо се обърка на сървъра; грешката е записана за администратора ви. Опитайте отново по-късно.
page-busy-text = Базата данни е заета с друга работа; нищо не е променено. Опитайте отново след малко.
page-out-of-space-text = Relata не може да записва промени в момента: хранилището е пълно или само за четене. Нищо не е променено; четенето работи.
page-changed-since-text = Междувременно някой друг е променил този запис; нищо не е записано. Отворете го отново, за да видите промяната.
bulk-select-first = Първо маркирайте от 1 до 500 записа.
bulk-choose-action = Изберете действие (а при възлагане – и отговорник).
bulk-partly-done = Изпълнено частично
bulk-partly-done-text = Изпълнени: { $done }; неизпълнени: { $refused }: { $reasons }
view-not-saved = Изгледът не е запазен
board-no-pipeline = Няма фуния на продажбите
board-no-pipeline-text = Това работно пространство още няма фуния на продажбите.
board-no-such-deal = Няма такава сделка.
board-stage-not-allowed = Вашата роля не позволява смяна на етапите.
board-changed-meanwhile = Докато разглеждахте, някой промени тази сделка. Върнете се и презаредете таблото.
board-choose-team = Изберете екип, който има членове.
board-choose-owner = Изберете отговорник от списъка.
board-not-a-month = „{ $month }“ не е месец във вида 2026-12.
form-someone = някой
form-changed-by = Докато редактирахте, записът е променен от { $by } ({ $time }). Вашите промени са запазени по-долу; заредете записа отново, за да видите чуждите промени, и въведете своите пак.
form-changed = Записът е променен, докато го редактирахте.
board-not-moved = Не е преместено
changed-meanwhile = Променено междувременно
record-changed-meanwhile = Докато разглеждахте, някой промени този запис. Презаредете го и опитайте отново.
form-expired = Формулярът е изтекъл
form-expired-text = Върнете се, презаредете страницата и опитайте отново.
