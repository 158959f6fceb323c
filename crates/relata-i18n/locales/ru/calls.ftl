# Call center pages (waiting calls, the next call, a call's page, the dashboard).

## Page titles
calls-next-title = Следующий звонок
calls-waiting-title = Ожидающие звонки
calls-dashboard-title = Колл-центр
calls-call-title = Звонок: { $who }

## The next call and the progressive dialler
calls-dialler-on = Прогрессивный автодозвон включён: следующий номер набирается, как только вы освободитесь.
calls-dialler-turn-off = Выключить
calls-dialler-turn-on = Включить прогрессивный автодозвон
calls-on-a-call = Идёт разговор:
calls-dialler-waits = Автодозвон подождёт, пока разговор не закончится.
calls-phone = Телефон
calls-call-number = Позвонить на { $number }
calls-no-number = номера нет
calls-dialled = Набранный звонок
calls-talked-for = разговор { $duration }
calls-priority = Приоритет
calls-attempts = Попытки
calls-attempts-last = { $attempts } (последняя: { $outcome })
calls-lately = Последние события
calls-dialler-countdown = Автодозвон наберёт { $number } через { $seconds } с.
calls-dialler-countdown-customer = Автодозвон позвонит клиенту через { $seconds } с.
calls-dial-now = Набрать сейчас
calls-pause-dialler = Приостановить автодозвон
calls-dial-from-extension = Позвонить с моего внутреннего номера
calls-none-due = Сейчас звонить некому. Отличная работа!
calls-log-and-go-on = Сохранить звонок и продолжить

## Logging a call
calls-outcome = Результат
calls-notes = Заметки
calls-call-back-at = Перезвонить в (UTC, для результата «Перезвонить»)
calls-follow-up-task = Последующая задача
calls-task-due = Срок задачи (UTC)
calls-error-not-a-time = { $field }: «{ $text }» — это не дата и время
calls-error-field-follow-up-due = срок задачи
calls-error-field-call-back-at = время обратного звонка
calls-error-follow-up-due-missing = срок задачи: укажите, к какому сроку выполнить задачу
calls-error-follow-up-subject-missing = последующая задача: укажите, что нужно сделать

## A call's page
calls-on-the-line = На линии
calls-number = Номер
calls-number-not-shown = скрыт
calls-number-withheld = Номер скрыт
calls-status = Статус
calls-talked = Длительность разговора
calls-talked-duration = { $minutes } мин { $seconds } с
calls-fact-contact = Контакт
calls-fact-lead = Лид
calls-fact-account = Компания
calls-fact-value = Ценность клиента
calls-value-priority = { $tier } (приоритет { $priority })
calls-fact-open-cases = Открытые обращения
calls-fact-overdue-invoices = Просроченные счета
calls-fact-open-opportunities = Открытые сделки
calls-fact-unknown-number = Неизвестный номер
calls-new-contact = Создать контакт
calls-call-record = Карточка звонка
calls-log-call = Сохранить звонок
calls-logged = Сохранено:
calls-logged-link = звонок в ленте событий клиента
calls-order-title = Оформить заказ
calls-order-taken = Заказ оформлен:
calls-order-open = открыть заказ
calls-product = Товар
calls-quantity = Количество
calls-product-row = Товар { $row }
calls-quantity-row = Количество { $row }
calls-order-notes = Комментарий к заказу
calls-take-order = Оформить заказ
calls-prices-note = Цены берутся из прайс-листов, как и для любого заказа.
calls-order-needs-account = Для заказа нужна компания звонящего.
calls-order-needs-account-hint = Для заказа нужна компания звонящего: откройте карточку звонящего и укажите компанию.
calls-dial-number = Позвонить на { $number }

## Waiting calls
calls-queue-heading = { $queue } ({ $count })
calls-no-queue = Без очереди
calls-caller = Звонящий
calls-value = Ценность клиента
calls-ringing-since = Начало вызова
calls-unknown-caller = неизвестный абонент
calls-no-one-waiting = Никто не ждёт ответа.

## The dashboard
calls-download-report = Скачать отчёт (XLSX)
calls-inbound = Входящие звонки
calls-answered = Принятые
calls-abandoned = Брошенные
calls-outbound = Исходящие звонки
calls-first-call-resolution = Решено с первого звонка
calls-count-share = { $count } ({ $share })
calls-chart-per-agent = Звонки по операторам
calls-chart-per-hour = Звонки по часам (UTC)
calls-chart-wait-by-tier = Среднее время ожидания по ценности клиента
calls-chart-list-penetration = Списки обзвона: охват
calls-seconds = { $seconds } с

## Тексты, которые пишет скрипт страницы (поиск, доска, окно звонка)
script-untitled = (без названия)
script-saving = Сохранение…
script-saved = Сохранено.
script-not-moved = Не перемещено:
script-calling = Исходящий звонок:
script-incoming = Входящий звонок:
script-call-ended = Звонок завершён:
script-number-withheld = номер скрыт
script-unknown-caller = неизвестный абонент
script-value-of = %tier% (приоритет %priority%)
script-open-cases = Открытые обращения
script-overdue-invoices = Просроченные счета
script-open-opportunities = Открытые сделки
script-open = Открыть
script-new-contact = Новый контакт
script-log-call = Записать звонок
script-close = Закрыть
script-pick-date = Выберите дату
script-previous-month = Предыдущий месяц
script-next-month = Следующий месяц
