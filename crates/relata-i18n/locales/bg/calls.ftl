# Call center pages (waiting calls, the next call, a call's page, the dashboard).

## Page titles
calls-next-title = Следващо обаждане
calls-waiting-title = Чакащи обаждания
calls-dashboard-title = Кол център
calls-call-title = Обаждане: { $who }

## The next call and the progressive dialler
calls-dialler-on = Прогресивното автоматично набиране е включено: следващият номер се набира веднага щом се освободите.
calls-dialler-turn-off = Изключи
calls-dialler-turn-on = Включи прогресивното автоматично набиране
calls-on-a-call = В разговор:
calls-dialler-waits = Автоматичното набиране изчаква разговорът да приключи.
calls-phone = Телефон
calls-call-number = Обади се на { $number }
calls-no-number = няма номер
calls-dialled = Набрано обаждане
calls-talked-for = разговор { $duration }
calls-priority = Приоритет
calls-attempts = Опити
calls-attempts-last = { $attempts } (последен: { $outcome })
calls-lately = Последни събития
calls-dialler-countdown = Системата ще набере { $number } след { $seconds } сек.
calls-dialler-countdown-customer = Системата ще набере клиента след { $seconds } сек.
calls-dial-now = Набери сега
calls-pause-dialler = Пауза на автоматичното набиране
calls-dial-from-extension = Набери от моя вътрешен номер
calls-none-due = В момента няма планирани обаждания. Браво!
calls-log-and-go-on = Запиши обаждането и продължи

## Logging a call
calls-outcome = Резултат
calls-notes = Бележки
calls-call-back-at = Обратно обаждане в (UTC, при резултат „Обратно обаждане“)
calls-follow-up-task = Последваща задача
calls-task-due = Срок на задачата (UTC)
calls-error-not-a-time = { $field }: „{ $text }“ не е дата и час
calls-error-field-follow-up-due = срок на задачата
calls-error-field-call-back-at = час за обратно обаждане
calls-error-follow-up-due-missing = срок на задачата: посочете до кога трябва да се изпълни задачата
calls-error-follow-up-subject-missing = последваща задача: посочете какво трябва да се направи

## A call's page
calls-on-the-line = На линията
calls-number = Номер
calls-number-not-shown = скрит
calls-number-withheld = Скрит номер
calls-status = Статус
calls-talked = Продължителност на разговора
calls-talked-duration = { $minutes } мин { $seconds } сек
calls-fact-contact = Контакт
calls-fact-lead = Потенциален клиент
calls-fact-account = Фирма
calls-fact-value = Стойност на клиента
calls-value-priority = { $tier } (приоритет { $priority })
calls-fact-open-cases = Отворени запитвания
calls-fact-overdue-invoices = Просрочени фактури
calls-fact-open-opportunities = Отворени сделки
calls-fact-unknown-number = Непознат номер
calls-new-contact = Нов контакт
calls-call-record = Запис на обаждането
calls-log-call = Запиши обаждането
calls-logged = Записано:
calls-logged-link = обаждането в хронологията на клиента
calls-order-title = Приемане на поръчка
calls-order-taken = Поръчката е приета:
calls-order-open = отвори поръчката
calls-product = Продукт
calls-quantity = Количество
calls-product-row = Продукт { $row }
calls-quantity-row = Количество { $row }
calls-order-notes = Бележки към поръчката
calls-take-order = Приеми поръчката
calls-prices-note = Цените идват от ценовите листи, както при всяка поръчка.
calls-order-needs-account = За поръчка е нужна фирмата на обаждащия се.
calls-order-needs-account-hint = За поръчка е нужна фирмата на обаждащия се: отворете записа му и му задайте фирма.
calls-dial-number = Набери { $number }

## Waiting calls
calls-queue-heading = { $queue } ({ $count })
calls-no-queue = Без опашка
calls-caller = Обаждащ се
calls-value = Стойност на клиента
calls-ringing-since = Начало на звъненето
calls-unknown-caller = непознат абонат
calls-no-one-waiting = Никой не чака.

## The dashboard
calls-download-report = Изтегли отчета (XLSX)
calls-inbound = Входящи обаждания
calls-answered = Отговорени
calls-abandoned = Изоставени
calls-outbound = Изходящи обаждания
calls-first-call-resolution = Решени при първо обаждане
calls-count-share = { $count } ({ $share })
calls-chart-per-agent = Обаждания по агент
calls-chart-per-hour = Обаждания по час (UTC)
calls-chart-wait-by-tier = Средно време на изчакване по стойност на клиента
calls-chart-list-penetration = Списъци за обаждане: обхват
calls-seconds = { $seconds } сек

## Текстовете, които скриптът на страницата пише (търсене, табло, прозорец за обаждане)
script-untitled = (без име)
script-saving = Запазване…
script-saved = Запазено.
script-not-moved = Не е преместено:
script-calling = Изходящо обаждане:
script-incoming = Входящо обаждане:
script-call-ended = Обаждането приключи:
script-number-withheld = скрит номер
script-unknown-caller = непознат абонат
script-value-of = %tier% (приоритет %priority%)
script-open-cases = Отворени казуси
script-overdue-invoices = Просрочени фактури
script-open-opportunities = Отворени сделки
script-open = Отвори
script-new-contact = Нов контакт
script-log-call = Запиши обаждането
script-close = Затвори
script-pick-date = Изберете дата
script-previous-month = Предишен месец
script-next-month = Следващ месец
