### What the domain modules' rules refuse, said next to the field refused.
### The API gives the English text as the problem's `message`: keep these
### lower-case phrases, as the API's other messages are. Arguments named
### `status`, `was` and `asked` are choice labels ("Paid"), already in the
### reader's language.

## Quotes

refuse-quote-created = офертата се създава като чернова или направо като изпратена
refuse-quote-settled = офертата е в статус „{ $status }“; за да я промените, създайте нова версия
refuse-quote-settled-already = офертата вече е в статус „{ $status }“
refuse-quote-expired = срокът на валидност на офертата е изтекъл; за да я приемете, създайте нова версия
refuse-quote-other-account = тази сделка принадлежи на друга фирма
refuse-quote-no-lines = може да се приеме само оферта с поне един ред

## Invoices and credit notes

refuse-invoice-created = фактурата се създава като чернова и след това се издава
refuse-invoice-issued = издадена фактура не се променя; коригирайте я с кредитно известие
refuse-invoice-transition = фактурата не може да премине от статус „{ $was }“ в статус „{ $asked }“: платена става чрез плащанията, просрочена – с изтичането на срока, а анулира се само фактура, по която нищо не е платено или кредитирано
refuse-invoice-no-lines = може да се издаде само фактура с поне един ред
refuse-invoice-delete-issued = издадена фактура не се изтрива; анулирайте я или я коригирайте с кредитно известие
refuse-invoice-overpaid = плащанията биха надхвърлили общата сума на фактурата
refuse-credit-note-corrects = кредитното известие трябва да посочва фактурата, която коригира
refuse-credit-note-of-credit-note = кредитното известие коригира фактура, а не друго кредитно известие
refuse-credit-note-other-account = коригираната фактура принадлежи на друга фирма
refuse-credit-note-not-issued = може да се коригира само издадена фактура
refuse-credit-note-only = фактура се коригира само с кредитно известие
refuse-credit-over-invoice = сборът на кредитните известия надхвърля сумата на коригираната фактура
refuse-billing-currency = тази фирма се фактурира във валута { $currency }; нейните фактури и плащания също трябва да са в { $currency }

## Payments

refuse-not-positive = стойността трябва да е по-голяма от 0
refuse-payment-account = плащане, разпределено по фактури, остава към фирмата на тези фактури
refuse-refund-allocated = възстановяването връща наличния кредит на клиента и не се разпределя по фактури
refuse-payment-invoice-twice = една и съща фактура е посочена два пъти в разпределението
# $number: the invoice's number, or refuse-a-draft's words for one without.
refuse-a-draft = без номер (чернова)
refuse-payment-other-account = фактура { $number } принадлежи на друга фирма
refuse-payment-credit-note = документ { $number } е кредитно известие, а не фактура за плащане
refuse-payment-not-payable = фактура { $number } е в статус „{ $status }“ и не може да бъде платена
refuse-payment-currency = фактура { $number } е във валута { $currency }
refuse-payment-over-balance = повече от остатъка за плащане по фактура { $number } ({ $balance })
refuse-payment-over-amount = разпределени са общо { $allocated }, повече от сумата на плащането ({ $amount })
refuse-refund-over-credit = фирмата има само { $credit } наличен кредит за възстановяване

## Price books and documents' lines

refuse-ends-before-start = краят е преди началото
refuse-price-book-twice = този продукт вече има цена от това количество в ценовата листа
refuse-price-negative = цената не може да е отрицателна
refuse-price-book-overlap = застъпва се с ценова листа „{ $name }“ за същите клиенти във валута { $currency }; едната трябва да приключва, преди да започне другата
refuse-unknown-currency = „{ $code }“ не е валута на това работно пространство
refuse-product-inactive = този продукт вече не се продава
refuse-whole-units = този продукт се продава само в цели единици ({ $unit }); { $quantity } не е цяло число
refuse-tax-rate-required = задължително поле (продуктът не задава ставка)
refuse-percentage = процент от 0 до 100
refuse-not-configurable = този продукт няма опции
refuse-price-currency = цената е във валута { $given }, а документът – в { $currency }
refuse-no-price = никоя ценова листа във валута { $currency } не съдържа цена на този продукт за { $day }; въведете единична цена
refuse-price-required = задължително поле за ред без продукт
refuse-price-override = цената по ценовата листа е { $list }; на друга цена може да продава само този, който поддържа ценовите листи
refuse-lines-too-large = сборът на редовете е твърде голям
refuse-option-code = код без интервали, запетаи, + и *
refuse-option-twice = продуктът вече има опция { $code }
refuse-below-minimum = стойността е под минимума
refuse-logo-too-large = размерът на файла в байтове не може да надвишава { $bytes }
refuse-logo-not-jpeg = изисква се JPEG файл в base64 (може и като URL data:image/jpeg;base64,)

## Opportunities and quotas

refuse-no-such-pipeline = няма такава фуния на продажбите
refuse-no-pipeline = това работно пространство още няма фуния на продажбите; първо създайте такава
refuse-not-a-stage = „{ $stage }“ не е етап от фуния „{ $pipeline }“ (етапи: { $stages })
refuse-no-open-stage = фунията няма нито един отворен етап
refuse-stage-in-use = в етап „{ $stage }“ все още има сделки; преместете ги, преди да премахнете етапа
refuse-lead-converted = този потенциален клиент вече е конвертиран
refuse-period-before-start = периодът приключва, преди да е започнал

## Service

refuse-case-resolution = опишете как е решено запитването
refuse-no-such-case = няма такова запитване
refuse-template-not-reply = от шаблон може да се напише само отговор до клиента
refuse-comment-body = въведете текста на коментара (или, ако е отговор, изберете шаблон)
refuse-reply-no-recipient = запитването няма контакт или заявител с имейл адрес, на който да се отговори; добавете такъв или напишете бележка
refuse-publish-role = статиите се публикуват от мениджър или администратор; поискайте преглед
refuse-archived-to-review = архивираната статия първо трябва да се върне в чернова
refuse-feedback-unpublished = обратна връзка се приема само за публикувани статии
refuse-holiday-date = посочете датата на почивния ден
refuse-time-of-day = час във вида 09:00 или 17:30
refuse-hours-time = за работното време е нужен час
refuse-hours-overlap = застъпва се с друг период от същия ден
refuse-calendar-zone = „{ $zone }“ не е часова зона (напр. Europe/Sofia)

## Calls

refuse-call-party = обаждането трябва да е свързано с контакт или фирма; посочете едно от двете
refuse-list-skill = умението, което изискват обажданията от списъка – нужно е за разпределяне по умения

## Message templates

refuse-template-key = малки латински букви a–z, цифри и _ (напр. dunning_reminder)
refuse-unknown-entity = „{ $name }“ не е тип записи
refuse-template-subject = имейлите и писмата трябва да имат тема
refuse-template-syntax = Relata не може да прочете този шаблон: { $detail }
refuse-merge-field = това не е поле за сливане на този шаблон: { $detail }
refuse-template-twice = шаблонът „{ $key }“ вече съществува (канал: { $channel }, език: { $language })

## Saved views and home widgets

refuse-view-name = име с дължина от 1 до 100 знака
refuse-view-query = най-много 4000 знака
refuse-view-unknown = няма такъв запазен изглед – нито ваш, нито на екипа ви
refuse-view-searches = джаджата брои записите по филтъра на изгледа, а този изглед използва търсене
refuse-widget-figure = count, sum:<поле за сума> или chart:<поле>
refuse-widget-money = „{ $field }“ не е видимо за вас поле за сума
refuse-widget-chart = „{ $field }“ не е видимо за вас поле, по което диаграмата може да групира данните
refuse-widget-many = броят на джаджите в началната страница не може да надвишава { $max }

## Automation rules
# $type: a type's singular name; $detail: the reading's own words (a
# filter's, a schedule's, an address's), which stay as they are.

refuse-rule-entity = това не е тип записи; възможни стойности: { $types }
refuse-rule-watch-field = записите от тип „{ $type }“ нямат поле „{ $field }“
refuse-rule-not-a-date = това не е поле за дата на записите от тип „{ $type }“
refuse-rule-date-field = посочете поле за дата на записите от тип „{ $type }“
refuse-rule-no-steps = активното правило трябва да има поне една стъпка
refuse-rule-no-such-field = записите от тип „{ $type }“ нямат такова поле
refuse-rule-maintained = стойността на това поле се задава автоматично от Relata
refuse-rule-triggers-itself = правилото реагира на промени в поле „{ $field }“ и само би го променяло; посочете полетата за наблюдение без него или добавете условия
refuse-rule-subject = посочете темата на задачата, съобщението или обаждането
refuse-rule-priority = приоритет на обаждането от 0 до 100
refuse-rule-url = Relata не може да извика този адрес: { $detail }
refuse-rule-wait = посочете колко да се изчака (в дни или часове)
refuse-rule-condition = посочете условието за разклонението
refuse-rule-branch = „stop“ или номер на някоя от следващите стъпки (от { $first } до { $last })
refuse-rule-template = посочете ключа на шаблон за канал „{ $channel }“
refuse-rule-no-template = няма шаблон за канал „{ $channel }“ с ключ „{ $key }“
refuse-rule-wrong-template = шаблонът е за записи от тип „{ $about }“, а правилото – за записи от тип „{ $type }“
refuse-rule-assignee = не може да се възложи: { $detail }
refuse-filter = Relata не разпознава това условие: { $detail }
refuse-filter-before = before.<поле> е стойността на полето преди промяната: може да се използва само в условията на правила, които се задействат при обновяване на записа
refuse-time-zone = това не е часова зона: { $detail }
refuse-cron-required = посочете във формат cron кога се изпълнява правилото (0 0 8 * * Mon)
refuse-cron = Relata не разпознава този график: { $detail }

## Any record

# $what: a type's singular name, or refuse-member's words.
refuse-no-such = { $what } с ID { $id } не съществува
refuse-member = потребител в това работно пространство
refuse-no-such-line-record = запис с ID { $id } не съществува
refuse-already-used = друг запис от тип „{ $what }“ вече има стойност { $value }
refuse-used = тази стойност вече се използва
refuse-no-lines = този тип записи няма редове
refuse-hidden-field = не е поле от този тип записи
refuse-read-only = вашата роля позволява само преглед на това поле
refuse-owner = вашата роля не позволява да възлагате записи на този отговорник

## Actions the current state refuses (the API answers 409)
# $state: a job's state as the API names it (queued, running, dead…);
# $object: a custom object's API name; $fields: field names, as the API
# writes them.

refuse-order-cancelled-invoice = за анулирана поръчка не се издава фактура
refuse-invoice-draft-printed = черновата на фактурата още няма номер: първо я издайте
refuse-job-retry = задачата е в състояние „{ $state }“; повтарят се само неуспешни (dead) или отменени (cancelled) задачи
refuse-job-cancel = задачата е в състояние „{ $state }“; отменят се само задачи, чакащи на опашка (queued)
refuse-call-logged = този разговор вече е регистриран
refuse-call-not-open = този разговор вече не е отворен
refuse-do-not-call = собственикът на номер { $number } е поискал да не му се звъни (забрана за обаждания)
refuse-no-extension = нямате вътрешен номер, от който да звъните (настройки на телефонията)
refuse-objects-many = работното пространство може да има най-много { $max } потребителски обекта
refuse-object-targeted = към обекта { $object } сочат полета за връзка: { $fields }; първо ги премахнете
refuse-object-has-records = обектът { $object } има { $count ->
    [one] { $count } запис; първо го преместете
   *[other] { $count } записа; първо ги преместете
} в кошчето (записите в кошчето се изтриват заедно с обекта)
refuse-totp-enabled = вторият фактор за вход вече е включен; първо го изключете
refuse-totp-not-started = започнете с POST /api/v1/auth/totp/setup
refuse-sync-cursor-old = този курсор е по-стар от вече използван от устройството: синхронизирайте отначало (без курсор)
refuse-sync-busy = вече тече друга синхронизация на това устройство; опитайте отново
refuse-admin-role-fixed = ролята на администратора винаги има всички права и не може да се променя
refuse-role-held = ролята „{ $role }“ е дадена на членове; първо им дайте друга роля
refuse-member-already = { $email } вече е член на това работно пространство
refuse-last-admin = работното пространство трябва да има поне един активен администратор
refuse-desk-smtp = пощата на този отдел се доставя до SMTP адреса на Relata: няма какво да се чете
refuse-message-settled = това съобщение вече е пропуснато или отхвърлено

## What who acts may not do (the API answers 403)

refuse-no-membership = този акаунт не е активен член на това работно пространство; обърнете се към администратора му
refuse-forecast-amounts = ролята ви не позволява да виждате сумите на сделките, от които се сбира прогнозата
refuse-printed-amounts = ролята ви не позволява да виждате сумите на документа, които печатната форма показва
refuse-people-only = това може да направи само влязъл в системата човек, не API токен
refuse-sync-policy-admin = само администраторите определят как се решават конфликтите при синхронизация
