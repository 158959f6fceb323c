//! The built-in templates every workspace starts with, editable like any
//! other: the dunning ladder's reminder, SMS and letter, birthday greetings
//! by email and card, a welcome and a quote follow-up; in the seeds'
//! languages where customers read them most.

/// One built-in template.
pub struct Builtin {
    pub key: &'static str,
    pub channel: &'static str,
    pub language: &'static str,
    pub purpose: &'static str,
    /// The API name of the records it is about.
    pub about: &'static str,
    pub name: &'static str,
    pub subject: &'static str,
    pub body: String,
}

/// `(key, channel, language, purpose, about, name, subject, body)`.
type Row =
    (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

const GREETING_EN: &str = "{{#contact.last_name}}Dear {{contact.first_name}} {{contact.last_name}},{{/contact.last_name}}{{^contact.last_name}}Dear customer,{{/contact.last_name}}";
const GREETING_PL: &str = "{{#contact.last_name}}Dzień dobry {{contact.first_name}} {{contact.last_name}},{{/contact.last_name}}{{^contact.last_name}}Szanowni Państwo,{{/contact.last_name}}";

pub fn templates() -> Vec<Builtin> {
    let rows: Vec<Row> = vec![
        (
            "dunning_reminder",
            "email",
            "en",
            "transactional",
            "invoices",
            "Dunning 1: reminder",
            "Payment reminder: invoice {{invoice.number}}",
            "GREETING\n\nour records show that invoice {{invoice.number}} of {{invoice.issue_date}}, due on {{invoice.due_date}}, has not been paid in full yet.{{#invoice.paid_amount}} Thank you for your payment of {{invoice.paid_amount}}.{{/invoice.paid_amount}} The amount still open is {{invoice.balance}}.\n\nIf you have paid in the meantime, please disregard this message. Otherwise we would be grateful for your payment within the next few days.\n\nKind regards,\n{{workspace.name}}",
        ),
        (
            "dunning_reminder",
            "email",
            "pl",
            "transactional",
            "invoices",
            "Windykacja 1: przypomnienie",
            "Przypomnienie o płatności: faktura {{invoice.number}}",
            "GREETING\n\nuprzejmie przypominamy, że faktura {{invoice.number}} z dnia {{invoice.issue_date}}, z terminem płatności {{invoice.due_date}}, nie została jeszcze w pełni opłacona.{{#invoice.paid_amount}} Dziękujemy za dotychczasową wpłatę w wysokości {{invoice.paid_amount}}.{{/invoice.paid_amount}} Do zapłaty pozostaje {{invoice.balance}}.\n\nJeżeli należność została już uregulowana, prosimy uznać tę wiadomość za nieaktualną. W przeciwnym razie prosimy o wpłatę w ciągu najbliższych dni.\n\nZ poważaniem\n{{workspace.name}}",
        ),
        (
            "dunning_reminder",
            "email",
            "lt",
            "transactional",
            "invoices",
            "Skolų išieškojimas 1: priminimas",
            "Priminimas apie mokėjimą: sąskaita {{invoice.number}}",
            "Laba diena{{#contact.first_name}}, {{contact.first_name}}{{/contact.first_name}},\n\nprimename, kad {{invoice.issue_date}} išrašyta sąskaita faktūra {{invoice.number}}, kurios apmokėjimo terminas buvo {{invoice.due_date}}, dar nėra visiškai apmokėta.{{#invoice.paid_amount}} Dėkojame už jau gautą {{invoice.paid_amount}} įmoką.{{/invoice.paid_amount}} Liko sumokėti {{invoice.balance}}.\n\nJei jau sumokėjote, šį pranešimą laikykite nebeaktualiu. Priešingu atveju būtume dėkingi, jei sumokėtumėte per artimiausias kelias dienas.\n\nPagarbiai\n{{workspace.name}}",
        ),
        (
            "dunning_reminder",
            "email",
            "ru",
            "transactional",
            "invoices",
            "Взыскание 1: напоминание",
            "Напоминание об оплате: счёт {{invoice.number}}",
            "{{#contact.first_name}}Здравствуйте, {{contact.first_name}}!{{/contact.first_name}}{{^contact.first_name}}Здравствуйте!{{/contact.first_name}}\n\nНапоминаем, что счёт {{invoice.number}} от {{invoice.issue_date}} со сроком оплаты {{invoice.due_date}} оплачен не полностью.{{#invoice.paid_amount}} Благодарим за уже поступившую оплату в размере {{invoice.paid_amount}}.{{/invoice.paid_amount}} К оплате остаётся {{invoice.balance}}.\n\nЕсли вы уже произвели оплату, просто не обращайте внимания на это письмо. В противном случае просим погасить задолженность в ближайшие дни.\n\nС уважением,\n{{workspace.name}}",
        ),
        (
            "dunning_reminder",
            "email",
            "bg",
            "transactional",
            "invoices",
            "Събиране на вземания 1: напомняне",
            "Напомняне за плащане: фактура {{invoice.number}}",
            "{{#contact.first_name}}Здравейте, {{contact.first_name}},{{/contact.first_name}}{{^contact.first_name}}Здравейте,{{/contact.first_name}}\n\nнапомняме Ви, че фактура {{invoice.number}} от {{invoice.issue_date}} с падеж {{invoice.due_date}} все още не е платена изцяло.{{#invoice.paid_amount}} Благодарим Ви за полученото плащане от {{invoice.paid_amount}}.{{/invoice.paid_amount}} Остава за плащане {{invoice.balance}}.\n\nАко вече сте платили, моля, не обръщайте внимание на това съобщение. В противен случай ще Ви бъдем благодарни за плащане в следващите няколко дни.\n\nС уважение,\n{{workspace.name}}",
        ),
        (
            "dunning_sms",
            "sms",
            "en",
            "transactional",
            "invoices",
            "Dunning 2: SMS",
            "",
            "{{workspace.name}}: invoice {{invoice.number}} is overdue; {{invoice.balance}} is still open{{#invoice.paid_amount}} (thank you for the {{invoice.paid_amount}} received){{/invoice.paid_amount}}. Please pay soon.",
        ),
        (
            "dunning_sms",
            "sms",
            "pl",
            "transactional",
            "invoices",
            "Windykacja 2: SMS",
            "",
            "{{workspace.name}}: termin płatności faktury {{invoice.number}} minął; do zapłaty pozostaje {{invoice.balance}}{{#invoice.paid_amount}} (dziękujemy za wpłatę {{invoice.paid_amount}}){{/invoice.paid_amount}}. Prosimy o pilną wpłatę.",
        ),
        (
            "dunning_letter",
            "letter",
            "en",
            "transactional",
            "invoices",
            "Dunning 3: letter",
            "Second reminder: invoice {{invoice.number}}",
            "GREETING\n\ndespite our reminder, invoice {{invoice.number}} of {{invoice.issue_date}}, due on {{invoice.due_date}}, remains unpaid.{{#invoice.paid_amount}} We have received {{invoice.paid_amount}}, for which we thank you.{{/invoice.paid_amount}} The open amount is {{invoice.balance}}.\n\nWe ask you to transfer this amount within 7 days of the date of this letter. If there is a reason why you cannot pay, please contact us so that we can find a solution together.\n\nYours sincerely,\n{{workspace.name}}",
        ),
        (
            "dunning_letter",
            "letter",
            "pl",
            "transactional",
            "invoices",
            "Windykacja 3: wezwanie do zapłaty",
            "Wezwanie do zapłaty: faktura {{invoice.number}}",
            "GREETING\n\nmimo wcześniejszego przypomnienia faktura {{invoice.number}} z dnia {{invoice.issue_date}}, z terminem płatności {{invoice.due_date}}, pozostaje nieopłacona.{{#invoice.paid_amount}} Otrzymaliśmy wpłatę w wysokości {{invoice.paid_amount}}, za którą dziękujemy.{{/invoice.paid_amount}} Kwota zaległości wynosi {{invoice.balance}}.\n\nWzywamy do zapłaty tej kwoty w terminie 7 dni od daty niniejszego pisma. Jeżeli istnieje przeszkoda w dokonaniu płatności, prosimy o kontakt, abyśmy mogli wspólnie znaleźć rozwiązanie.\n\nZ poważaniem\n{{workspace.name}}",
        ),
        (
            "birthday_email",
            "email",
            "en",
            "marketing",
            "contacts",
            "Birthday greeting (email)",
            "Happy birthday, {{contact.first_name}}!",
            "Dear {{contact.first_name}},\n\neveryone at {{workspace.name}} wishes you a happy birthday and a wonderful year ahead. Thank you for the trust you place in us.\n\nWarm regards,\n{{workspace.name}}\n\nNo longer wish to receive greetings like this? {{unsubscribe_url}}",
        ),
        (
            "birthday_email",
            "email",
            "pl",
            "marketing",
            "contacts",
            "Życzenia urodzinowe (e-mail)",
            "Wszystkiego najlepszego, {{contact.first_name}}!",
            "Drogi/Droga {{contact.first_name}},\n\nz okazji urodzin cały zespół {{workspace.name}} życzy Ci zdrowia, pomyślności i wielu sukcesów. Dziękujemy za zaufanie.\n\nSerdecznie pozdrawiamy\n{{workspace.name}}\n\nNie chcesz otrzymywać takich wiadomości? {{unsubscribe_url}}",
        ),
        (
            "birthday_email",
            "email",
            "lt",
            "marketing",
            "contacts",
            "Gimtadienio sveikinimas (el. paštas)",
            "Su gimtadieniu, {{contact.first_name}}!",
            "Miela(-s) {{contact.first_name}},\n\nvisa {{workspace.name}} komanda sveikina Jus gimtadienio proga ir linki sveikatos, sėkmės ir puikių metų. Dėkojame už pasitikėjimą.\n\nNuoširdžiai\n{{workspace.name}}\n\nNebenorite gauti tokių laiškų? {{unsubscribe_url}}",
        ),
        (
            "birthday_email",
            "email",
            "ru",
            "marketing",
            "contacts",
            "Поздравление с днём рождения (e-mail)",
            "С днём рождения, {{contact.first_name}}!",
            "{{contact.first_name}}, здравствуйте!\n\nВся команда {{workspace.name}} поздравляет вас с днём рождения и желает здоровья, удачи и прекрасного года. Спасибо за ваше доверие.\n\nС наилучшими пожеланиями,\n{{workspace.name}}\n\nНе хотите получать такие письма? {{unsubscribe_url}}",
        ),
        (
            "birthday_email",
            "email",
            "bg",
            "marketing",
            "contacts",
            "Поздрав за рожден ден (имейл)",
            "Честит рожден ден, {{contact.first_name}}!",
            "Здравейте, {{contact.first_name}},\n\nцелият екип на {{workspace.name}} Ви честити рождения ден и Ви пожелава здраве, успехи и прекрасна година. Благодарим Ви за доверието.\n\nСърдечни поздрави,\n{{workspace.name}}\n\nНе желаете да получавате такива съобщения? {{unsubscribe_url}}",
        ),
        (
            "birthday_card",
            "letter",
            "en",
            "marketing",
            "contacts",
            "Birthday card (printed)",
            "Happy birthday!",
            "Dear {{contact.first_name}},\n\nall of us at {{workspace.name}} wish you a very happy birthday and every success in the year ahead.\n\nWarm regards,\n{{workspace.name}}",
        ),
        (
            "birthday_card",
            "letter",
            "pl",
            "marketing",
            "contacts",
            "Kartka urodzinowa (drukowana)",
            "Wszystkiego najlepszego!",
            "Drogi/Droga {{contact.first_name}},\n\nz okazji urodzin życzymy zdrowia, radości i powodzenia w nadchodzącym roku.\n\nSerdecznie pozdrawia\nzespół {{workspace.name}}",
        ),
        (
            "welcome_email",
            "email",
            "en",
            "transactional",
            "accounts",
            "Welcome a new customer",
            "Welcome to {{workspace.name}}",
            "GREETING\n\nthank you for choosing {{workspace.name}}. We are glad to have {{account.name}} as a customer. Your contact person will be in touch shortly to make sure everything gets off to a good start; until then, simply reply to this email with any question.\n\nKind regards,\n{{workspace.name}}",
        ),
        (
            "welcome_email",
            "email",
            "pl",
            "transactional",
            "accounts",
            "Powitanie nowego klienta",
            "Witamy w {{workspace.name}}",
            "GREETING\n\ndziękujemy za wybór {{workspace.name}}. Cieszymy się, że {{account.name}} dołącza do grona naszych klientów. Wkrótce skontaktuje się z Państwem opiekun, aby zadbać o dobry początek współpracy; do tego czasu wystarczy odpowiedzieć na tę wiadomość, jeśli pojawią się pytania.\n\nZ poważaniem\n{{workspace.name}}",
        ),
        (
            "quote_follow_up",
            "email",
            "en",
            "transactional",
            "quotes",
            "Quote follow-up",
            "Your quote {{quote.number}}",
            "GREETING\n\na few days ago we sent you our quote {{quote.number}} for {{quote.grand_total}}{{#quote.valid_until}}, valid until {{quote.valid_until}}{{/quote.valid_until}}. Have you had a chance to look at it? We would be happy to answer questions or adjust it to your needs.\n\nKind regards,\n{{workspace.name}}",
        ),
        (
            "quote_follow_up",
            "email",
            "pl",
            "transactional",
            "quotes",
            "Przypomnienie o ofercie",
            "Nasza oferta {{quote.number}}",
            "GREETING\n\nkilka dni temu przesłaliśmy Państwu ofertę {{quote.number}} na kwotę {{quote.grand_total}}{{#quote.valid_until}}, ważną do {{quote.valid_until}}{{/quote.valid_until}}. Czy mieli Państwo okazję się z nią zapoznać? Chętnie odpowiemy na pytania lub dostosujemy ofertę do Państwa potrzeb.\n\nZ poważaniem\n{{workspace.name}}",
        ),
    ];
    rows.into_iter()
        .map(|(key, channel, language, purpose, about, name, subject, body)| {
            // The greeting every formal template opens with.
            let greeting = if language == "pl" { GREETING_PL } else { GREETING_EN };
            let body = body.replacen("GREETING", greeting, 1);
            Builtin { key, channel, language, purpose, about, name, subject, body }
        })
        .collect()
}
