# Other domain pages (service, conversion, product configuration, rule dry runs, channel settings, connect, notifications, sign-in).

## Табло на обслужването

service-download-report = Изтегли отчета (XLSX)
service-worked-cases = Запитвания в работа по срок
service-held-mail = Задържана поща ({ $count })
service-open-cases = Отворени запитвания
service-resolved = Решени (30 дни)
service-sla = Спазване на SLA
service-sla-value = { $percent } (нарушения: { $breached })
service-first-response = Първи отговор
service-resolution = Решаване
service-times = медиана { $median }, 90 % в рамките на { $p90 }
service-minutes = { $minutes } мин.
service-hours = { $hours } ч
service-days = { $days } дни
service-age-under-a-day = под един ден
service-age-1-to-3-days = 1–3 дни
service-age-3-to-7-days = 3–7 дни
service-age-7-to-30-days = 7–30 дни
service-age-over-30-days = над 30 дни
service-chart-age = Отворени запитвания по давност
service-chart-team = Отворени запитвания по екипи
service-chart-priority = Отворени запитвания по приоритет
service-chart-backlog = Натрупани запитвания през последните 14 дни
service-chart-backlog-label = Натрупани запитвания по дни
service-chart-categories = Най-чести категории
service-chart-root-causes = Най-чести първопричини

## Преобразуване на потенциален клиент

convert-title = Преобразуване на потенциален клиент
convert-heading = Преобразуване: { $title }
convert-intro = Създава от потенциалния клиент контакт с фирма (нова – по фирмата, посочена в записа, – или избрана от вас) и при желание сделка – всичко наведнъж.
convert-account = ID на съществуваща фирма (оставете празно, за да се създаде „{ $company }“)
convert-create-opportunity = Създай сделка
convert-opportunity-name = Име на сделката
convert-opportunity-default = { $company } – сделка
convert-amount = Сума (напр. 1200,00 EUR)
convert-needs-attention = Някои полета трябва да се поправят.

## Конфигуриране на продукт

configure-title = Конфигуриране: { $product }
configure-valid = Тази конфигурация е валидна.
configure-broken = Тази конфигурация нарушава следните правила:
configure-new-quote = Нова оферта с тази конфигурация
configure-quantity = Количество
configure-no-groups = Този продукт все още няма групи опции.
configure-check = Провери и изчисли цената
configure-choose = изберете { $count }
configure-choose-between = изберете от { $min } до { $max }
configure-choose-at-least = изберете поне { $count }
configure-choose-at-most = изберете най-много { $count }
configure-requires = изисква: { $options }
configure-excludes = несъвместимо с: { $options }
configure-unit-price = Единична цена: { $price }
configure-options-price = от която за опции: { $price }
configure-no-price = няма цена в ценовата листа
configure-configuration = Конфигурация: { $options }
configure-no-options = без опции

## Пробно изпълнение на правило

dry-run-title = Пробно изпълнение: { $rule }
dry-run-back = Обратно към правилото
dry-run-found = Нищо не е изпълнено: ето върху какво би действало правилото сега. { $count ->
    [one] { $count } запис
   *[other] { $count } записа
}.
dry-run-found-first = Нищо не е изпълнено: ето върху какво би действало правилото сега. { $count ->
    [one] { $count } запис
   *[other] { $count } записа
}; по-долу са първите { $shown }.
dry-run-steps = Стъпки
rule-step-wait-until = изчакване до { $until } + { $days } дни
rule-step-wait = изчакване { $days } дни { $hours } ч.
rule-step-branch-stop = ако { $condition }, спиране
rule-step-branch = ако { $condition }, към стъпка { $step }
rule-step-set = задаване на { $field } = „{ $value }“
rule-step-send = { $action } с шаблон { $template }
rule-step-other = { $action }: { $subject }
dry-run-records = Записи
dry-run-to = до { $address }
dry-run-nothing = В момента правилото не би засегнало нито един запис.

## Настройки на каналите (администратори)

channels-email = Имейл (SMTP)
channels-sms = SMS шлюз
channels-save = Запази: { $channel }
channels-saved-email = Настройките за имейл са запазени.
channels-saved-sms = Настройките за SMS са запазени.
channels-secret-set = (зададено; оставете празно, за да остане същото)
channels-smtp-server = SMTP сървър
channels-port = Порт
channels-security = Защита на връзката
channels-security-none = без криптиране
channels-user-name = Потребителско име
channels-password = Парола
channels-from-address = Адрес на подателя
channels-from-name = Име на подателя
channels-reply-to = Адрес за отговор
channels-gateway-url = URL адрес на шлюза
channels-method = Метод
channels-body-format = Формат на тялото на заявката
channels-body-form = формуляр
channels-body = Тяло на заявката (с { "{{to}}" }, { "{{from}}" }, { "{{text}}" })
channels-sender = Подател
channels-credential-header = Заглавка за удостоверяване
channels-credential = Идентификационни данни
channels-success-contains = Успешният отговор съдържа

## Телефони и календари (CardDAV, CalDAV, пароли за приложения)

connect-intro = Контактите ви стават адресна книга, а срещите, обажданията и задачите – календар за приложенията на телефона и компютъра ви (CardDAV и CalDAV: iPhone, Android с DAVx⁵, Thunderbird, macOS). Добавете там профил със сървъра по-долу, имейла си като потребителско име и създадена тук парола за приложение като парола. Каквото промените там, се записва в Relata, все едно сте го променили тук.
connect-server = Сървър
connect-user-name = Потребителско име
connect-address-book = Адресна книга
connect-new-secret = Новата ви парола за приложение (показва се само сега):
connect-what-they-show = Какво показват
connect-contacts = Контакти (филтър на списък; <code>owner = me</code> са вашите)
connect-activities = Срещи, обаждания и задачи (филтър на списък)
connect-app-passwords = Пароли за приложения
connect-access = Достъп
connect-made = Създадена
connect-last-used = Последно използвана
connect-never = никога
connect-revoke = Отмени
connect-revoke-named = Отмени: { $name }
connect-device-name = Име (устройството)
connect-read-write = Четене и промяна
connect-read-only = Само четене
connect-make = Създай парола за приложение
connect-name-needed = посочете устройството, за което е тази парола

## Известия

notifications-title = Известия
notifications-mark-all-read = Маркирай всички като прочетени
notifications-mark-read = Маркирай като прочетено
notifications-nothing = Все още няма нищо.
notifications-older = По-стари

## Вход и покани (страници за невлезли потребители)

signin-title = Вход
signin-heading = Вход в Relata
signin-email = Имейл
signin-password = Парола
signin-code = Код от приложението за удостоверяване
signin-expired = Формулярът е изтекъл; моля, влезте отново.
signin-wrong-credentials = Грешен имейл адрес или парола.
signin-code-required = Този профил има втори фактор: въведете 6-цифрения код от приложението за удостоверяване.
signin-wrong-code = Кодът за втория фактор е грешен или е изтекъл.
signin-locked = Твърде много неуспешни опити за вход; опитайте отново след { $time } UTC.
signin-no-membership = Този профил няма активно членство в това работно пространство; обърнете се към неговия администратор.
signin-running = CRM системата работи.
signin-rest-api = REST API:
signin-api-reference = справочник
signin-openapi = документ OpenAPI 3.1
signin-join-title = Присъединяване към Relata
signin-your-name = Вашето име
signin-choose-password = Изберете парола (поне 10 знака)
signin-join = Присъедини се
signin-password-refused = Парола: { $reason }
signin-invitation-invalid = Поканата е непозната, вече е използвана или е изтекла.

## Страницата за отписване, която клиентът отваря от имейл или SMS

unsubscribe-title = Отписване
unsubscribe-invalid = Тази връзка е невалидна
unsubscribe-question-email = Да спрем ли да ви изпращаме имейли?
unsubscribe-question-sms = Да спрем ли да ви изпращаме SMS съобщения?
unsubscribe-button = Отписване
unsubscribed-title = Отписахте се
unsubscribed-text = Повече няма да ви пишем по този начин.
