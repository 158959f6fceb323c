### What the domain modules' rules refuse, said next to the field refused.
### The API gives the English text as the problem's `message`: keep these
### lower-case phrases, as the API's other messages are. Arguments named
### `status`, `was` and `asked` are choice labels ("Paid"), already in the
### reader's language.

## Quotes

refuse-quote-created = коммерческое предложение создаётся как черновик или сразу как отправленное
refuse-quote-settled = коммерческое предложение в статусе «{ $status }»; чтобы изменить его, создайте новую версию
refuse-quote-settled-already = коммерческое предложение уже в статусе «{ $status }»
refuse-quote-expired = срок действия коммерческого предложения истёк; чтобы принять его, создайте новую версию
refuse-quote-other-account = эта сделка относится к другой компании
refuse-quote-no-lines = принять можно только коммерческое предложение хотя бы с одной позицией

## Invoices and credit notes

refuse-invoice-created = счёт создаётся как черновик, а затем выставляется
refuse-invoice-issued = выставленный счёт не изменяется; скорректируйте его кредит-нотой
refuse-invoice-transition = счёт не может перейти из статуса «{ $was }» в статус «{ $asked }»: оплаченным его делают платежи, просроченным — истечение срока оплаты, а аннулировать можно только счёт, по которому ничего не оплачено и нет кредит-нот
refuse-invoice-no-lines = выставить можно только счёт хотя бы с одной позицией
refuse-invoice-delete-issued = выставленный счёт нельзя удалить; аннулируйте его или скорректируйте кредит-нотой
refuse-invoice-overpaid = сумма оплат превысила бы итоговую сумму счёта
refuse-credit-note-corrects = в кредит-ноте должен быть указан счёт, который она корректирует
refuse-credit-note-of-credit-note = кредит-нота корректирует счёт, а не другую кредит-ноту
refuse-credit-note-other-account = корректируемый счёт относится к другой компании
refuse-credit-note-not-issued = скорректировать можно только выставленный счёт
refuse-credit-note-only = корректировать счёт может только кредит-нота
refuse-credit-over-invoice = сумма кредит-нот по счёту превышает сумму самого счёта
refuse-billing-currency = расчёты с этой компанией ведутся в валюте { $currency }; её счета и платежи тоже должны быть в { $currency }

## Payments

refuse-not-positive = значение должно быть больше 0
refuse-payment-account = платёж, распределённый по счетам, остаётся за компанией этих счетов
refuse-refund-allocated = возвратом клиенту возвращается переплата; по счетам он не распределяется
refuse-payment-invoice-twice = один и тот же счёт указан в распределении дважды
# $number: the invoice's number, or refuse-a-draft's words for one without.
refuse-a-draft = без номера (черновик)
refuse-payment-other-account = счёт { $number } относится к другой компании
refuse-payment-credit-note = документ { $number } — это кредит-нота, а не счёт к оплате
refuse-payment-not-payable = счёт { $number } в статусе «{ $status }», его нельзя оплатить
refuse-payment-currency = счёт { $number } выставлен в валюте { $currency }
refuse-payment-over-balance = больше остатка к оплате по счёту { $number } ({ $balance })
refuse-payment-over-amount = всего распределено { $allocated }, это больше суммы платежа ({ $amount })
refuse-refund-over-credit = у компании всего { $credit } переплаты, которую можно вернуть

## Price books and documents' lines

refuse-ends-before-start = окончание раньше начала
refuse-price-book-twice = у этого товара в прайс-листе уже есть цена от этого количества
refuse-price-negative = цена не может быть отрицательной
refuse-price-book-overlap = пересекается с прайс-листом «{ $name }» для тех же клиентов в валюте { $currency }; один из них должен заканчиваться до начала другого
refuse-unknown-currency = «{ $code }» не является валютой этого рабочего пространства
refuse-product-inactive = этот товар больше не продаётся
refuse-whole-units = этот товар продаётся только целыми единицами ({ $unit }); { $quantity } — не целое число
refuse-tax-rate-required = обязательное поле (у товара ставка не задана)
refuse-percentage = процент от 0 до 100
refuse-not-configurable = у этого товара нет опций
refuse-price-currency = цена указана в валюте { $given }, а документ — в { $currency }
refuse-no-price = ни в одном прайс-листе в валюте { $currency } нет цены этого товара на { $day }; укажите цену за единицу
refuse-price-required = нужно указать для позиции без товара
refuse-price-override = цена по прайс-листу — { $list }; продавать по другой цене может только тот, кто ведёт прайс-листы
refuse-lines-too-large = сумма позиций слишком велика
refuse-option-code = код без пробелов, запятых и знаков + и *
refuse-option-twice = у товара уже есть опция { $code }
refuse-below-minimum = значение меньше минимального
refuse-logo-too-large = размер файла в байтах не должен превышать { $bytes }
refuse-logo-not-jpeg = нужен файл JPEG в кодировке base64 (можно в виде URL data:image/jpeg;base64,)

## Opportunities and quotas

refuse-no-such-pipeline = такой воронки продаж нет
refuse-no-pipeline = в этом рабочем пространстве ещё нет воронки продаж; сначала создайте её
refuse-not-a-stage = «{ $stage }» не является этапом воронки «{ $pipeline }» (этапы: { $stages })
refuse-no-open-stage = в воронке нет ни одного открытого этапа
refuse-stage-in-use = на этапе «{ $stage }» ещё есть сделки; перенесите их, прежде чем удалять этап
refuse-lead-converted = этот лид уже конвертирован
refuse-period-before-start = период заканчивается раньше, чем начинается

## Service

refuse-case-resolution = укажите, как было решено обращение
refuse-no-such-case = такого обращения нет
refuse-template-not-reply = из шаблона можно составить только ответ клиенту
refuse-comment-body = введите текст комментария (или, если это ответ, выберите шаблон)
refuse-reply-no-recipient = у обращения нет контакта или заявителя с адресом эл. почты, на который можно ответить; добавьте его или напишите заметку
refuse-publish-role = статьи публикует руководитель или администратор; отправьте статью на проверку
refuse-archived-to-review = архивную статью сначала нужно вернуть в черновик
refuse-feedback-unpublished = отзывы можно оставлять только к опубликованным статьям
refuse-holiday-date = укажите дату выходного дня
refuse-time-of-day = время в виде 09:00 или 17:30
refuse-hours-time = для рабочих часов нужно указать время
refuse-hours-overlap = пересекается с другим периодом того же дня
refuse-calendar-zone = «{ $zone }» не является часовым поясом (например, Europe/Moscow)

## Calls

refuse-call-party = звонок должен быть связан с контактом или компанией; укажите что-то одно
refuse-list-skill = навык, который нужен для звонков этого списка, – без него звонки не распределить по навыкам

## Message templates

refuse-template-key = строчные латинские буквы a–z, цифры и _ (например, dunning_reminder)
refuse-unknown-entity = «{ $name }» не является типом записей
refuse-template-subject = у электронных и бумажных писем должна быть тема
refuse-template-syntax = Relata не может прочитать этот шаблон: { $detail }
refuse-merge-field = это не поле подстановки этого шаблона: { $detail }
refuse-template-twice = шаблон «{ $key }» уже существует (канал: { $channel }, язык: { $language })

## Saved views and home widgets

refuse-view-name = название длиной от 1 до 100 символов
refuse-view-query = не более 4000 символов
refuse-view-unknown = такого сохранённого представления нет ни у вас, ни у вашей команды
refuse-view-searches = виджет считает записи по фильтру представления, а в этом представлении используется поиск
refuse-widget-figure = count, sum:<поле суммы> или chart:<поле>
refuse-widget-money = «{ $field }» не является доступным вам полем суммы
refuse-widget-chart = «{ $field }» не является доступным вам полем, по которому можно группировать данные диаграммы
refuse-widget-many = число виджетов на главной странице не может превышать { $max }

## Automation rules
# $type: a type's singular name; $detail: the reading's own words (a
# filter's, a schedule's, an address's), which stay as they are.

refuse-rule-entity = это не тип записей; допустимые значения: { $types }
refuse-rule-watch-field = у записей типа «{ $type }» нет поля «{ $field }»
refuse-rule-not-a-date = это не поле даты записей типа «{ $type }»
refuse-rule-date-field = укажите поле даты записей типа «{ $type }»
refuse-rule-no-steps = у активного правила должен быть хотя бы один шаг
refuse-rule-no-such-field = у записей типа «{ $type }» нет такого поля
refuse-rule-maintained = значение этого поля Relata задаёт автоматически
refuse-rule-triggers-itself = правило реагирует на изменения поля «{ $field }» и само изменяло бы его; укажите отслеживаемые поля без него или добавьте условия
refuse-rule-subject = укажите тему задачи, сообщения или звонка
refuse-rule-priority = приоритет звонка от 0 до 100
refuse-rule-url = Relata не может вызвать этот адрес: { $detail }
refuse-rule-wait = укажите, сколько ждать (в днях или часах)
refuse-rule-condition = укажите условие ветвления
refuse-rule-branch = «stop» или номер одного из следующих шагов (от { $first } до { $last })
refuse-rule-template = укажите ключ шаблона для канала «{ $channel }»
refuse-rule-no-template = для канала «{ $channel }» нет шаблона с ключом «{ $key }»
refuse-rule-wrong-template = шаблон предназначен для записей типа «{ $about }», а правило — для записей типа «{ $type }»
refuse-rule-assignee = нельзя назначить: { $detail }
refuse-filter = Relata не распознаёт это условие: { $detail }
refuse-filter-before = before.<поле> — значение поля до изменения: его можно использовать только в условиях правил, срабатывающих при обновлении записи
refuse-time-zone = это не часовой пояс: { $detail }
refuse-cron-required = укажите в формате cron, когда запускается правило (0 0 8 * * Mon)
refuse-cron = Relata не распознаёт это расписание: { $detail }

## Any record

# $what: a type's singular name, or refuse-member's words.
refuse-no-such = { $what } с ID { $id } не существует
refuse-member = пользователь этого рабочего пространства
refuse-no-such-line-record = запись с ID { $id } не найдена
refuse-already-used = значение { $value } уже есть у другой записи типа «{ $what }»
refuse-used = это значение уже используется
refuse-no-lines = у этого типа записей нет позиций
refuse-hidden-field = не является полем этого типа записей
refuse-read-only = ваша роль позволяет только просматривать это поле
refuse-owner = ваша роль не позволяет назначать записи этому ответственному

## Actions the current state refuses (the API answers 409)
# $state: a job's state as the API names it (queued, running, dead…);
# $object: a custom object's API name; $fields: field names, as the API
# writes them.

refuse-order-cancelled-invoice = по отменённому заказу счёт не выставляется
refuse-invoice-draft-printed = у черновика счёта ещё нет номера: сначала выставьте счёт
refuse-job-retry = задание в состоянии «{ $state }»; повторяются только неудавшиеся (dead) или отменённые (cancelled) задания
refuse-job-cancel = задание в состоянии «{ $state }»; отменяются только задания в очереди (queued)
refuse-call-logged = этот звонок уже зарегистрирован
refuse-call-not-open = этот звонок больше не открыт
refuse-do-not-call = владелец номера { $number } просил ему не звонить (запрет звонков)
refuse-no-extension = у вас нет внутреннего номера, с которого можно звонить (настройки телефонии)
refuse-objects-many = в рабочем пространстве не больше { $max } пользовательских объектов
refuse-object-targeted = на объект { $object } ссылаются поля связи: { $fields }; сначала удалите их
refuse-object-has-records = у объекта { $object } { $count ->
    [one] { $count } запись; сначала переместите её
    [few] { $count } записи; сначала переместите их
   *[other] { $count } записей; сначала переместите их
} в корзину (записи из корзины удаляются вместе с объектом)
refuse-totp-enabled = второй фактор входа уже включён; сначала отключите его
refuse-totp-not-started = начните с POST /api/v1/auth/totp/setup
refuse-sync-cursor-old = этот курсор старше того, который устройство уже использовало: синхронизируйте с начала (без курсора)
refuse-sync-busy = синхронизация этого устройства уже идёт; повторите попытку
refuse-admin-role-fixed = у роли администратора всегда есть все права, её нельзя изменить
refuse-role-held = роль «{ $role }» назначена участникам; сначала назначьте им другую роль
refuse-member-already = { $email } уже участник этого рабочего пространства
refuse-last-admin = в рабочем пространстве должен быть хотя бы один активный администратор
refuse-desk-smtp = почта этого отдела доставляется на SMTP-адрес Relata: читать нечего
refuse-message-settled = это письмо уже пропущено или отклонено

## What who acts may not do (the API answers 403)

refuse-no-membership = эта учётная запись не является активным участником этого рабочего пространства; обратитесь к его администратору
refuse-forecast-amounts = ваша роль не позволяет видеть суммы сделок, из которых складывается прогноз
refuse-printed-amounts = ваша роль не позволяет видеть суммы документа, которые показывает печатная форма
refuse-people-only = это может сделать только вошедший в систему человек, а не API-токен
refuse-sync-policy-admin = только администраторы определяют, как разрешаются конфликты синхронизации
