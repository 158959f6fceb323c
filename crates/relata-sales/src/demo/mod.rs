//! Demo data: a plausible company's CRM — sales reps, accounts in Poland,
//! Lithuania, Bulgaria and Germany with their people, leads, opportunities
//! across the pipeline and two years of calls, meetings, emails and notes.
//!
//! The same seed gives the same data (names, companies, numbers, amounts,
//! dates relative to today). Records go through the application's bulk write
//! path — the same checks, rules, side indexes and change entries as an
//! import — in batches of one transaction each, so memory stays flat at a
//! million contacts.

mod names;

use crate::{LEADS, OPPORTUNITIES, PIPELINES};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use names::{COUNTRIES, City, Country};
use relata_app::module::{DemoCounts, DemoPlan};
use relata_app::write::insert_many_in;
use relata_app::{App, AppError, Ctx};
use relata_core::meta::EntityKind;
use relata_core::money::{Currency, Money};
use relata_core::value::{FieldValue, Values};
use relata_core::{Record, RecordId, UserId};
use relata_crm::{ACCOUNTS, ACTIVITIES, CONTACTS};
use serde_json::json;

/// SplitMix64: small, fast, and the same sequence for the same seed on every
/// platform, which is all demo data needs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next_u64() % (high - low + 1) as u64) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Picks by weight: `(item, weight)` pairs.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total as usize) as u32;
        for (item, w) in items {
            if roll < *w {
                return item;
            }
            roll -= w;
        }
        &items[items.len() - 1].0
    }

    pub fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// How many records of each kind were made.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DemoReport {
    pub users: u64,
    pub accounts: u64,
    pub contacts: u64,
    pub leads: u64,
    pub opportunities: u64,
    pub activities: u64,
}

impl DemoReport {
    /// The counts by type, as modules report their demo data.
    pub fn counts(&self) -> DemoCounts {
        [
            ("users", self.users),
            ("accounts", self.accounts),
            ("contacts", self.contacts),
            ("leads", self.leads),
            ("opportunities", self.opportunities),
            ("activities", self.activities),
        ]
        .into_iter()
        .map(|(what, n)| (what.to_string(), n))
        .collect()
    }
}

/// Progress of a load: what is being made, how many so far, how many in all.
pub type Progress<'a> = relata_app::module::DemoProgress<'a>;

struct AccountInfo {
    id: RecordId,
    country: usize,
    city: usize,
    domain: String,
    owner: UserId,
    key_account: bool,
    /// The first contact made for the account (its primary contact).
    contact: Option<RecordId>,
}

struct Loader<'a> {
    app: &'a App,
    ctx: Ctx,
    rng: Rng,
    now: DateTime<Utc>,
    batch: usize,
    reps: Vec<UserId>,
    accounts: Vec<AccountInfo>,
    pipelines: Vec<(RecordId, Vec<crate::pipeline::Stage>)>,
    report: DemoReport,
    /// The open transaction and how many records it holds: committing every
    /// few batches, not every batch, saves SQLite most of its checkpoints.
    tx: Option<relata_store::ScopedConn>,
    pending: usize,
}

/// Records per transaction.
const RECORDS_PER_COMMIT: usize = 50_000;

/// A time-ordered id whose timestamp is the record's creation time, so that
/// "newest first" by id agrees with the back-dated `created_at`.
fn id_at(rng: &mut Rng, at: DateTime<Utc>) -> RecordId {
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    random[8..].copy_from_slice(&rng.next_u64().to_le_bytes()[..2]);
    let millis = at.timestamp_millis().max(0) as u64;
    RecordId::from_uuid(uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid())
}

fn ascii(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let mapped = match c {
                'ą' | 'ä' | 'á' => "a",
                'ć' | 'č' => "c",
                'ę' | 'ė' | 'é' => "e",
                'ł' => "l",
                'ń' => "n",
                'ó' | 'ö' => "o",
                'ś' | 'š' => "s",
                'ź' | 'ż' | 'ž' => "z",
                'ū' | 'ų' | 'ü' => "u",
                'į' => "i",
                'ß' => "ss",
                'Ł' => "L",
                'Ś' | 'Š' => "S",
                'Ż' | 'Ž' | 'Ź' => "Z",
                'Ö' => "O",
                'Ü' => "U",
                _ => "",
            };
            if mapped.is_empty() { vec![c] } else { mapped.chars().collect() }
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .collect::<String>()
        .to_lowercase()
}

fn text(s: impl Into<String>) -> FieldValue {
    FieldValue::Text(s.into())
}

fn reference(id: uuid::Uuid) -> FieldValue {
    FieldValue::Ref(id)
}

/// A national number in E.164 form: calling code, prefix, random digits.
pub fn phone_number(rng: &mut Rng, calling_code: &str, prefix: &str, digits: usize) -> String {
    format!("+{calling_code}{prefix}{}", rng.digits(digits))
}

fn postal_code(rng: &mut Rng, pattern: &str) -> String {
    pattern.chars().map(|c| if c == '#' { char::from(b'0' + rng.below(10) as u8) } else { c }).collect()
}

impl Loader<'_> {
    /// When the `n`-th of `count` records was created: the story runs over
    /// the last two years in order, denser lately as the business grew. In
    /// order, because ids follow creation time and indexes fill fastest, and
    /// a million records load in minutes, when appended at their end.
    fn moment(&mut self, n: u64, count: u64) -> DateTime<Utc> {
        let remaining = 1.0 - n as f64 / count.max(1) as f64;
        let minutes = (730.0 * 24.0 * 60.0 * remaining.powf(1.3)) as i64;
        self.now - Duration::minutes(minutes) - Duration::seconds(self.rng.range(0, 59))
    }

    fn mobile(&mut self, country: &Country) -> String {
        let prefix = *self.rng.pick(country.mobile);
        phone_number(&mut self.rng, country.calling_code, prefix, country.mobile_digits)
    }

    fn landline(&mut self, country: &Country, city: &City) -> String {
        phone_number(&mut self.rng, country.calling_code, city.area, city.local_digits)
    }

    fn new_record(&mut self, kind: EntityKind, created: DateTime<Utc>, values: Values) -> Record {
        let mut record = Record::new(kind, self.ctx.actor, values, relata_core::record::now_micros());
        record.id = id_at(&mut self.rng, created);
        record.created_at = created;
        record.updated_at = created;
        record
    }

    async fn store(&mut self, kind: EntityKind, records: Vec<Record>) -> Result<(), AppError> {
        if records.is_empty() {
            return Ok(());
        }
        let schemas = self.app.schemas(self.ctx.ws()).await?;
        let mut tx = match self.tx.take() {
            Some(tx) => tx,
            None => self.app.store.write(self.ctx.ws()).await?,
        };
        let (good, failed) = insert_many_in(&mut tx, &self.ctx, schemas.get(kind), records).await?;
        if let Some((_, errors)) = failed.first() {
            // Demo data is generated to be valid; a failure here is a bug.
            let messages: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            return Err(AppError::BadParameter(
                "demo",
                format!("generated an invalid {kind:?}: {}", messages.join("; ")),
            ));
        }
        self.pending += good.len();
        if self.pending >= RECORDS_PER_COMMIT {
            tx.commit().await?;
            self.pending = 0;
        } else {
            self.tx = Some(tx);
        }
        let made = good.len() as u64;
        match kind {
            ACCOUNTS => self.report.accounts += made,
            CONTACTS => self.report.contacts += made,
            LEADS => self.report.leads += made,
            OPPORTUNITIES => self.report.opportunities += made,
            ACTIVITIES => self.report.activities += made,
            _ => {}
        }
        Ok(())
    }

    async fn commit(&mut self) -> Result<(), AppError> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        self.pending = 0;
        Ok(())
    }

    async fn users(&mut self) -> Result<(), AppError> {
        const REPS: &[(&str, &str, &str)] = &[
            ("Anna", "Nowak", "manager"),
            ("Piotr", "Kowalski", "sales_rep"),
            ("Rūta", "Kazlauskienė", "sales_rep"),
            ("Georgi", "Ivanov", "sales_rep"),
            ("Julia", "Schmidt", "sales_rep"),
            ("Tomasz", "Wiśniewski", "sales_rep"),
            ("Ewa", "Zielińska", "service_agent"),
            ("Marek", "Lewandowski", "marketer"),
        ];
        for (first, last, role) in REPS {
            let email = format!("{}.{}@example.com", ascii(first), ascii(last));
            let user = self.app.store.ensure_user(&email, &format!("{first} {last}")).await?;
            self.app.store.add_membership(self.ctx.ws(), user.id, role).await?;
            if *role == "sales_rep" || *role == "manager" {
                self.reps.push(user.id);
            }
            self.report.users += 1;
        }
        Ok(())
    }

    async fn pipelines(&mut self) -> Result<(), AppError> {
        let mut conn = self.app.store.read(self.ctx.ws()).await?;
        let default = crate::pipeline::default_pipeline(&mut conn)
            .await?
            .ok_or_else(|| AppError::BadParameter("demo", "the workspace has no default pipeline".into()))?;
        drop(conn);
        self.pipelines.push((default.id, crate::pipeline::stages_of(&default)));
        // Demo data loaded again (`--append`) uses the pipeline it made before.
        let params = relata_app::read::ListParams {
            conditions: vec![relata_core::filter::Expr::eq("name", "Key accounts")],
            ..Default::default()
        };
        let (found, _) = relata_app::read::list(self.app, &self.ctx, PIPELINES, &params).await?;
        if let Some(existing) = found.records.first() {
            self.pipelines.push((existing.id, crate::pipeline::stages_of(existing)));
            return Ok(());
        }
        let body = json!({
            "name": "Key accounts",
            "stages": [
                {"name": "Discovery", "probability": 10},
                {"name": "Solution design", "probability": 30},
                {"name": "Proposal", "probability": 55},
                {"name": "Commercial negotiation", "probability": 80},
                {"name": "Signed", "kind": "won"},
                {"name": "Lost", "kind": "lost"}
            ]
        });
        let created = match relata_app::write::create(self.app, &self.ctx, PIPELINES, &body, None).await {
            Ok(relata_app::write::Created::New(record, _)) => *record,
            Ok(_) => unreachable!("no idempotency key was given"),
            Err(e) => return Err(e),
        };
        self.pipelines.push((created.id, crate::pipeline::stages_of(&created)));
        Ok(())
    }

    async fn accounts(&mut self, count: u64, progress: Progress<'_>) -> Result<(), AppError> {
        let mut batch = Vec::with_capacity(self.batch);
        for i in 0..count {
            let country_ix = self.rng.weighted(&[(0usize, 50), (1, 20), (2, 15), (3, 15)]).to_owned();
            let country = &COUNTRIES[country_ix];
            let city_ix = self.rng.below(country.cities.len());
            let city = &country.cities[city_ix];
            let word = *self.rng.pick(names::COMPANY_WORDS);
            let (kind, industry) = *self.rng.pick(names::COMPANY_KINDS);
            let form = *self.rng.pick(country.legal_forms);
            let name = format!("{word} {kind} {form}");
            // A number keeps domains (and names) apart beyond the word lists' reach.
            let domain = format!("{}{}{}.{}", ascii(word), ascii(kind), i, country.tld);
            let owner = *self.rng.pick(&self.reps);
            let key_account = self.rng.chance(0.05);
            let created = self.moment(i, count);
            let mut v = Values::default();
            v.set_std("name", text(name));
            v.set_std("industry", text(industry));
            v.set_std("territory", text(format!("{} {}", country.name, city.region)));
            v.set_std("street", text(format!("{} {}", self.rng.pick(names::STREETS), self.rng.range(1, 180))));
            v.set_std("city", text(city.name));
            v.set_std("postal_code", text(postal_code(&mut self.rng, city.postal)));
            v.set_std("region", text(city.region));
            v.set_std("country", text(country.name));
            v.set_std("website", text(format!("https://www.{domain}")));
            v.set_std("phone", text(self.landline(country, city)));
            v.set_std("email", text(format!("office@{domain}")));
            v.set_std("employees", FieldValue::Int(*self.rng.pick(&[8, 15, 40, 120, 350, 900, 2500, 12000])));
            v.set_std("key_account", FieldValue::Bool(key_account));
            let lifecycle = *self.rng.weighted(&[("customer", 55), ("prospect", 35), ("former", 10)]);
            v.set_std("lifecycle", text(lifecycle));
            v.set_std("owner", reference(owner.uuid()));
            // Parents come from earlier, already stored batches.
            let stored = self.report.accounts as usize;
            if stored > 0 && self.rng.chance(0.03) {
                let parent = self.accounts[self.rng.below(stored)].id;
                v.set_std("parent_account", reference(parent.uuid()));
            }
            let record = self.new_record(ACCOUNTS, created, v);
            self.accounts.push(AccountInfo {
                id: record.id,
                country: country_ix,
                city: city_ix,
                domain,
                owner,
                key_account,
                contact: None,
            });
            batch.push(record);
            if batch.len() >= self.batch {
                self.store(ACCOUNTS, std::mem::take(&mut batch)).await?;
                progress("accounts", self.report.accounts, count);
            }
        }
        self.store(ACCOUNTS, batch).await?;
        progress("accounts", self.report.accounts, count);
        Ok(())
    }

    fn person(&mut self, country: &Country) -> (String, String) {
        let female = self.rng.chance(0.5);
        let surname = *self.rng.pick(country.surnames);
        if female {
            (self.rng.pick(country.female_first).to_string(), country.female_surname(surname))
        } else {
            (self.rng.pick(country.male_first).to_string(), surname.to_string())
        }
    }

    async fn contacts(&mut self, count: u64, progress: Progress<'_>) -> Result<(), AppError> {
        let mut batch = Vec::with_capacity(self.batch);
        // (contact, account, owner, created) of the batch, for its activities.
        let mut links: Vec<(RecordId, Option<usize>, UserId, DateTime<Utc>)> = Vec::with_capacity(self.batch);
        for n in 0..count {
            let account_ix = if self.rng.chance(0.9) { Some(self.rng.below(self.accounts.len())) } else { None };
            let (country_ix, city_ix) = match account_ix {
                Some(a) if self.rng.chance(0.8) => (self.accounts[a].country, self.accounts[a].city),
                Some(a) => {
                    let c = self.accounts[a].country;
                    (c, self.rng.below(COUNTRIES[c].cities.len()))
                }
                None => {
                    let c = self.rng.below(COUNTRIES.len());
                    (c, self.rng.below(COUNTRIES[c].cities.len()))
                }
            };
            let country = &COUNTRIES[country_ix];
            let city = &country.cities[city_ix];
            let (first, last) = self.person(country);
            let created = self.moment(n, count);
            let owner = match account_ix {
                Some(a) => self.accounts[a].owner,
                None => *self.rng.pick(&self.reps),
            };
            let mut v = Values::default();
            v.set_std("first_name", text(&first));
            v.set_std("last_name", text(&last));
            let mut emails = Vec::new();
            if let Some(a) = account_ix {
                v.set_std("account", reference(self.accounts[a].id.uuid()));
                v.set_std("title", text(*self.rng.pick(names::JOB_TITLES)));
                emails.push(format!("{}.{}{}@{}", ascii(&first), ascii(&last), n % 10, self.accounts[a].domain));
            }
            if account_ix.is_none() || self.rng.chance(0.3) {
                emails.push(format!("{}.{}{}@{}", ascii(&first), ascii(&last), n, self.rng.pick(country.free_mail)));
            }
            v.set_std("emails", FieldValue::List(emails));
            let mut phones = vec![self.mobile(country)];
            if self.rng.chance(0.25) {
                phones.push(self.landline(country, city));
            }
            v.set_std("phones", FieldValue::List(phones));
            v.set_std("street", text(format!("{} {}", self.rng.pick(names::STREETS), self.rng.range(1, 180))));
            v.set_std("city", text(city.name));
            v.set_std("postal_code", text(postal_code(&mut self.rng, city.postal)));
            v.set_std("region", text(city.region));
            v.set_std("country", text(country.name));
            if self.rng.chance(0.7) {
                let birthday = NaiveDate::from_ymd_opt(
                    self.rng.range(1950, 2003) as i32,
                    self.rng.range(1, 12) as u32,
                    self.rng.range(1, 28) as u32,
                )
                .expect("day 1-28 exists in every month");
                v.set_std("birthday", FieldValue::Date(birthday));
            }
            v.set_std("language", text(country.language));
            let lifecycle = *self.rng.weighted(&[("current", 55), ("potential", 35), ("former", 10)]);
            v.set_std("lifecycle", text(lifecycle));
            v.set_std("owner", reference(owner.uuid()));
            let record = self.new_record(CONTACTS, created, v);
            if let Some(a) = account_ix
                && self.accounts[a].contact.is_none()
            {
                self.accounts[a].contact = Some(record.id);
            }
            links.push((record.id, account_ix, owner, created));
            batch.push(record);
            if batch.len() >= self.batch {
                self.store(CONTACTS, std::mem::take(&mut batch)).await?;
                self.activities_for(std::mem::take(&mut links)).await?;
                progress("contacts", self.report.contacts, count);
            }
        }
        self.store(CONTACTS, batch).await?;
        self.activities_for(links).await?;
        progress("contacts", self.report.contacts, count);
        Ok(())
    }

    /// About one episode per contact: calls, emails, meetings, notes, tasks,
    /// an occasional SMS or letter, after the contact was first recorded.
    async fn activities_for(
        &mut self,
        links: Vec<(RecordId, Option<usize>, UserId, DateTime<Utc>)>,
    ) -> Result<(), AppError> {
        let mut batch = Vec::with_capacity(links.len() * 2);
        for (contact, account, owner, since) in links {
            let count = *self.rng.weighted(&[(0usize, 30), (1, 40), (2, 20), (3, 10)]);
            for _ in 0..count {
                let kind = *self.rng.weighted(&[
                    ("call", 35),
                    ("email", 25),
                    ("meeting", 15),
                    ("note", 10),
                    ("task", 10),
                    ("sms", 3),
                    ("letter", 2),
                ]);
                let span = (self.now - since).num_minutes().max(60);
                let at = since + Duration::minutes(self.rng.range(0, span));
                let mut v = Values::default();
                v.set_std("kind", text(kind));
                let subject = match kind {
                    "meeting" => *self.rng.pick(names::MEETING_SUBJECTS),
                    "note" => *self.rng.pick(names::NOTE_SUBJECTS),
                    _ => *self.rng.pick(names::CALL_SUBJECTS),
                };
                v.set_std("subject", text(subject));
                v.set_std("contact", reference(contact.uuid()));
                if let Some(a) = account {
                    v.set_std("account", reference(self.accounts[a].id.uuid()));
                }
                v.set_std("owner", reference(owner.uuid()));
                match kind {
                    "call" | "email" | "sms" | "letter" => {
                        let direction = *self.rng.weighted(&[("outbound", 60), ("inbound", 40)]);
                        v.set_std("direction", text(direction));
                        v.set_std("start_at", FieldValue::DateTime(at));
                        if kind == "call" {
                            v.set_std("end_at", FieldValue::DateTime(at + Duration::minutes(self.rng.range(1, 25))));
                            v.set_std("outcome", text(*self.rng.pick(names::OUTCOMES)));
                        }
                        v.set_std("done", FieldValue::Bool(true));
                    }
                    "meeting" => {
                        v.set_std("start_at", FieldValue::DateTime(at));
                        v.set_std("end_at", FieldValue::DateTime(at + Duration::minutes(60)));
                        v.set_std("done", FieldValue::Bool(at < self.now));
                    }
                    "task" => {
                        // Some tasks fall due in the coming weeks, some are overdue.
                        let due = self.now + Duration::days(self.rng.range(-20, 30));
                        v.set_std("due_at", FieldValue::DateTime(due));
                        v.set_std("done", FieldValue::Bool(due < self.now && self.rng.chance(0.6)));
                    }
                    _ => {
                        v.set_std("body", text(format!("{subject}. Noted during a conversation.")));
                        v.set_std("start_at", FieldValue::DateTime(at));
                        v.set_std("done", FieldValue::Bool(true));
                    }
                }
                let created = at.min(self.now);
                batch.push(self.new_record(ACTIVITIES, created, v));
            }
        }
        self.store(ACTIVITIES, batch).await
    }

    async fn leads(&mut self, count: u64, progress: Progress<'_>) -> Result<(), AppError> {
        let mut batch = Vec::with_capacity(self.batch);
        for n in 0..count {
            let country = &COUNTRIES[self.rng.below(COUNTRIES.len())];
            let (first, last) = self.person(country);
            let company = format!("{} {}", self.rng.pick(names::COMPANY_WORDS), self.rng.pick(names::COMPANY_KINDS).0);
            let mut v = Values::default();
            v.set_std("first_name", text(&first));
            v.set_std("last_name", text(&last));
            v.set_std("company", text(&company));
            v.set_std("title", text(*self.rng.pick(names::JOB_TITLES)));
            v.set_std(
                "email",
                text(format!("{}.{}{n}@{}", ascii(&first), ascii(&last), self.rng.pick(country.free_mail))),
            );
            v.set_std("phone", text(self.mobile(country)));
            v.set_std("source", text(*self.rng.pick(crate::LEAD_SOURCES)));
            let status = *self.rng.weighted(&[("new", 40), ("contacted", 30), ("qualified", 20), ("unqualified", 10)]);
            v.set_std("status", text(status));
            v.set_std("score", FieldValue::Int(self.rng.range(5, 95)));
            v.set_std("owner", reference(self.rng.pick(&self.reps).uuid()));
            let created = self.moment(n, count);
            batch.push(self.new_record(LEADS, created, v));
            if batch.len() >= self.batch {
                self.store(LEADS, std::mem::take(&mut batch)).await?;
                progress("leads", self.report.leads, count);
            }
        }
        self.store(LEADS, batch).await?;
        progress("leads", self.report.leads, count);
        Ok(())
    }

    async fn opportunities(&mut self, count: u64, progress: Progress<'_>) -> Result<(), AppError> {
        let pln = Currency::parse("PLN").expect("known");
        let eur = Currency::parse("EUR").expect("known");
        let mut batch = Vec::with_capacity(self.batch);
        for n in 0..count {
            let a = self.rng.below(self.accounts.len());
            let (account, contact, owner, key, country) = {
                let info = &self.accounts[a];
                (info.id, info.contact, info.owner, info.key_account, info.country)
            };
            // Older opportunities are more likely closed.
            let created = self.moment(n, count);
            let (pipeline, stages) = &self.pipelines[usize::from(key && self.pipelines.len() > 1)];
            let pipeline = *pipeline;
            let age_days = (self.now - created).num_days();
            let closed = age_days > 60 && self.rng.chance(0.7);
            let won = self.rng.chance(0.45);
            let roll = self.rng.next_u64() as usize;
            let stage = if closed {
                let kind = if won { "won" } else { "lost" };
                stages.iter().find(|s| s.kind.as_str() == kind).expect("pipelines have won and lost stages")
            } else {
                let open: Vec<_> = stages.iter().filter(|s| s.kind.as_str() == "open").collect();
                open[roll % open.len()]
            };
            let stage_id = stage.id.clone();
            let lost = stage.kind.as_str() == "lost";
            let (product, _) = *self.rng.pick(names::COMPANY_KINDS);
            let currency = if COUNTRIES[country].code == "PL" { pln } else { eur };
            let major = self.rng.range(2, 400) * 500;
            let mut v = Values::default();
            v.set_std("name", text(format!("{product} contract {}", created.format("%Y-%m"))));
            v.set_std("account", reference(account.uuid()));
            if let Some(c) = contact {
                v.set_std("primary_contact", reference(c.uuid()));
            }
            v.set_std("pipeline", reference(pipeline.uuid()));
            v.set_std("stage", text(stage_id));
            v.set_std("amount", FieldValue::Money(Money::new(currency.major_to_minor(major), currency)));
            let planned = created + Duration::days(self.rng.range(20, 180));
            let close = if closed { planned.min(self.now) } else { planned };
            v.set_std("expected_close_date", FieldValue::Date(close.date_naive()));
            if lost {
                v.set_std("lost_reason", text(*self.rng.pick(names::LOST_REASONS)));
            }
            v.set_std("owner", reference(owner.uuid()));
            let mut record = self.new_record(OPPORTUNITIES, created, v);
            if closed {
                // Closed deals were last changed when they closed.
                record.updated_at = close;
            }
            batch.push(record);
            if batch.len() >= self.batch {
                self.store(OPPORTUNITIES, std::mem::take(&mut batch)).await?;
                progress("opportunities", self.report.opportunities, count);
            }
        }
        self.store(OPPORTUNITIES, batch).await?;
        progress("opportunities", self.report.opportunities, count);
        Ok(())
    }
}

/// Loads demo data into `workspace`, acting as `actor`.
pub async fn load(app: &App, ctx: &Ctx, plan: &DemoPlan, progress: Progress<'_>) -> Result<DemoReport, AppError> {
    let mut loader = Loader {
        app,
        ctx: ctx.clone(),
        rng: Rng::new(plan.seed),
        now: app.store.now(),
        batch: plan.batch.max(1),
        reps: Vec::new(),
        accounts: Vec::new(),
        pipelines: Vec::new(),
        report: DemoReport::default(),
        tx: None,
        pending: 0,
    };
    let contacts = plan.contacts;
    loader.users().await?;
    loader.pipelines().await?;
    loader.accounts((contacts / 10).max(5), progress).await?;
    loader.contacts(contacts, progress).await?;
    loader.leads((contacts / 20).max(5), progress).await?;
    loader.opportunities((contacts / 10).max(5), progress).await?;
    loader.commit().await?;
    Ok(loader.report)
}

/// Writes `rows` contacts as CSV, the way a user's spreadsheet holds them:
/// phone numbers spaced for reading, several emails joined by `;`. Used by
/// the benchmark to measure importing (no references to other records, so
/// any database accepts the file).
pub fn write_contacts_csv<W: std::io::Write>(seed: u64, rows: u64, out: W) -> csv::Result<()> {
    let mut rng = Rng::new(seed);
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "first_name",
        "last_name",
        "title",
        "emails",
        "phones",
        "street",
        "city",
        "postal_code",
        "region",
        "country",
        "birthday",
        "language",
        "lifecycle",
    ])?;
    for n in 0..rows {
        let country = &COUNTRIES[rng.below(COUNTRIES.len())];
        let city = &country.cities[rng.below(country.cities.len())];
        let female = rng.chance(0.5);
        let surname = *rng.pick(country.surnames);
        let (first, last) = if female {
            (rng.pick(country.female_first).to_string(), country.female_surname(surname))
        } else {
            (rng.pick(country.male_first).to_string(), surname.to_string())
        };
        let email = format!("{}.{}{n}@{}", ascii(&first), ascii(&last), rng.pick(country.free_mail));
        let prefix = *rng.pick(country.mobile);
        let local = rng.digits(country.mobile_digits);
        let phone = format!("+{} {prefix} {} {}", country.calling_code, &local[..3], &local[3..]);
        let birthday = format!("{}-{:02}-{:02}", rng.range(1950, 2003), rng.range(1, 12), rng.range(1, 28));
        let street = format!("{} {}", rng.pick(names::STREETS), rng.range(1, 180));
        let lifecycle = *rng.weighted(&[("current", 55), ("potential", 35), ("former", 10)]);
        w.write_record([
            first.as_str(),
            last.as_str(),
            *rng.pick(names::JOB_TITLES),
            email.as_str(),
            phone.as_str(),
            street.as_str(),
            city.name,
            &postal_code(&mut rng, city.postal),
            city.region,
            country.name,
            birthday.as_str(),
            country.language,
            lifecycle,
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Words people search for: surnames, first names and cities of the demo data.
pub fn search_words() -> Vec<String> {
    let mut words = Vec::new();
    for c in COUNTRIES {
        words.extend(c.surnames.iter().map(|s| s.to_string()));
        words.extend(c.female_first.iter().take(5).map(|s| s.to_string()));
        words.extend(c.cities.iter().map(|city| city.name.to_string()));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use relata_core::phone::PhoneE164;

    #[test]
    fn generated_phone_numbers_are_valid_e164() {
        let mut rng = Rng::new(7);
        for country in COUNTRIES {
            for _ in 0..40 {
                let prefix = *rng.pick(country.mobile);
                let mobile = phone_number(&mut rng, country.calling_code, prefix, country.mobile_digits);
                assert_eq!(PhoneE164::parse(&mobile, None).map(|p| p.as_str().to_string()), Ok(mobile.clone()));
                for city in country.cities {
                    let landline = phone_number(&mut rng, country.calling_code, city.area, city.local_digits);
                    assert_eq!(
                        PhoneE164::parse(&landline, None).map(|p| p.as_str().to_string()),
                        Ok(landline.clone()),
                        "{} {}",
                        country.code,
                        city.name
                    );
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let a: Vec<u64> = (0..5).scan(Rng::new(3), |r, _| Some(r.next_u64())).collect();
        let b: Vec<u64> = (0..5).scan(Rng::new(3), |r, _| Some(r.next_u64())).collect();
        assert_eq!(a, b);
        assert_ne!(a, (0..5).scan(Rng::new(4), |r, _| Some(r.next_u64())).collect::<Vec<_>>());
    }

    #[test]
    fn names_become_ascii_email_parts() {
        assert_eq!(ascii("Łukasz Wiśniewski"), "lukaszwisniewski");
        assert_eq!(ascii("Kazlauskienė"), "kazlauskiene");
        let email = format!("{}.{}@example.com", ascii("Małgorzata"), ascii("Dąbrowska"));
        assert!(relata_core::email::Email::parse(&email).is_ok());
    }

    #[test]
    fn the_benchmark_csv_imports_cleanly() {
        use relata_core::meta::Schema;
        use relata_core::value::{ParseContext, parse_text};
        crate::install_for_tests();
        let mut out = Vec::new();
        write_contacts_csv(1, 200, &mut out).unwrap();
        let schema = Schema::standard(CONTACTS);
        let ctx = ParseContext { phone_region: None, currencies: vec![Currency::parse("EUR").unwrap()] };
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let headers = reader.headers().unwrap().clone();
        for row in reader.records() {
            for (header, cell) in headers.iter().zip(row.unwrap().iter()) {
                let field = schema.field(header).unwrap();
                assert!(parse_text(field, cell, &ctx).is_ok(), "{header}: {cell:?}");
            }
        }
    }

    #[test]
    fn surnames_take_the_female_form() {
        assert_eq!(COUNTRIES[0].female_surname("Kowalski"), "Kowalska");
        assert_eq!(COUNTRIES[1].female_surname("Kazlauskas"), "Kazlauskienė");
        assert_eq!(COUNTRIES[2].female_surname("Ivanov"), "Ivanova");
    }
}
