//! The events of two common telephone switches read as the generic body
//! (`call_id`, `event`, `direction`, `from`, `to`, `queue`, `extension`,
//! `at`): Asterisk's manager interface (AMI) and FreeSWITCH's event socket,
//! each sent as the switch writes it (its `Key: Value` lines, or the same
//! keys in a JSON object). A body with `Event` (so spelled) is Asterisk's,
//! one with `Event-Name` FreeSWITCH's, anything else is the generic body. Events
//! that say nothing about where a call stands (a variable set, a DTMF
//! digit) are answered as ignored, not refused: a switch forwards them all.

use serde_json::{Map, Value as Json, json};

/// What a body says, read in the generic form.
#[derive(Debug, PartialEq)]
pub enum Read {
    /// The generic body (given as it was, or mapped from a switch's).
    Generic(Json),
    /// A switch's event with no bearing on the call: its name.
    Ignored(String),
}

/// Which switch wrote a body, by its keys.
pub fn read(body: &Json) -> Read {
    let Some(fields) = body.as_object() else { return Read::Generic(body.clone()) };
    // The keys as the switches spell them: the generic body's `event` is
    // in lower case.
    let exact = |key: &str| fields.get(key).and_then(Json::as_str).map(str::to_string);
    if let Some(name) = exact("Event-Name") {
        freeswitch(fields, &name)
    } else if let Some(name) = exact("Event") {
        asterisk(fields, &name)
    } else {
        Read::Generic(body.clone())
    }
}

/// A switch's `Key: Value` lines (AMI's, or the event socket's plain
/// format, whose values are URL-encoded) as a JSON object; `None` when a
/// line is not of that form.
pub fn lines(text: &str) -> Option<Json> {
    let mut fields = Map::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (key, value) = line.split_once(':')?;
        let key = key.trim();
        if key.is_empty() || key.contains(' ') {
            return None;
        }
        let value = value.trim();
        let decoded = percent_decoded(value).unwrap_or_else(|| value.to_string());
        fields.insert(key.to_string(), Json::String(decoded));
    }
    (!fields.is_empty()).then_some(Json::Object(fields))
}

/// `%XX` escapes undone (FreeSWITCH's plain events); `None` if there were
/// none or they do not make UTF-8.
fn percent_decoded(value: &str) -> Option<String> {
    if !value.contains('%') {
        return None;
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(byte) = u8::from_str_radix(value.get(i + 1..i + 3)?, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A key's text, matched without regard to case (AMI's keys vary in case
/// between versions).
fn field(fields: &Map<String, Json>, key: &str) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The extension in a channel or interface name: `PJSIP/201-00000012`,
/// `SIP/201`, `Local/201@agents` and `sofia/internal/201@pbx` are all 201.
fn extension_in(channel: &str) -> String {
    let last = channel.rsplit('/').next().unwrap_or(channel);
    let last = last.split('@').next().unwrap_or(last);
    // A channel's unique suffix: the last `-` and what follows, when hex.
    match last.rsplit_once('-') {
        Some((name, suffix)) if !name.is_empty() && suffix.chars().all(|c| c.is_ascii_hexdigit()) => name.to_string(),
        _ => last.to_string(),
    }
}

/// A time given in seconds (AMI's `Timestamp`, with a fraction) or
/// microseconds (FreeSWITCH's `Event-Date-Timestamp`) since 1970, as RFC 3339.
fn epoch(text: &str, per_second: f64) -> Option<String> {
    let value: f64 = text.parse().ok()?;
    let micros = (value / per_second * 1e6).round();
    if !(0.0..=253_402_300_799e6).contains(&micros) {
        return None;
    }
    let at = chrono::DateTime::from_timestamp_micros(micros as i64)?;
    Some(at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

fn generic(call_id: Option<String>, event: &str, direction: String, fields: Vec<(&str, Option<String>)>) -> Read {
    let mut body = json!({"call_id": call_id, "event": event, "direction": direction});
    for (key, value) in fields {
        if let Some(value) = value {
            body[key] = Json::String(value);
        }
    }
    Read::Generic(body)
}

/// Asterisk AMI: the call is its `Linkedid` (shared by every channel of a
/// call), else its `Uniqueid`; the caller `CallerIDNum`; the number called
/// `Exten`; the agent's extension from `Interface` (queue events) or
/// `DestChannel` (dial events); `Direction` when the dial plan sets it.
fn asterisk(fields: &Map<String, Json>, name: &str) -> Read {
    let get = |key: &str| field(fields, key);
    let event = match name.to_ascii_lowercase().as_str() {
        "newchannel" | "queuecallerjoin" | "join" | "agentcalled" => "ringing",
        "agentconnect" => "answered",
        "dialend" if get("DialStatus").is_some_and(|s| s.eq_ignore_ascii_case("ANSWER")) => "answered",
        "blindtransfer" | "attendedtransfer" => "transferred",
        "hangup" | "queuecallerabandon" => "ended",
        _ => return Read::Ignored(name.to_string()),
    };
    let agent = get("Interface").or_else(|| get("DestChannel")).map(|c| extension_in(&c));
    let transferred_to = get("Extension");
    let extension = if event == "transferred" { transferred_to.or(agent) } else { agent };
    let from = get("CallerIDNum").map(|n| if n == "<unknown>" { "unknown".to_string() } else { n });
    let direction = get("Direction").map(|d| d.to_ascii_lowercase()).unwrap_or_else(|| "inbound".into());
    generic(
        get("Linkedid").or_else(|| get("Uniqueid")),
        event,
        direction,
        vec![
            ("from", from),
            ("to", get("Exten")),
            ("queue", get("Queue")),
            ("extension", extension),
            ("at", get("Timestamp").and_then(|t| epoch(&t, 1.0))),
        ],
    )
}

/// FreeSWITCH event socket: the call is its `Channel-Call-UUID`, else its
/// `Unique-ID`; the caller `Caller-Caller-ID-Number`; the number called
/// `Caller-Destination-Number`; the agent's extension the bridged leg's
/// `Other-Leg-Destination-Number`; the queue `variable_cc_queue`.
fn freeswitch(fields: &Map<String, Json>, name: &str) -> Read {
    let get = |key: &str| field(fields, key);
    let event = match name.to_ascii_uppercase().as_str() {
        "CHANNEL_CREATE" | "CHANNEL_PROGRESS" | "CHANNEL_PROGRESS_MEDIA" => "ringing",
        "CHANNEL_ANSWER" | "CHANNEL_BRIDGE" => "answered",
        "CHANNEL_HANGUP" | "CHANNEL_HANGUP_COMPLETE" => "ended",
        _ => return Read::Ignored(name.to_string()),
    };
    let direction = match get("Call-Direction").map(|d| d.to_ascii_lowercase()) {
        Some(d) if d == "outbound" => "outbound",
        _ => "inbound",
    };
    let extension = get("Other-Leg-Destination-Number").or_else(|| get("variable_cc_agent").map(|a| extension_in(&a)));
    generic(
        get("Channel-Call-UUID").or_else(|| get("Unique-ID")),
        event,
        direction.to_string(),
        vec![
            ("from", get("Caller-Caller-ID-Number")),
            ("to", get("Caller-Destination-Number")),
            ("queue", get("variable_cc_queue")),
            ("extension", extension),
            ("at", get("Event-Date-Timestamp").and_then(|t| epoch(&t, 1e6))),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generic_of(body: Json) -> Json {
        match read(&body) {
            Read::Generic(g) => g,
            Read::Ignored(name) => panic!("{name} ignored"),
        }
    }

    #[test]
    fn asterisk_queue_events_become_a_call() {
        let text = "Event: QueueCallerJoin\r\nChannel: PJSIP/trunk-0000002a\r\nCallerIDNum: 0501234567\r\n\
                    Exten: 800\r\nQueue: support\r\nUniqueid: 1733.42\r\nLinkedid: 1733.40\r\nTimestamp: 1765000000.250000\r\n";
        let body = lines(text).expect("AMI lines");
        let ringing = generic_of(body);
        assert_eq!(ringing["call_id"], "1733.40", "the linked id names the whole call");
        assert_eq!((ringing["event"].as_str(), ringing["from"].as_str()), (Some("ringing"), Some("0501234567")));
        assert_eq!((ringing["to"].as_str(), ringing["queue"].as_str()), (Some("800"), Some("support")));
        assert_eq!(ringing["at"], "2025-12-06T05:46:40.250000Z");
        let connect = generic_of(json!({"Event": "AgentConnect", "Interface": "PJSIP/201", "Linkedid": "1733.40",
                                         "CallerIDNum": "<unknown>"}));
        assert_eq!((connect["event"].as_str(), connect["extension"].as_str()), (Some("answered"), Some("201")));
        assert_eq!(connect["from"], "unknown", "Asterisk's unknown caller is a withheld number");
        let transfer = generic_of(json!({"Event": "BlindTransfer", "Extension": "305", "Linkedid": "1733.40"}));
        assert_eq!((transfer["event"].as_str(), transfer["extension"].as_str()), (Some("transferred"), Some("305")));
        let hangup = generic_of(json!({"Event": "Hangup", "uniqueid": "1733.40", "direction": "Outbound"}));
        assert_eq!((hangup["event"].as_str(), hangup["direction"].as_str()), (Some("ended"), Some("outbound")));
        let unanswered = read(&json!({"Event": "DialEnd", "DialStatus": "NOANSWER", "Uniqueid": "1"}));
        assert_eq!(unanswered, Read::Ignored("DialEnd".into()));
        assert_eq!(read(&json!({"Event": "VarSet"})), Read::Ignored("VarSet".into()));
    }

    #[test]
    fn freeswitch_channel_events_become_a_call() {
        let text = "Event-Name: CHANNEL_BRIDGE\nChannel-Call-UUID: 9f1c\nUnique-ID: 77aa\n\
                    Caller-Caller-ID-Number: %2B48501234567\nCaller-Destination-Number: 800\n\
                    Call-Direction: inbound\nOther-Leg-Destination-Number: 201\nvariable_cc_queue: support%40default\n\
                    Event-Date-Timestamp: 1765000000250000\n";
        let bridged = generic_of(lines(text).expect("plain event"));
        assert_eq!((bridged["call_id"].as_str(), bridged["event"].as_str()), (Some("9f1c"), Some("answered")));
        assert_eq!(bridged["from"], "+48501234567", "values are URL-decoded");
        assert_eq!((bridged["extension"].as_str(), bridged["queue"].as_str()), (Some("201"), Some("support@default")));
        assert_eq!(bridged["at"], "2025-12-06T05:46:40.250000Z");
        let hangup = generic_of(json!({"Event-Name": "CHANNEL_HANGUP_COMPLETE", "Unique-ID": "77aa",
                                        "Call-Direction": "outbound"}));
        assert_eq!((hangup["call_id"].as_str(), hangup["direction"].as_str()), (Some("77aa"), Some("outbound")));
        assert_eq!(read(&json!({"Event-Name": "DTMF"})), Read::Ignored("DTMF".into()));
    }

    #[test]
    fn other_bodies_pass_as_they_are() {
        let body = json!({"call_id": "c1", "event": "ringing"});
        assert_eq!(read(&body), Read::Generic(body.clone()));
        let no_call = json!({"event": "ringing"});
        assert_eq!(read(&no_call), Read::Generic(no_call.clone()), "the generic body's own key, not Asterisk's");
        assert_eq!(lines("not a header line"), None);
        assert_eq!(lines("Key With Space: x"), None);
        assert_eq!(extension_in("Local/201@agents-0000abcd;1"), "201");
        assert_eq!(extension_in("sofia/internal/201@pbx.example"), "201");
        assert_eq!(epoch("1e300", 1.0), None, "a time past year 9999 is not one");
    }
}
