# Интерфейс Relata на русском языке.

## Рамка каждой страницы

skip-to-content = Перейти к содержимому
menu = Меню
nav-main = Главное меню
nav-home = Главная
nav-service = Сервис
nav-pipeline = Воронка продаж
nav-next-call = Следующий звонок
nav-call-center = Колл-центр
nav-waiting-calls = Ожидающие звонки
nav-channels = Каналы
search-label = Поиск по компаниям, контактам, лидам и сделкам
search-placeholder = Поиск…
notifications-unread = { $count ->
    [0] Уведомления, непрочитанных нет
    [one] Уведомления, { $count } непрочитанное
    [few] Уведомления, { $count } непрочитанных
   *[other] Уведомления, { $count } непрочитанных
}
phones-and-calendars = Телефоны и календари
preferences-link = Язык и часовой пояс
switch-workspace = Сменить рабочее пространство
switch = Сменить
sign-out = Выйти
incoming-call = Входящий звонок
link-home = На главную
not-found-title = Не найдено
not-found-text = В этом рабочем пространстве нет такой записи.
not-allowed = Нет доступа
denied-role = Ваша роль не позволяет { $right ->
        [read] просматривать
        [create] создавать
        [update] изменять
        [delete] удалять
       *[export] экспортировать
    } записи типа «{ $what }».
denied-record = Ваша роль позволяет { $right ->
        [read] просматривать
        [create] создавать
        [update] изменять
        [delete] удалять
       *[export] экспортировать
    } только некоторые записи типа «{ $what }»: эта принадлежит другому сотруднику.
denied-admin-only = Это могут сделать только администраторы рабочего пространства.
denied-assign = Ваша роль не позволяет назначить записи типа «{ $what }» этому ответственному: выберите себя или сотрудника команды, которой вы руководите.
denied-made-by-relata = Записи типа «{ $what }» создаёт только Relata.
value-yes = да
value-no = нет

## Типы записей в меню

entity-accounts = Компании
entity-contacts = Контакты
entity-leads = Лиды
entity-opportunities = Сделки
entity-activities = Дела
entity-pipelines = Воронки
entity-cases = Обращения
entity-products = Товары
entity-quotes = Коммерческие предложения
entity-orders = Заказы
entity-invoices = Счета
entity-payments = Платежи
entity-phone_calls = Звонки
entity-call_lists = Списки обзвона
entity-emails = Письма
entity-messages = Сообщения
entity-option_groups = Группы опций
entity-price_books = Прайс-листы
entity-document_templates = Шаблоны документов
entity-call_queue_entries = Запланированные звонки
entity-message_templates = Шаблоны сообщений
entity-print_batches = Пакеты печати
entity-automation_rules = Правила автоматизации
entity-automation_runs = Запуски автоматизации
entity-case_comments = Комментарии к обращениям
entity-service_teams = Команды поддержки
entity-service_calendars = Рабочие часы
entity-sla_policies = Правила SLA
entity-routing_rules = Правила распределения
entity-service_contracts = Договоры и гарантии
entity-kb_articles = База знаний
entity-held_messages = Задержанная почта
entity-one-accounts = компания
entity-one-contacts = контакт
entity-one-leads = лид
entity-one-opportunities = сделка
entity-one-activities = дело
entity-one-cases = обращение
entity-one-products = товар
entity-one-quotes = коммерческое предложение
entity-one-orders = заказ
entity-one-invoices = счёт
entity-one-payments = платёж

## Главная

home-title = Главная
home-greeting = Добрый день, { $name }
home-attention = Требует вашего внимания
home-webhook-paused = Вебхук на { $url } приостановлен: { $reason }. Исправьте получателя и возобновите подписку (PATCH /api/v1/webhooks/…, "active": true); доставки ждут.
home-my-tasks = Мои открытые задачи
home-overdue = просрочено
home-nothing-due = Ничего не горит. Отличная работа.
home-my-pipeline = Моя воронка по этапам
home-team-forecast = Прогноз моей команды (открытые, с учётом вероятности этапа)
home-recent = Последние события
home-nothing-yet = Пока ничего. Здесь появятся записи, которые создадите или измените вы и ваша команда.
home-no-open-opportunities = Открытых сделок нет. Новую сделку можно создать на доске воронки.
home-chart-pipeline = Открытая воронка по этапам
home-chart-team = Прогноз команды по ответственным


## Списки

list-new = Создать
list-export-csv = Экспорт CSV
list-export-xlsx = Экспорт XLSX
list-saved-views = Сохранённые представления
list-team = команда
list-delete-view = Удалить представление
list-search = Поиск
list-filter = Фильтр
list-apply = Применить
list-filter-help = Операторы = != < <= > >= ~ in, is null; объединяйте через and, or, not.
list-add-condition = Добавить условие:
list-operator = Оператор
op-is = равно
op-is-not = не равно
op-contains = содержит
op-greater = больше
op-less = меньше
op-empty = пусто
op-not-empty = не пусто
list-value = Значение
list-value-placeholder = значение
list-add-to-filter = Добавить в фильтр
list-columns = Столбцы
list-columns-legend = Показываемые столбцы
list-show-columns = Показать эти столбцы
list-with-selected = С выбранными
list-assign = Назначить
list-trash = Переместить в корзину
list-new-owner = Новый ответственный
list-select = Выбрать
sorted-ascending = по возрастанию
sorted-descending = по убыванию
list-nothing = Здесь ничего нет. Очистите поиск или фильтр либо добавьте новую запись.
list-save-view = Сохранить это представление
list-view-name = Название
list-share = Открыть моим командам
list-save-view-button = Сохранить представление
list-next-page = Следующая страница


## Доска воронки

board-new-opportunity = Новая сделка
board-pipeline = Воронка
board-owner = Ответственный
board-closing = Закрытие в месяце (ГГГГ-ММ)
board-show = Показать
board-weighted = с учётом вероятности
board-move-to = Перенести на другой этап
board-move = Перенести
board-all-of-stage = Все сделки этого этапа
board-everyone = Все
board-me = Я


## Страницы записей

record-convert = Конвертировать
record-edit = Изменить
record-lines = Позиции
record-no-lines = Позиций пока нет. Добавьте первую, изменив документ.
record-quick-actions = Быстрые действия
record-quick-kind = Тип
record-log-call = Записать звонок
record-add-note = Добавить заметку
record-schedule-meeting = Назначить встречу
record-create-task = Создать задачу
record-subject = Тема
record-details = Подробности
record-save = Сохранить
record-conversation = Переписка
record-from-customer = От клиента
record-the-customer = клиент
record-no-replies = Ответов и заметок пока нет.
record-write = Написать
record-reply = Ответ клиенту (по почте)
record-internal-note = Внутренняя заметка
record-from-template = Начать ответ с шаблона
record-no-template = Без шаблона
record-text = Текст
record-send = Отправить
record-none-yet = Пока нет.
record-add = Добавить
record-timeline = Лента событий
record-show-in-timeline = Показать в ленте
record-no-episodes = Событий пока нет. Запишите звонок или добавьте заметку выше.
record-history = История изменений
record-everything = Всё
record-open-opportunities = Открытые сделки
record-open-worth = { $count } на сумму { $worth }
record-last-contact = Последний контакт
history-create = создано
history-update = изменено
history-delete = перемещено в корзину
history-restore = восстановлено
history-redact = персональные данные удалены


## Формы

form-new = Новая запись: { $type }
form-edit = Редактирование: { $title }
form-open-current = Открыть текущую версию
form-type-first = Сначала укажите тип записей.
form-remove = Удалить
form-add-lines = Добавить позиции
form-cancel = Отмена
# Поле отклонено по причине, общей для всех полей этого типа (по коду).
form-needs-attention = Некоторые поля нужно исправить.
error-required = Заполните это поле.
error-invalid_type = Это значение не того вида.
error-invalid_email = Это не адрес электронной почты.
error-invalid_phone = Это не номер телефона.
error-invalid_date = Это не дата.
error-invalid_datetime = Это не дата и время.
error-invalid_id = Это не один из вариантов выбора.
error-not_found = В этом рабочем пространстве нет такой записи (или участника).
error-too_many = Слишком много значений.
error-invalid_choice = Это не один из вариантов выбора.
error-invalid_amount = Это не сумма.
error-invalid_currency = Это не код валюты (например, RUB).
error-currency_not_enabled = В этом рабочем пространстве эта валюта не используется.
error-invalid_decimal = Это не число.
error-duplicate = Это значение уже есть у другой записи.
error-unknown_field = Это поле вам заполнять нельзя.
error-read_only = Ваша роль не позволяет это изменять.
error-forbidden = Ваша роль не позволяет это делать.
error-too_long = Слишком длинное значение.
error-out_of_range = Значение вне допустимого диапазона.
error-in_the_past = Выберите время в будущем.
list-filter-unread = Relata не может прочитать этот фильтр (символ { $column }): { $detail }

## Язык и часовой пояс

preferences-title = Язык и часовой пояс
preferences-intro = Страницы, даты и суммы будут показаны так, как вы выберете здесь.
preferences-language = Язык
preferences-language-auto = Как в браузере (сейчас: { $language })
preferences-time-zone = Часовой пояс
preferences-time-zone-auto = Пояс рабочего пространства ({ $zone })
preferences-example = Пример: { $moment } · { $amount }
preferences-save = Сохранить
preferences-saved = Сохранено.
preferences-bad-language = Relata не переведена на этот язык; выберите язык из списка.
preferences-bad-time-zone = Это не часовой пояс; выберите его из списка (например, Europe/Moscow).

## Время относительно текущего момента

relative-now = только что
relative-minutes-ago = { $count ->
    [one] { $count } минуту назад
    [few] { $count } минуты назад
   *[other] { $count } минут назад
}
relative-minutes-ahead = { $count ->
    [one] через { $count } минуту
    [few] через { $count } минуты
   *[other] через { $count } минут
}
relative-hours-ago = { $count ->
    [one] { $count } час назад
    [few] { $count } часа назад
   *[other] { $count } часов назад
}
relative-hours-ahead = { $count ->
    [one] через { $count } час
    [few] через { $count } часа
   *[other] через { $count } часов
}
relative-days-ago = { $count ->
    [1] вчера
    [one] { $count } день назад
    [few] { $count } дня назад
   *[other] { $count } дней назад
}
relative-days-ahead = { $count ->
    [1] завтра
    [one] через { $count } день
    [few] через { $count } дня
   *[other] через { $count } дней
}

## Суммы, вводимые в формах

amount-not-a-number = Введите сумму цифрами, например 1 234,50.
amount-too-precise = { $count ->
    [0] У этой валюты нет дробной части.
    [one] У этой валюты только { $count } знак после запятой.
    [few] У этой валюты только { $count } знака после запятой.
   *[other] У этой валюты только { $count } знаков после запятой.
}
amount-ambiguous = «{ $grouped }» или «{ $decimal }»? Введите сумму без точки или с десятичной запятой.
amount-too-large = Слишком большая сумма.

## Этапы воронки продаж по умолчанию

stage-qualification = Квалификация
stage-needs_analysis = Анализ потребностей
stage-proposal = Предложение
stage-negotiation = Переговоры
stage-won = Выиграна
stage-lost = Проиграна

## Главная страница по роли: команда руководителя, план менеджера, виджеты

entity-quotas = Планы продаж
entity-one-quotas = план продаж
home-my-team = Моя команда
home-my-work = Моя работа
home-team-pipeline = Воронка команды по этапам и ответственным
home-total = Итого
home-nobody = Никто
home-win-rate = Конверсия в выигрыш в этом квартале
home-win-rate-value = { $percent } (выиграно: { $won }, проиграно: { $lost })
home-win-rate-none = В этом квартале ещё не закрыта ни одна сделка.
home-quotas = Прогноз относительно плана
home-quota-target = План
home-quota-won = Выиграно
home-quota-forecast = Прогноз
home-no-quotas = Ни один план не охватывает сегодняшний день. Руководители задают их в разделе «Планы продаж».
home-my-quota = Мой план
home-activities-week = Действия на этой неделе
home-no-activities = На этой неделе действий не зарегистрировано.
home-stale = Сделки без действий 30 дней
home-my-stale = Мои сделки без действий 30 дней
home-no-stale = Зависших сделок нет.
home-last-change = последнее изменение
home-widgets = Мои виджеты
home-widget-gone = Сохранённое представление этого виджета больше не существует.
home-widget-remove = Удалить
home-widget-add-hint = Добавьте показатели из сохранённого представления: откройте список, выберите «Добавить на главную» и укажите представление.
home-widget-refused = Виджет не добавлен
home-widget-empty = Записей нет.
home-no-value = (нет)
home-widget-records = { $count ->
    [one] { $count } запись
    [few] { $count } записи
   *[other] { $count } записей
}
list-add-to-home = Добавить на главную
list-widget-view = Сохранённое представление
list-widget-figure = Показать
list-widget-count = Число записей
list-widget-sum = Сумма: { $field }
list-widget-chart = Диаграмма по полю: { $field }
list-widget-add = Добавить

## Календари: день, неделя и месяц, подбор времени, напоминания

nav-calendar = Календарь
calendar-title = Календарь
calendar-day = День
calendar-week = Неделя
calendar-month = Месяц
calendar-previous = Назад
calendar-next = Вперёд
calendar-today = Сегодня
calendar-mine = Мой
calendar-team = Моя команда
calendar-find-time = Подобрать время
calendar-reschedule = Перенести
calendar-starts = Начало
calendar-ends = Конец
calendar-save = Сохранить
calendar-saving = Сохранение…
calendar-nothing = Ничего не запланировано.
calendar-not-saved = Не сохранено
calendar-conflict = Кто-то уже изменил это действие: откройте календарь заново, чтобы увидеть актуальное состояние.
calendar-bad-times = Укажите начало и конец как дату и время.
calendar-end-before-start = Конец должен быть позже начала.
calendar-times-in = Время в поясе { $zone }
find-time-title = Подобрать время
find-time-who = Кто
find-time-length = Длительность (минуты)
find-time-search = Найти
find-time-proposal = Предлагаемое время: { $when }
find-time-none = В ближайшие пять рабочих дней нет общего свободного времени.
find-time-busy = Занятое время
find-time-free = Свободен
find-time-create = Создать встречу
reminder-title = Напоминание: { $subject }, { $when }
reminder-at = { $at }
notify-webhook-paused = Вебхук на { $url } приостановлен
notify-webhook-paused-reason = Приостановлен после неудачных попыток ({ $attempts }) доставить событие { $event }: { $error }
notify-automation-rule = Правило автоматизации: { $rule }
notify-sla-warning = Предупреждение SLA: { $case }
notify-sla-due = Срок: { $at }
notify-sla-breached = Нарушен срок SLA: { $case }
notify-sla-escalated = Приоритет повышен до: { $priority }
notify-case-assigned = Вам назначено обращение: { $case }

## Действия на страницах записей, виды событий хронологии, названия типов в единственном числе

action-download-letters = Скачать письма (PDF)
action-mark-posted = Отметить как отправленную
action-dry-run = Пробный запуск
action-runs = Запуски
action-automation-runs = Запуски автоматизации
action-write-email = Написать письмо
action-download-pdf = Скачать PDF
action-revise = Создать новую версию
action-create-invoice = Выставить счёт
action-download-ubl = Скачать UBL
action-record-payment = Зарегистрировать платёж
action-credit-note = Кредит-нота
action-configure = Настроить
action-reply-customer = Ответить клиенту
action-internal-note = Добавить внутреннюю заметку
action-release = Перенести в обращение
action-discard = Отклонить
action-pause = Приостановить
action-resume = Возобновить
action-mark-sent = Отметить как отправленное
action-accept = Принять
action-reject = Отклонить
action-confirm = Подтвердить
action-issue = Выставить
timeline-stage_change = Смены этапа
timeline-one-stage_change = смена этапа
timeline-shared_email = Общие письма
timeline-one-shared_email = общее письмо
entity-one-pipelines = воронка продаж
entity-one-phone_calls = телефонный звонок
entity-one-call_lists = список обзвона
entity-one-emails = письмо
entity-one-messages = сообщение
entity-one-option_groups = группа опций
entity-one-price_books = прайс-лист
entity-one-document_templates = шаблон документа
entity-one-call_queue_entries = звонок к выполнению
entity-one-message_templates = шаблон сообщения
entity-one-print_batches = пакет печати
entity-one-automation_rules = правило автоматизации
entity-one-automation_runs = запуск автоматизации
entity-one-case_comments = комментарий к обращению
entity-one-service_teams = команда поддержки
entity-one-service_calendars = рабочие часы
entity-one-sla_policies = политика SLA
entity-one-routing_rules = правило распределения
entity-one-service_contracts = договор или гарантия
entity-one-kb_articles = статья базы знаний
entity-one-held_messages = задержанное сообщение
not-done = Не выполнено
page-failed = Что-то пошло не так
page-failed-text = На сервере что-то пошло не так; ошибка записана в журнал для администратора. Повторите попытку позже.
page-busy-text = База данных занята другой работой; ничего не изменено. Повторите попытку через минуту.
page-out-of-space-text = Relata сейчас не может сохранять изменения: хранилище заполнено или доступно только для чтения. Ничего не изменено; просмотр работает.
page-changed-since-text = За это время запись изменил кто-то другой; ничего не сохранено. Откройте её заново, чтобы увидеть изменения.
bulk-select-first = Сначала отметьте от 1 до 500 записей.
bulk-choose-action = Выберите действие (а для назначения — и ответственного).
bulk-partly-done = Выполнено частично
bulk-partly-done-text = Выполнено: { $done }; не выполнено: { $refused }: { $reasons }
view-not-saved = Представление не сохранено
board-no-pipeline = Нет воронки продаж
board-no-pipeline-text = В этом рабочем пространстве ещё нет воронки продаж.
board-no-such-deal = Такой сделки нет.
board-stage-not-allowed = Ваша роль не позволяет менять этапы.
board-changed-meanwhile = Пока вы смотрели, кто-то изменил эту сделку. Вернитесь и обновите доску.
board-choose-team = Выберите команду, в которой есть участники.
board-choose-owner = Выберите ответственного из списка.
board-not-a-month = «{ $month }» — это не месяц вида 2026-12.
form-someone = кто-то
form-changed-by = Пока вы редактировали запись, её изменил(а) { $by } ({ $time }). Ваши изменения сохранены ниже; загрузите запись заново, чтобы увидеть чужие изменения, и внесите свои ещё раз.
form-changed = Запись была изменена, пока вы её редактировали.
board-not-moved = Не перемещено
changed-meanwhile = Изменено за это время
record-changed-meanwhile = Пока вы смотрели, кто-то изменил эту запись. Обновите страницу и попробуйте снова.
form-expired = Срок действия формы истёк
form-expired-text = Вернитесь, обновите страницу и попробуйте снова.
