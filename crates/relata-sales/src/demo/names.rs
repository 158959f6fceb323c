//! The word lists demo data is drawn from: people's names, companies, cities
//! with postal codes and dialling codes, per country.

/// A city: name, region, postal code pattern (`#` = a digit), landline area
/// code and digits after it.
pub struct City {
    pub name: &'static str,
    pub region: &'static str,
    pub postal: &'static str,
    pub area: &'static str,
    pub local_digits: usize,
}

pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub code: &'static str,
    pub name: &'static str,
    pub calling_code: &'static str,
    /// Mobile prefixes (after the calling code) and digits after them.
    pub mobile: &'static [&'static str],
    pub mobile_digits: usize,
    pub language: &'static str,
    pub cities: &'static [City],
    pub male_first: &'static [&'static str],
    pub female_first: &'static [&'static str],
    /// Surnames in their male form; [`Country::female_surname`] derives the female one.
    pub surnames: &'static [&'static str],
    pub legal_forms: &'static [&'static str],
    pub free_mail: &'static [&'static str],
    pub tld: &'static str,
}

impl Country {
    /// The female form of a surname where the language inflects it.
    pub fn female_surname(&self, male: &str) -> String {
        match self.code {
            "PL" => {
                if let Some(stem) = male.strip_suffix("ski") {
                    format!("{stem}ska")
                } else if let Some(stem) = male.strip_suffix("cki") {
                    format!("{stem}cka")
                } else if let Some(stem) = male.strip_suffix("dzki") {
                    format!("{stem}dzka")
                } else {
                    male.to_string()
                }
            }
            "LT" => {
                for (m, f) in [("as", "ienė"), ("is", "ienė"), ("us", "ienė"), ("ys", "ienė")] {
                    if let Some(stem) = male.strip_suffix(m) {
                        return format!("{stem}{f}");
                    }
                }
                male.to_string()
            }
            "BG" => format!("{male}a"),
            _ => male.to_string(),
        }
    }
}

const fn city(
    name: &'static str,
    region: &'static str,
    postal: &'static str,
    area: &'static str,
    local_digits: usize,
) -> City {
    City { name, region, postal, area, local_digits }
}

pub static COUNTRIES: &[Country] = &[
    Country {
        code: "PL",
        name: "Poland",
        calling_code: "48",
        mobile: &["50", "51", "53", "57", "60", "66", "69", "72", "78", "79", "88"],
        mobile_digits: 7,
        language: "pl",
        cities: &[
            city("Warszawa", "mazowieckie", "0#-###", "22", 7),
            city("Kraków", "małopolskie", "3#-###", "12", 7),
            city("Gdańsk", "pomorskie", "80-###", "58", 7),
            city("Gdynia", "pomorskie", "81-###", "58", 7),
            city("Wrocław", "dolnośląskie", "5#-###", "71", 7),
            city("Poznań", "wielkopolskie", "6#-###", "61", 7),
            city("Łódź", "łódzkie", "9#-###", "42", 7),
            city("Lublin", "lubelskie", "20-###", "81", 7),
            city("Katowice", "śląskie", "40-###", "32", 7),
            city("Szczecin", "zachodniopomorskie", "7#-###", "91", 7),
        ],
        male_first: &[
            "Piotr",
            "Krzysztof",
            "Andrzej",
            "Tomasz",
            "Paweł",
            "Michał",
            "Marcin",
            "Jakub",
            "Adam",
            "Łukasz",
            "Grzegorz",
            "Mateusz",
            "Wojciech",
            "Kamil",
            "Marek",
            "Bartosz",
            "Rafał",
            "Dariusz",
            "Szymon",
            "Jan",
        ],
        female_first: &[
            "Anna",
            "Maria",
            "Katarzyna",
            "Małgorzata",
            "Agnieszka",
            "Barbara",
            "Ewa",
            "Magdalena",
            "Joanna",
            "Aleksandra",
            "Monika",
            "Zofia",
            "Natalia",
            "Karolina",
            "Marta",
            "Beata",
            "Dorota",
            "Julia",
            "Alicja",
            "Iwona",
        ],
        surnames: &[
            "Nowak",
            "Kowalski",
            "Wiśniewski",
            "Wójcik",
            "Kowalczyk",
            "Kamiński",
            "Lewandowski",
            "Zieliński",
            "Szymański",
            "Woźniak",
            "Dąbrowski",
            "Kozłowski",
            "Jankowski",
            "Mazur",
            "Kwiatkowski",
            "Krawczyk",
            "Piotrowski",
            "Grabowski",
            "Nowakowski",
            "Pawłowski",
            "Michalski",
            "Król",
            "Wieczorek",
            "Jabłoński",
            "Wróbel",
            "Nowicki",
            "Majewski",
            "Olszewski",
            "Stępień",
            "Malinowski",
            "Jaworski",
            "Adamczyk",
            "Dudek",
            "Górski",
            "Pawlak",
            "Sikora",
            "Walczak",
            "Baran",
            "Rutkowski",
            "Michalak",
            "Szewczyk",
            "Ostrowski",
            "Tomaszewski",
            "Pietrzak",
            "Zalewski",
            "Wróblewski",
            "Jasiński",
            "Marciniak",
            "Sadowski",
            "Bąk",
        ],
        legal_forms: &["Sp. z o.o.", "S.A.", "sp.j.", "Sp. z o.o. sp.k."],
        free_mail: &["wp.pl", "onet.pl", "gmail.com", "interia.pl", "o2.pl"],
        tld: "pl",
    },
    Country {
        code: "LT",
        name: "Lithuania",
        calling_code: "370",
        mobile: &["6"],
        mobile_digits: 7,
        language: "lt",
        cities: &[
            city("Vilnius", "Vilniaus apskritis", "LT-0####", "52", 6),
            city("Kaunas", "Kauno apskritis", "LT-4####", "37", 6),
            city("Klaipėda", "Klaipėdos apskritis", "LT-9####", "46", 6),
            city("Šiauliai", "Šiaulių apskritis", "LT-7####", "41", 6),
            city("Panevėžys", "Panevėžio apskritis", "LT-3####", "45", 6),
        ],
        male_first: &[
            "Jonas",
            "Petras",
            "Antanas",
            "Tomas",
            "Mantas",
            "Lukas",
            "Darius",
            "Mindaugas",
            "Andrius",
            "Paulius",
            "Rokas",
            "Vytautas",
            "Giedrius",
            "Marius",
            "Kęstutis",
        ],
        female_first: &[
            "Ona", "Rūta", "Jurgita", "Laura", "Greta", "Ieva", "Aistė", "Eglė", "Rasa", "Gintarė", "Kristina", "Inga",
            "Vaida", "Austėja", "Monika",
        ],
        surnames: &[
            "Kazlauskas",
            "Jankauskas",
            "Petrauskas",
            "Stankevičius",
            "Vasiliauskas",
            "Žukauskas",
            "Butkus",
            "Paulauskas",
            "Urbonas",
            "Kavaliauskas",
            "Navickas",
            "Ramanauskas",
            "Savickas",
            "Rimkus",
            "Baranauskas",
            "Adomaitis",
            "Sakalauskas",
            "Žilinskas",
            "Mockus",
            "Vaitkus",
        ],
        legal_forms: &["UAB", "AB", "MB"],
        free_mail: &["gmail.com", "inbox.lt", "one.lt"],
        tld: "lt",
    },
    Country {
        code: "BG",
        name: "Bulgaria",
        calling_code: "359",
        mobile: &["87", "88", "89"],
        mobile_digits: 7,
        language: "bg",
        cities: &[
            city("Sofia", "Sofia City", "1###", "2", 7),
            city("Plovdiv", "Plovdiv", "4###", "32", 6),
            city("Varna", "Varna", "9###", "52", 6),
            city("Burgas", "Burgas", "8###", "56", 6),
            city("Ruse", "Ruse", "7###", "82", 6),
        ],
        male_first: &[
            "Georgi",
            "Ivan",
            "Dimitar",
            "Nikolay",
            "Petar",
            "Hristo",
            "Stoyan",
            "Todor",
            "Aleksandar",
            "Martin",
            "Vasil",
            "Stefan",
            "Kiril",
            "Yordan",
            "Plamen",
        ],
        female_first: &[
            "Maria",
            "Ivanka",
            "Elena",
            "Yordanka",
            "Desislava",
            "Gergana",
            "Nadezhda",
            "Petya",
            "Teodora",
            "Viktoria",
            "Radka",
            "Silviya",
            "Milena",
            "Tsvetelina",
            "Kalina",
        ],
        surnames: &[
            "Ivanov", "Georgiev", "Dimitrov", "Petrov", "Nikolov", "Hristov", "Stoyanov", "Todorov", "Iliev",
            "Vasilev", "Atanasov", "Petkov", "Angelov", "Kolev", "Yordanov", "Popov", "Marinov", "Stefanov",
            "Mihaylov", "Kostov",
        ],
        legal_forms: &["EOOD", "OOD", "AD", "EAD"],
        free_mail: &["abv.bg", "gmail.com", "mail.bg"],
        tld: "bg",
    },
    Country {
        code: "DE",
        name: "Germany",
        calling_code: "49",
        mobile: &["151", "152", "157", "159"],
        mobile_digits: 8,
        language: "de",
        cities: &[
            city("Berlin", "Berlin", "1####", "30", 8),
            city("Hamburg", "Hamburg", "2####", "40", 8),
            city("München", "Bayern", "8####", "89", 8),
            city("Köln", "Nordrhein-Westfalen", "5####", "221", 7),
            city("Leipzig", "Sachsen", "04###", "341", 7),
        ],
        male_first: &[
            "Thomas",
            "Michael",
            "Andreas",
            "Stefan",
            "Christian",
            "Markus",
            "Jan",
            "Lukas",
            "Felix",
            "Jonas",
        ],
        female_first: &[
            "Sabine",
            "Claudia",
            "Julia",
            "Anna",
            "Katharina",
            "Laura",
            "Sandra",
            "Nicole",
            "Lena",
            "Sophie",
        ],
        surnames: &[
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schulz",
            "Hoffmann",
            "Koch",
            "Richter",
            "Klein",
            "Wolf",
            "Neumann",
        ],
        legal_forms: &["GmbH", "AG", "GmbH & Co. KG"],
        free_mail: &["gmx.de", "web.de", "gmail.com"],
        tld: "de",
    },
];

pub static COMPANY_WORDS: &[&str] = &[
    "Amber", "Baltic", "Nord", "Vistula", "Orion", "Polaris", "Sigma", "Delta", "Atlas", "Vector", "Horizon", "Zenit",
    "Fenix", "Granit", "Solaris", "Meridian", "Kobalt", "Lumen", "Nexus", "Tektonik", "Aurora", "Cedar", "Helix",
    "Iskra", "Kwant", "Magnus", "Optima", "Prisma", "Quattro", "Rubin", "Saturn", "Terra", "Unitas", "Vega", "Wisła",
    "Jantar", "Bursztyn", "Dunaj", "Rila", "Pirin", "Neris", "Nemunas", "Elbe", "Spree", "Odra",
];

pub static COMPANY_KINDS: &[(&str, &str)] = &[
    ("Logistics", "Transport and logistics"),
    ("Foods", "Food production"),
    ("Software", "Software"),
    ("Energy", "Energy"),
    ("Pharma", "Pharmaceuticals"),
    ("Construction", "Construction"),
    ("Retail", "Retail"),
    ("Textiles", "Textiles"),
    ("Machines", "Industrial machinery"),
    ("Telecom", "Telecommunications"),
    ("Finance", "Financial services"),
    ("Furniture", "Furniture"),
    ("Media", "Media"),
    ("Agro", "Agriculture"),
    ("Medical", "Healthcare"),
];

pub static STREETS: &[&str] = &[
    "Długa",
    "Morska",
    "Polna",
    "Lipowa",
    "Kwiatowa",
    "Gedimino pr.",
    "Laisvės al.",
    "bul. Vitosha",
    "ul. Rakovski",
    "Hauptstraße",
    "Bahnhofstraße",
    "Parkowa",
    "Ogrodowa",
    "Słoneczna",
    "Leśna",
];

pub static JOB_TITLES: &[&str] = &[
    "CEO",
    "CFO",
    "Purchasing manager",
    "Head of IT",
    "Sales director",
    "Office manager",
    "Logistics manager",
    "Procurement specialist",
    "Marketing manager",
    "Operations director",
    "Chief accountant",
    "Project manager",
    "Technical director",
    "HR manager",
    "Quality manager",
];

pub static LOST_REASONS: &[&str] = &["Price", "Chose a competitor", "No budget", "No decision", "Timing"];

pub static CALL_SUBJECTS: &[&str] = &[
    "Follow-up on the offer",
    "Question about delivery dates",
    "Price negotiation",
    "Introductory call",
    "Complaint about an invoice",
    "Renewal of the contract",
    "Product demo scheduling",
    "Payment reminder",
    "Technical question",
    "Request for a quote",
];

pub static MEETING_SUBJECTS: &[&str] = &[
    "Quarterly business review",
    "Product presentation",
    "Contract negotiation",
    "Site visit",
    "Kick-off meeting",
    "Workshop on requirements",
];

pub static NOTE_SUBJECTS: &[&str] = &[
    "Prefers contact by email",
    "Budget approved for next quarter",
    "Interested in the premium line",
    "Decision maker is the CFO",
    "Asked for references",
    "Expanding to a new warehouse",
];

pub static OUTCOMES: &[&str] = &["Interested", "Call back later", "Sent the offer", "No answer", "Agreed next step"];
