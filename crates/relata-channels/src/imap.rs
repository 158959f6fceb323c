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

/// The raw messages with these UIDs, as `(uid, bytes)` in UID order.
pub async fn fetch(session: &mut ImapSession, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, String> {
    let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let fetched: Vec<_> =
        timed("UID FETCH", async { session.uid_fetch(&set, "(UID BODY.PEEK[])").await?.try_collect::<Vec<_>>().await })
            .await?;
    let mut out: Vec<(u32, Vec<u8>)> =
        fetched.iter().filter_map(|f| Some((f.uid?, f.body()?.to_vec()))).filter(|(u, _)| uids.contains(u)).collect();
    out.sort_by_key(|(u, _)| *u);
    Ok(out)
}

pub async fn logout(mut session: ImapSession) {
    let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
}
