# Интерфейсът на Relata на български език.

## Рамката на всяка страница

skip-to-content = Към съдържанието
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
