//! An IMAP session for the mailbox sync: connect (TLS, STARTTLS, or plain
//! on loopback), log in, and read a folder by UID without changing it
//! (EXAMINE and `BODY.PEEK`: syncing never marks mail as read).

use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// What the session runs over: TCP, or TLS over TCP.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> Stream for T {}

pub type ImapSession = Session<Box<dyn Stream>>;

/// No step of a sync waits longer than this on a server.
const TIMEOUT: Duration = Duration::from_secs(60);

async fn timed<T, E: std::fmt::Display>(
    what: &str,
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => Err(format!("{what}: no answer in {} s", TIMEOUT.as_secs())),
    }
}

async fn tls(host: &str, tcp: TcpStream) -> Result<Box<dyn Stream>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_string()).map_err(|e| format!("{host}: {e}"))?;
    let stream = timed("TLS", tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp)).await?;
    Ok(Box::new(stream))
}

/// A logged-in session; `security` is `tls`, `starttls` or `none`.
pub async fn connect(
    host: &str,
    port: u16,
    security: &str,
    username: &str,
    password: &str,
) -> Result<ImapSession, String> {
    let tcp = timed("connect", TcpStream::connect((host, port))).await?;
    let stream: Box<dyn Stream> = match security {
        "tls" => tls(host, tcp).await?,
        "starttls" => {
            let mut plain = Client::new(tcp);
            greeting(&mut plain).await?;
            timed("STARTTLS", plain.run_command_and_check_ok("STARTTLS", None)).await?;
            tls(host, plain.into_inner()).await?
        }
        _ => Box::new(tcp),
    };
    let mut client = Client::new(stream);
    // There is no second greeting after STARTTLS.
    if security != "starttls" {
        greeting(&mut client).await?;
    }
    match tokio::time::timeout(TIMEOUT, client.login(username, password)).await {
        Ok(Ok(session)) => Ok(session),
        Ok(Err((e, _))) => Err(format!("login refused: {e}")),
        Err(_) => Err("login: no answer".into()),
    }
}

async fn greeting<T: Stream>(client: &mut Client<T>) -> Result<(), String> {
    match tokio::time::timeout(TIMEOUT, client.read_response()).await {
        Ok(Ok(Some(_))) => Ok(()),
        Ok(Ok(None)) => Err("the server closed the connection before its greeting".into()),
        Ok(Err(e)) => Err(format!("greeting: {e}")),
        Err(_) => Err("greeting: no answer".into()),
    }
}

/// A folder opened read-only: its UIDVALIDITY (0 when the server gives none).
pub async fn open(session: &mut ImapSession, folder: &str) -> Result<u32, String> {
    let mailbox = timed(&format!("EXAMINE {folder}"), session.examine(folder)).await?;
    Ok(mailbox.uid_validity.unwrap_or(0))
}

/// The UIDs after `last` in the open folder, in order.
pub async fn uids_after(session: &mut ImapSession, last: u32) -> Result<Vec<u32>, String> {
    let found = timed("UID SEARCH", session.uid_search(format!("UID {}:*", last.saturating_add(1)))).await?;
    // `n:*` names the last message even when its UID is below n.
    let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > last).collect();
    uids.sort_unstable();
    Ok(uids)
}

/// A message as fetched: whole, or (over the size limit) its header alone.
#[derive(Debug)]
pub struct Fetched {
    pub uid: u32,
    /// The whole message's size in bytes, as the server gives it.
    pub size: u32,
    pub raw: Vec<u8>,
    /// `raw` is the header only: the message is larger than was asked for.
    pub header_only: bool,
}

/// The messages with these UIDs, in UID order: whole up to `limit` bytes,
/// only their header above it (their size is asked first, so that a huge
/// message is never downloaded).
pub async fn fetch(session: &mut ImapSession, uids: &[u32], limit: u32) -> Result<Vec<Fetched>, String> {
    let sizes = fetch_items(session, uids, "(UID RFC822.SIZE)").await?;
    let sizes: Vec<(u32, u32)> = sizes.iter().filter_map(|f| Some((f.uid?, f.size.unwrap_or(0)))).collect();
    let (whole, large): (Vec<_>, Vec<_>) = sizes.into_iter().partition(|(_, size)| *size <= limit);
    let mut out = Vec::with_capacity(uids.len());
    for (wanted, query, header_only) in
        [(&whole, "(UID BODY.PEEK[])", false), (&large, "(UID BODY.PEEK[HEADER])", true)]
    {
        if wanted.is_empty() {
            continue;
        }
        let asked: Vec<u32> = wanted.iter().map(|(uid, _)| *uid).collect();
        for f in fetch_items(session, &asked, query).await? {
            let raw = if header_only { f.header() } else { f.body() };
            let (Some(uid), Some(raw)) = (f.uid, raw) else { continue };
            if let Some((_, size)) = wanted.iter().find(|(u, _)| *u == uid) {
                out.push(Fetched { uid, size: *size, raw: raw.to_vec(), header_only });
            }
        }
    }
    out.sort_by_key(|f| f.uid);
    out.dedup_by_key(|f| f.uid);
    Ok(out)
}

async fn fetch_items(
    session: &mut ImapSession,
    uids: &[u32],
    query: &str,
) -> Result<Vec<async_imap::types::Fetch>, String> {
    let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    timed("UID FETCH", async { session.uid_fetch(&set, query).await?.try_collect::<Vec<_>>().await }).await
}

pub async fn logout(mut session: ImapSession) {
    let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
}
