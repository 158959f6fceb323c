//! Relata's own SMTP endpoint for the service desk, for a desk set to
//! `receive: smtp`: the part of RFC 5321 a relay from the company's mail
//! server needs (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; SIZE and
//! 8BITMIME). Mail to a desk's address is taken as a desk's IMAP mail is (a
//! case, a reply threaded into one, or held), and the sender hears `250`
//! only once it is committed: a failure answers `451`, and the sender's
//! retry is not taken twice. Mail to any other address is refused: it
//! relays nothing. It checks no SPF, DKIM or DMARC itself: it is meant to
//! sit behind the company's MX, whose `Authentication-Results` it reads.

use crate::inbound::{self, DeskMailbox};
use relata_app::{App, AppError, Ctx};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// The largest message taken at all (a desk holds what is over its own limit).
pub const MAX_MESSAGE: usize = 100 * 1024 * 1024;
/// A command line, and a line of text, at most (RFC 5321 4.5.3.1).
const MAX_LINE: usize = 1000;
const MAX_RECIPIENTS: usize = 100;
/// How long a client may stay silent (RFC 5321 4.5.3.2 asks for 5 minutes).
const IDLE: Duration = Duration::from_secs(300);

/// Accepts connections until `stop` turns true.
pub async fn serve(app: Arc<App>, listener: TcpListener, mut stop: tokio::sync::watch::Receiver<bool>) {
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let app = Arc::clone(&app);
                    tokio::spawn(async move {
                        let (read, write) = stream.into_split();
                        if let Err(e) = session(&app, BufReader::new(read), write, &peer.to_string()).await {
                            tracing::debug!(%peer, error = %e, "SMTP session ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "SMTP accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = &mut stopped => return,
        }
    }
}

/// A recipient: a desk, in its workspace.
struct Recipient {
    ctx: Ctx,
    desk: DeskMailbox,
}

/// What a line of the client's turned out to be.
enum Line {
    Text(Vec<u8>),
    TooLong,
    Closed,
}

async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let read = tokio::time::timeout(IDLE, (&mut *reader).take(MAX_LINE as u64 + 2).read_until(b'\n', &mut line))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
    if read == 0 {
        return Ok(Line::Closed);
    }
    if !line.ends_with(b"\n") {
        // The rest of the overlong line is skipped, a bounded piece at a time.
        loop {
            let mut rest = Vec::new();
            let read = (&mut *reader).take(MAX_LINE as u64).read_until(b'\n', &mut rest).await?;
            if read == 0 || rest.ends_with(b"\n") {
                return Ok(Line::TooLong);
            }
        }
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(Line::Text(line))
}

async fn reply<W: AsyncWrite + Unpin>(writer: &mut W, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes()).await?;
    writer.write_all(b"\r\n").await?;
    writer.flush().await
}

/// The address in `<…>` after a command's colon (`MAIL FROM:<a@b> SIZE=9`).
pub fn path_of(argument: &str) -> Option<(String, &str)> {
    let argument = argument.trim_start();
    let rest = argument.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some((rest[..end].trim().to_lowercase(), rest[end + 1..].trim()))
}

/// One client's conversation.
async fn session<R, W>(app: &App, mut reader: R, mut writer: W, peer: &str) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    reply(&mut writer, "220 relata ESMTP ready").await?;
    let mut greeted: Option<String> = None;
    let mut sender: Option<String> = None;
    let mut recipients: Vec<Recipient> = Vec::new();
    loop {
        let line = match read_line(&mut reader).await? {
            Line::Closed => return Ok(()),
            Line::TooLong => {
                reply(&mut writer, "500 5.5.2 line too long").await?;
                continue;
            }
            Line::Text(line) => String::from_utf8_lossy(&line).into_owned(),
        };
        let (verb, argument) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" | "HELO" if argument.trim().is_empty() => reply(&mut writer, "501 5.5.4 say who you are").await?,
            "EHLO" => {
                greeted = Some(argument.trim().to_string());
                (sender, recipients) = (None, Vec::new());
                let hello = format!("250-relata\r\n250-SIZE {MAX_MESSAGE}\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES");
                reply(&mut writer, &hello).await?;
            }
            "HELO" => {
                greeted = Some(argument.trim().to_string());
                (sender, recipients) = (None, Vec::new());
                reply(&mut writer, "250 relata").await?;
            }
            "MAIL" if greeted.is_none() => reply(&mut writer, "503 5.5.1 EHLO first").await?,
            "MAIL" => match argument
                .get(..5)
                .filter(|p| p.eq_ignore_ascii_case("FROM:"))
                .and_then(|_| path_of(&argument[5..]))
            {
                None => reply(&mut writer, "501 5.5.4 MAIL FROM:<address>").await?,
                Some((_, params)) if declared_size(params).is_some_and(|s| s > MAX_MESSAGE) => {
                    reply(&mut writer, "552 5.3.4 message too big").await?
                }
                Some((from, _)) => {
                    (sender, recipients) = (Some(from), Vec::new());
                    reply(&mut writer, "250 2.1.0 OK").await?;
                }
            },
            "RCPT" if sender.is_none() => reply(&mut writer, "503 5.5.1 MAIL first").await?,
            "RCPT" => {
                let address =
                    argument.get(..3).filter(|p| p.eq_ignore_ascii_case("TO:")).and_then(|_| path_of(&argument[3..]));
                let Some((address, _)) = address else {
                    reply(&mut writer, "501 5.5.4 RCPT TO:<address>").await?;
                    continue;
                };
                if recipients.len() >= MAX_RECIPIENTS {
                    reply(&mut writer, "452 4.5.3 too many recipients").await?;
                    continue;
                }
                match desks_for(app, &address).await {
                    Ok(found) if found.is_empty() => reply(&mut writer, "550 5.1.1 no such mailbox here").await?,
                    Ok(found) => {
                        recipients.extend(found);
                        reply(&mut writer, "250 2.1.5 OK").await?;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "SMTP: desks not read");
                        reply(&mut writer, "451 4.3.0 try again later").await?;
                    }
                }
            }
            "DATA" if recipients.is_empty() => reply(&mut writer, "503 5.5.1 RCPT first").await?,
            "DATA" => {
                reply(&mut writer, "354 end with <CRLF>.<CRLF>").await?;
                let Some(body) = read_data(&mut reader).await? else {
                    (sender, recipients) = (None, Vec::new());
                    reply(&mut writer, "552 5.3.4 message too big").await?;
                    continue;
                };
                let helo = greeted.clone().unwrap_or_default();
                let received = format!(
                    "Received: from {helo} ({peer}) by relata with ESMTP; {}\r\n",
                    app.store.now().to_rfc2822()
                );
                let answer = match deliver_all(app, &recipients, &received, &body).await {
                    Ok(()) => "250 2.0.0 received",
                    Err(e) => {
                        tracing::warn!(error = %e, "SMTP: a message was not kept; the sender will retry");
                        "451 4.3.0 not kept, try again later"
                    }
                };
                (sender, recipients) = (None, Vec::new());
                reply(&mut writer, answer).await?;
            }
            "RSET" => {
                (sender, recipients) = (None, Vec::new());
                reply(&mut writer, "250 2.0.0 OK").await?;
            }
            "NOOP" => reply(&mut writer, "250 2.0.0 OK").await?,
            "VRFY" => reply(&mut writer, "252 2.5.0 not verified").await?,
            "QUIT" => {
                reply(&mut writer, "221 2.0.0 bye").await?;
                return Ok(());
            }
            _ => reply(&mut writer, "500 5.5.1 unknown command").await?,
        }
    }
}

/// `SIZE=n` among MAIL's parameters.
fn declared_size(params: &str) -> Option<usize> {
    params
        .split_whitespace()
        .find_map(|p| p.get(..5).filter(|k| k.eq_ignore_ascii_case("SIZE=")).and(p[5..].parse().ok()))
}

/// The message up to the lone dot, dots unstuffed; `None` when it is over
/// [`MAX_MESSAGE`] (the rest is read and dropped). Read a bounded piece at a
/// time, so that no line, however long, is held whole.
async fn read_data<R: AsyncBufRead + Unpin>(reader: &mut R) -> std::io::Result<Option<Vec<u8>>> {
    const PIECE: u64 = 64 * 1024;
    let mut message = Vec::new();
    let mut too_big = false;
    let mut line_start = true;
    loop {
        let mut piece = Vec::new();
        let read = tokio::time::timeout(IDLE, (&mut *reader).take(PIECE).read_until(b'\n', &mut piece))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
        if read == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed in DATA"));
        }
        if line_start && (piece == b".\r\n" || piece == b".\n") {
            return Ok((!too_big).then_some(message));
        }
        let piece = if line_start { piece.strip_prefix(b".").unwrap_or(&piece) } else { &piece[..] };
        if message.len() + piece.len() > MAX_MESSAGE {
            too_big = true;
            message = Vec::new();
        }
        if !too_big {
            message.extend_from_slice(piece);
        }
        line_start = piece.ends_with(b"\n");
    }
}

/// The desks, in every workspace, that take mail for `address`.
async fn desks_for(app: &App, address: &str) -> Result<Vec<Recipient>, AppError> {
    let mut out = Vec::new();
    for workspace in app.store.workspaces().await? {
        let ctx = Ctx::new(workspace, None);
        let mut conn = app.reader(&ctx).await?;
        let desks = inbound::smtp_desks_for(&mut conn, address).await?;
        drop(conn);
        out.extend(desks.into_iter().map(|desk| Recipient { ctx: ctx.clone(), desk }));
    }
    Ok(out)
}

async fn deliver_all(app: &App, recipients: &[Recipient], trace: &str, message: &[u8]) -> Result<(), AppError> {
    for recipient in recipients {
        inbound::deliver(app, &recipient.ctx, &recipient.desk, trace, message).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_sizes_are_read_from_commands() {
        assert_eq!(path_of("<Jan@Acme.pl> SIZE=1200"), Some(("jan@acme.pl".into(), "SIZE=1200")));
        assert_eq!(path_of(" <>"), Some((String::new(), "")));
        assert_eq!(path_of("jan@acme.pl"), None);
        assert_eq!(path_of("<jan@acme.pl"), None);
        assert_eq!(declared_size("BODY=8BITMIME SIZE=1200"), Some(1200));
        assert_eq!(declared_size("size=7"), Some(7));
        assert_eq!(declared_size("SIZE=lots"), None);
    }

    #[tokio::test]
    async fn data_is_unstuffed_up_to_the_lone_dot() {
        let input: &[u8] = b"Subject: x\r\n\r\n..leading dot\r\nplain\r\n.\r\nNOOP\r\n";
        let mut reader = BufReader::new(input);
        let body = read_data(&mut reader).await.unwrap().unwrap();
        assert_eq!(body, b"Subject: x\r\n\r\n.leading dot\r\nplain\r\n");
        let mut rest = String::new();
        reader.read_line(&mut rest).await.unwrap();
        assert_eq!(rest, "NOOP\r\n", "what follows the dot is the next command");
        let cut: &[u8] = b"Subject: x\r\n";
        assert!(read_data(&mut BufReader::new(cut)).await.is_err(), "a connection closed in DATA keeps nothing");
        // A line longer than a piece stays whole; a dot inside it is text.
        let long = format!("{}.y\r\n.\r\n", "x".repeat(64 * 1024));
        let body = read_data(&mut BufReader::new(long.as_bytes())).await.unwrap().unwrap();
        assert_eq!(body, format!("{}.y\r\n", "x".repeat(64 * 1024)).into_bytes());
    }
}
