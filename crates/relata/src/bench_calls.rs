//! The call center's live figure: agents connected to their screen-pop
//! streams (`GET /api/v1/telephony/screen_pops`) while the switch sends
//! ringing events for their extensions from several connections at once;
//! how many events the server takes per second, and how long from sending
//! an event to its pop arriving in the agent's stream.

use crate::bench::{figure, post_sequential, sequential, urlencode};
use relata_app::{App, Ctx};
use relata_store::admin::Workspace;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Agents connected at once.
pub(crate) const AGENTS: usize = 50;
/// Ringing events sent at most (fewer for a small data set), and over how
/// many connections.
const EVENTS: usize = 2000;
const SWITCH_CONNECTIONS: usize = 8;
/// The first extension (agent n has `FIRST_EXTENSION + n`).
const FIRST_EXTENSION: usize = 7000;

/// (user id, read token) of each bench agent, made members of `ws` as
/// service agents (found again when the bench runs on the same data).
pub(crate) async fn agents(app: &App, ws: &Workspace) -> Result<Vec<(String, String)>, String> {
    let ctx = Ctx::new(ws.clone(), None);
    let mut out = Vec::with_capacity(AGENTS);
    for n in 0..AGENTS {
        let email = format!("agent{n}@bench.relata.invalid");
        let user = match app.store.account_by_email(&email).await.map_err(|e| e.to_string())? {
            Some(account) => account.user,
            None => {
                let password = format!("bench agent {n} password");
                let added = relata_app::people::add_user(app, &ctx, &email, "service_agent", None, Some(&password))
                    .await
                    .map_err(|e| e.to_string())?;
                added.user.ok_or("the agent was invited, not added")?
            }
        };
        let token = app.store.create_token(ws.id, user.id, "bench agent", "read").await.map_err(|e| e.to_string())?;
        out.push((user.id.to_string(), token.secret));
    }
    Ok(out)
}

/// Who the call-center figures ask as, and about whom.
pub(crate) struct Callers<'a> {
    /// (id, first phone) of contacts spread over the table.
    pub sample: &'a [(String, Option<String>)],
    /// Read-only, for the lookups.
    pub token: &'a str,
    /// The administrator's, to set the extensions.
    pub writer_token: &'a str,
    pub switch_token: &'a str,
    pub agents: &'a [(String, String)],
}

/// The call-center figures against the server at `addr`: the caller
/// lookup, the switch's ringing events one after the other, and events
/// from several connections with screen pops to connected agents.
pub(crate) async fn figures(addr: &str, callers: &Callers<'_>, contacts: u64) {
    let Callers { sample, token, writer_token, switch_token, agents } = *callers;
    let bearer = format!("Bearer {token}");
    let urls: Vec<String> = sample
        .iter()
        .filter_map(|(_, phone)| phone.as_ref())
        .take(1000)
        .map(|p| format!("http://{addr}/api/v1/lookup?phone={}", urlencode(p)))
        .collect();
    let lookup = sequential(&urls, ("authorization", &bearer)).await;
    figure(
        "lookup_by_phone",
        json!({"requests": lookup.requests, "p50_ms": lookup.p(0.5), "p95_ms": lookup.p(0.95),
            "p99_ms": lookup.p(0.99), "errors": lookup.errors, "target_p95_ms": 2,
            "target_p99_ms": 2,
            "note": "the numbers of up to 1,000 contacts sampled over the whole table, one request after the other"}),
    );

    // The switch's ringing events for the same callers, their numbers
    // written as switches send them (00 prefixes, dashes, no spaces): each
    // one identified, ranked and kept as a call, one after the other.
    let mixed = |n: usize, phone: &str| {
        let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
        match n % 3 {
            0 => format!("00{digits}"),
            1 => format!("+{}-{}", &digits[..digits.len().min(2)], &digits[digits.len().min(2)..]),
            _ => format!("+{digits}"),
        }
    };
    let phones: Vec<String> = sample
        .iter()
        .filter_map(|(_, phone)| phone.as_ref())
        .take(1000)
        .enumerate()
        .map(|(n, p)| mixed(n, p))
        .collect();
    let bodies: Vec<String> = phones
        .iter()
        .enumerate()
        .map(|(n, p)| json!({"call_id": format!("bench-{n}"), "event": "ringing", "from": p}).to_string())
        .collect();
    let events = post_sequential(&format!("http://{addr}/api/v1/telephony/events"), &bodies, switch_token).await;
    figure(
        "telephony_ringing_events",
        json!({"requests": events.requests, "p50_ms": events.p(0.5), "p95_ms": events.p(0.95),
            "p99_ms": events.p(0.99), "events_per_second": events.rate(),
            "errors": events.errors, "caller_lookup_target_p99_ms": 2, "note": "one switch, sequential; each event \
            is a lookup, a ranking and a committed write"}),
    );
    screen_pops(addr, writer_token, switch_token, agents, &phones, contacts).await;
}

/// Connects every agent, sends the events, and prints
/// `telephony_screen_pops`.
pub(crate) async fn screen_pops(
    addr: &str,
    admin_token: &str,
    switch_token: &str,
    agents: &[(String, String)],
    phones: &[String],
    contacts: u64,
) {
    let events = (contacts as usize / 2).clamp(100, EVENTS);
    let client = reqwest::Client::new();
    let extensions: serde_json::Map<String, serde_json::Value> =
        agents.iter().enumerate().map(|(n, (user, _))| ((FIRST_EXTENSION + n).to_string(), json!(user))).collect();
    let set = client
        .put(format!("http://{addr}/api/v1/telephony/settings"))
        .bearer_auth(admin_token)
        .json(&json!({"extensions": extensions}))
        .send()
        .await;
    if !set.as_ref().is_ok_and(|r| r.status().is_success()) {
        figure("telephony_screen_pops", json!({"errors": 1, "note": "the extensions could not be set"}));
        return;
    }
    // The baseline of the same run: the same events with no agent
    // connected (no screen pops to make).
    let unheard = Arc::new(std::sync::Mutex::new(HashMap::new()));
    let switch = Switch { client: &client, addr, token: switch_token, phones };
    let (alone, alone_errors) = switch.ring(events / 2, "alone", &unheard).await;
    let (arrived, mut arrivals) = mpsc::unbounded_channel::<(String, Instant)>();
    let (ready, mut connected) = mpsc::unbounded_channel::<bool>();
    let listeners: Vec<_> = agents
        .iter()
        .map(|(_, token)| {
            tokio::spawn(listen(client.clone(), addr.to_string(), token.clone(), ready.clone(), arrived.clone()))
        })
        .collect();
    let mut streams = 0;
    while streams < agents.len() {
        match tokio::time::timeout(Duration::from_secs(10), connected.recv()).await {
            Ok(Some(true)) => streams += 1,
            _ => break,
        }
    }
    let sent = Arc::new(std::sync::Mutex::new(HashMap::<String, Instant>::with_capacity(events)));
    let (posting, errors) = switch.ring(events, "pop", &sent).await;
    // The pops still on their way: wait until each came, or a while after.
    let mut latencies = Vec::with_capacity(events);
    let sent = std::mem::take(&mut *sent.lock().expect("the sent times"));
    while latencies.len() < sent.len() {
        match tokio::time::timeout(Duration::from_secs(10), arrivals.recv()).await {
            Ok(Some((call_id, at))) => {
                if let Some(from) = sent.get(&call_id) {
                    latencies.push(at.saturating_duration_since(*from).as_micros() as u64);
                }
            }
            _ => break,
        }
    }
    for listener in listeners {
        listener.abort();
    }
    latencies.sort_unstable();
    let p = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1))
            .map(|m| (*m as f64 / 10.0).round() / 100.0)
    };
    figure(
        "telephony_screen_pops",
        json!({"agents_connected": streams, "events": events, "switch_connections": SWITCH_CONNECTIONS,
               "events_per_second": (events as f64 / posting).round(), "pops_delivered": latencies.len(),
               "events_per_second_without_agents": ((events / 2) as f64 / alone).round(),
               "pop_p50_ms": p(0.5), "pop_p95_ms": p(0.95), "pop_p99_ms": p(0.99),
               "errors": alone_errors + errors, "target_events_per_second": 1000,
               "note": "ringing events for the agents' extensions, each identified, ranked, kept and pushed to \
                        the agent's server-sent event stream"}),
    );
}

/// The switch's side: ringing events for the agents' extensions from
/// several connections at once.
struct Switch<'a> {
    client: &'a reqwest::Client,
    addr: &'a str,
    token: &'a str,
    phones: &'a [String],
}

impl Switch<'_> {
    /// Sends `events` ringing events (call ids `<tag>-…`), noting when each
    /// was sent in `sent`; (seconds taken, errors).
    async fn ring(
        &self,
        events: usize,
        tag: &str,
        sent: &Arc<std::sync::Mutex<HashMap<String, Instant>>>,
    ) -> (f64, usize) {
        let next = Arc::new(AtomicUsize::new(0));
        let errors = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let switches: Vec<_> = (0..SWITCH_CONNECTIONS)
            .map(|_| {
                let (client, url, token) = (
                    self.client.clone(),
                    format!("http://{}/api/v1/telephony/events", self.addr),
                    self.token.to_string(),
                );
                let (sent, next, errors, phones) = (sent.clone(), next.clone(), errors.clone(), self.phones.to_vec());
                let tag = format!("{tag}-{}", std::process::id());
                tokio::spawn(async move {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= events {
                            break;
                        }
                        let call_id = format!("{tag}-{n}");
                        let body = json!({"call_id": call_id, "event": "ringing", "from": phones[n % phones.len()],
                                          "extension": (FIRST_EXTENSION + n % AGENTS).to_string()});
                        sent.lock().expect("the sent times").insert(call_id, Instant::now());
                        match client.post(&url).bearer_auth(&token).json(&body).send().await {
                            Ok(r) if r.status().is_success() => {
                                let _ = r.bytes().await;
                            }
                            _ => {
                                errors.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                })
            })
            .collect();
        for switch in switches {
            let _ = switch.await;
        }
        (started.elapsed().as_secs_f64(), errors.load(Ordering::Relaxed))
    }
}

/// One agent's stream: says when it is connected, then the call id and
/// arrival time of each pop.
async fn listen(
    client: reqwest::Client,
    addr: String,
    token: String,
    ready: mpsc::UnboundedSender<bool>,
    arrived: mpsc::UnboundedSender<(String, Instant)>,
) {
    let response = client.get(format!("http://{addr}/api/v1/telephony/screen_pops")).bearer_auth(&token).send().await;
    let Ok(mut response) = response.map_err(drop).and_then(|r| if r.status() == 200 { Ok(r) } else { Err(()) }) else {
        let _ = ready.send(false);
        return;
    };
    let _ = ready.send(true);
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let at = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if !event.lines().any(|l| l == "event: pop") {
                continue;
            }
            let data = event.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or_default();
            if let Some(call_id) = serde_json::from_str::<serde_json::Value>(data)
                .ok()
                .and_then(|d| d["call_id"].as_str().map(str::to_string))
            {
                let _ = arrived.send((call_id, at));
            }
        }
    }
}
