# Other domain pages (service, conversion, product configuration, rule dry runs, channel settings, connect, notifications, sign-in).

## Сводка службы поддержки

service-download-report = Скачать отчёт (XLSX)
service-worked-cases = Обращения в работе по сроку
service-held-mail = Задержанная почта ({ $count })
service-open-cases = Открытые обращения
service-resolved = Решено (за 30 дней)
service-sla = Соблюдение SLA
service-sla-value = { $percent } (нарушений: { $breached })
service-first-response = Первый ответ
service-resolution = Решение
service-times = медиана { $median }, 90 % за { $p90 }
service-minutes = { $minutes } мин
service-hours = { $hours } ч
service-days = { $days } дн.
service-age-under-a-day = меньше суток
service-age-1-to-3-days = 1–3 дня
service-age-3-to-7-days = 3–7 дней
service-age-7-to-30-days = 7–30 дней
service-age-over-30-days = более 30 дней
service-chart-age = Открытые обращения по давности
service-chart-team = Открытые обращения по командам
service-chart-priority = Открытые обращения по приоритету
service-chart-backlog = Очередь обращений за последние 14 дней
service-chart-backlog-label = Очередь обращений по дням
service-chart-categories = Самые частые категории
service-chart-root-causes = Самые частые первопричины

## Конвертация лида

convert-title = Конвертация лида
convert-heading = Конвертация: { $title }
convert-intro = Создаёт из лида контакт с компанией (новой — по компании, указанной в лиде, — или выбранной вами) и, если нужно, сделку — всё за один раз.
convert-account = ID существующей компании (оставьте пустым, чтобы создать «{ $company }»)
convert-create-opportunity = Создать сделку
convert-opportunity-name = Название сделки
convert-opportunity-default = { $company } — сделка
convert-amount = Сумма (например, 1200,00 EUR)
convert-needs-attention = Некоторые поля нужно исправить.

## Конфигурация товара

configure-title = Конфигурация: { $product }
configure-valid = Эта конфигурация допустима.
configure-broken = Эта конфигурация нарушает следующие правила:
configure-new-quote = Новое коммерческое предложение с этой конфигурацией
configure-quantity = Количество
configure-no-groups = У этого товара пока нет групп опций.
configure-check = Проверить и рассчитать цену
configure-choose = выберите { $count }
configure-choose-between = выберите от { $min } до { $max }
configure-choose-at-least = выберите не менее { $count }
configure-choose-at-most = выберите не более { $count }
configure-requires = требует: { $options }
configure-excludes = несовместимо с: { $options }
configure-unit-price = Цена за единицу: { $price }
configure-options-price = в том числе опции: { $price }
configure-no-price = нет цены в прайс-листе
configure-configuration = Конфигурация: { $options }
configure-no-options = без опций

## Пробный запуск правила

dry-run-title = Пробный запуск: { $rule }
dry-run-back = Назад к правилу
dry-run-found = Ничего не выполнено: вот на что правило подействовало бы сейчас. { $count ->
    [one] { $count } запись
    [few] { $count } записи
    [many] { $count } записей
   *[other] { $count } записи
}.
dry-run-found-first = Ничего не выполнено: вот на что правило подействовало бы сейчас. { $count ->
    [one] { $count } запись
    [few] { $count } записи
    [many] { $count } записей
   *[other] { $count } записи
}; ниже первые { $shown }.
dry-run-steps = Шаги
rule-step-wait-until = ждать до { $until } + { $days } дн.
rule-step-wait = ждать { $days } дн. { $hours } ч
rule-step-branch-stop = если { $condition }, остановиться
rule-step-branch = если { $condition }, перейти к шагу { $step }
rule-step-set = установить { $field } = «{ $value }»
rule-step-send = { $action } по шаблону { $template }
rule-step-other = { $action }: { $subject }
dry-run-records = Записи
dry-run-to = кому: { $address }
dry-run-nothing = Сейчас правило не затронуло бы ни одной записи.

## Настройки каналов (администраторы)

channels-email = Электронная почта (SMTP)
channels-sms = SMS-шлюз
channels-save = Сохранить: { $channel }
channels-saved-email = Настройки электронной почты сохранены.
channels-saved-sms = Настройки SMS сохранены.
channels-secret-set = (задано; оставьте пустым, чтобы не менять)
channels-smtp-server = SMTP-сервер
channels-port = Порт
channels-security = Защита соединения
channels-security-none = без шифрования
channels-user-name = Имя пользователя
channels-password = Пароль
channels-from-address = Адрес отправителя
channels-from-name = Имя отправителя
channels-reply-to = Адрес для ответа
channels-gateway-url = URL шлюза
channels-method = Метод
channels-body-format = Формат тела запроса
channels-body-form = форма
channels-body = Тело запроса (с { "{{to}}" }, { "{{from}}" }, { "{{text}}" })
channels-sender = Отправитель
channels-credential-header = Заголовок аутентификации
channels-credential = Учётные данные
channels-success-contains = Успешный ответ содержит

## Телефоны и календари (CardDAV, CalDAV, пароли приложений)

connect-intro = Ваши контакты становятся адресной книгой, а встречи, звонки и задачи — календарём для приложений на телефоне и компьютере (CardDAV и CalDAV: iPhone, Android с DAVx⁵, Thunderbird, macOS). Добавьте там учётную запись с указанным ниже сервером, своим адресом электронной почты в качестве имени пользователя и созданным здесь паролем приложения в качестве пароля. Всё, что вы измените там, сохранится в Relata так же, как если бы вы изменили это здесь.
connect-server = Сервер
connect-user-name = Имя пользователя
connect-address-book = Адресная книга
connect-new-secret = Ваш новый пароль приложения (показывается только сейчас):
connect-what-they-show = Что в них видно
connect-contacts = Контакты (фильтр списка; <code>owner = me</code> — ваши)
connect-activities = Встречи, звонки и задачи (фильтр списка)
connect-app-passwords = Пароли приложений
connect-access = Доступ
connect-made = Создан
connect-last-used = Последнее использование
connect-never = никогда
connect-revoke = Отозвать
connect-revoke-named = Отозвать: { $name }
connect-device-name = Название (устройство)
connect-read-write = Чтение и изменение
connect-read-only = Только чтение
connect-make = Создать пароль приложения
connect-name-needed = укажите устройство, для которого этот пароль

## Уведомления

notifications-title = Уведомления
notifications-mark-all-read = Отметить все как прочитанные
notifications-mark-read = Отметить как прочитанное
notifications-nothing = Пока ничего нет.
notifications-older = Более ранние

## Вход и приглашения (страницы для тех, кто не вошёл)

signin-title = Войти
signin-heading = Вход в Relata
signin-email = Эл. почта
signin-password = Пароль
signin-code = Код из приложения-аутентификатора
signin-expired = Срок действия формы истёк; войдите снова.
signin-wrong-credentials = Неверный адрес электронной почты или пароль.
signin-code-required = Для этой учётной записи включён второй фактор: введите 6-значный код из приложения-аутентификатора.
signin-wrong-code = Код второго фактора неверен или устарел.
signin-locked = Слишком много неудачных попыток входа; повторите после { $time } UTC.
signin-no-membership = У этой учётной записи нет активного участия в этом рабочем пространстве; обратитесь к его администратору.
signin-running = CRM работает.
signin-rest-api = REST API:
signin-api-reference = справочник
signin-openapi = документ OpenAPI 3.1
signin-join-title = Присоединиться к Relata
signin-your-name = Ваше имя
signin-choose-password = Придумайте пароль (не менее 10 символов)
signin-join = Присоединиться
signin-password-refused = Пароль: { $reason }
signin-invitation-invalid = Приглашение неизвестно, уже использовано или истекло.

## Страница отписки, которую клиент открывает из письма или SMS

unsubscribe-title = Отписаться
unsubscribe-invalid = Эта ссылка недействительна
unsubscribe-question-email = Больше не получать от нас письма?
unsubscribe-question-sms = Больше не получать от нас SMS?
unsubscribe-button = Отписаться
unsubscribed-title = Вы отписались
unsubscribed-text = Мы больше не будем писать вам этим способом.
