//! The HTTP/1.1 the page needs and no more, on `std::net` with `httparse`
//! for the request head: one request per connection (`Connection: close`),
//! a short deadline for the request head and a longer one for the whole
//! request, bounded head and body, write timeouts, and a strict reading of
//! the framing (CR LF line ends, one Content-Length) so that no two parsers
//! can disagree about where a request ends. A general server crate would
//! bring keep-alive, pipelining and body draining, each a way for one
//! client to hold a classroom server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Most bytes of a request head (request line and headers).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most headers in a request.
pub const MAX_HEADERS: usize = 64;
/// Time a client has, from its connection, to send its request head: a
/// connection that sends nothing by then is closed without an answer (as
/// browsers' unused pre-opened connections are), one that sent part of a
/// head gets 408. Idle connections thus give their slot back quickly.
pub const HEAD_DEADLINE: Duration = Duration::from_secs(5);
/// Time a client has, from its connection, to send its whole request.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// Time a write may block before the client is given up (a page that stops
/// reading its stream stops its run after this long).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);

/// The deadlines of [`read_request`], both counted from the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    /// For the request head ([`HEAD_DEADLINE`]).
    pub head: Duration,
    /// For the whole request ([`REQUEST_DEADLINE`]).
    pub request: Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            head: HEAD_DEADLINE,
            request: REQUEST_DEADLINE,
        }
    }
}

/// A request: method, path (query removed), headers and body.
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The value of header `name` (case-insensitive), if sent once or more.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A complete response.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body,
        }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// The status line and headers of `resp`, ending with the blank line.
fn head_of(resp: &Response) -> String {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    ));
    head
}

/// `resp` as bytes on the wire, head and body.
pub fn encode(resp: &Response) -> Vec<u8> {
    let mut out = head_of(resp).into_bytes();
    out.extend_from_slice(&resp.body);
    out
}

/// Writes `resp` (without its body for HEAD) and closes the connection.
pub fn send(stream: &mut TcpStream, resp: &Response, head_only: bool) -> std::io::Result<()> {
    answer(stream, resp, head_only)?;
    linger(stream);
    Ok(())
}

/// Writes the response and closes the sending side, without lingering:
/// for a caller that gives back what the connection holds before it
/// lingers ([`linger`]).
pub fn answer(stream: &mut TcpStream, resp: &Response, head_only: bool) -> std::io::Result<()> {
    stream.write_all(head_of(resp).as_bytes())?;
    if !head_only {
        stream.write_all(&resp.body)?;
    }
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}

/// How long a connection that was answered is read and drained before it
/// is closed.
pub const LINGER: Duration = Duration::from_millis(500);
/// The most bytes drained from it.
pub const LINGER_BYTES: usize = 256 * 1024;

/// Reads and drops what the client still sends (a body refused unread, a
/// pipelined request), at most [`LINGER_BYTES`] for at most [`LINGER`], so
/// that closing does not reset the connection before the client has read
/// the response.
pub fn linger(stream: &mut TcpStream) {
    let deadline = Instant::now() + LINGER;
    let mut left = LINGER_BYTES;
    let mut buf = [0u8; 4096];
    while left > 0 {
        let wait = deadline.saturating_duration_since(Instant::now());
        if wait.is_zero() || stream.set_read_timeout(Some(wait)).is_err() {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// Why a request could not be read: a status and a message for the client,
/// or nothing to answer (the client went away or sent nothing).
pub enum ReadError {
    Answer(u16, String),
    Gone,
}

/// Reads one request: its head within `deadlines.head` and the whole of it
/// within `deadlines.request` of now (the connection's start), its head
/// within [`MAX_HEAD_BYTES`] and [`MAX_HEADERS`] with every line ending in
/// CR LF, and its body within `max_body` bytes (refused from its declared
/// length, without reading it; one Content-Length only).
pub fn read_request(
    stream: &mut TcpStream,
    max_body: usize,
    deadlines: Deadlines,
) -> Result<Request, ReadError> {
    let start = Instant::now();
    let deadline = start + deadlines.request;
    let head_deadline = start + deadlines.head.min(deadlines.request);
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_len = loop {
        let end = find_head_end(&buf);
        if end.unwrap_or(buf.len()) > MAX_HEAD_BYTES {
            return Err(ReadError::Answer(
                431,
                format!("request head over {MAX_HEAD_BYTES} bytes"),
            ));
        }
        // A bare LF ends a line for some parsers and not for others: refuse
        // it as soon as it arrives rather than wait for a CR LF CR LF.
        if has_bare_lf(&buf[..end.unwrap_or(buf.len())]) {
            return Err(ReadError::Answer(
                400,
                "a line of the request head ends in a bare LF; HTTP/1.1 lines end in CR LF".into(),
            ));
        }
        if let Some(end) = end {
            break end;
        }
        let n = match read_before(stream, &mut chunk, head_deadline) {
            Ok(n) => n,
            // Nothing sent at all: an idle connection, closed unanswered.
            Err(Fail::TimedOut) if buf.is_empty() => return Err(ReadError::Gone),
            Err(Fail::TimedOut) => {
                return Err(ReadError::Answer(
                    408,
                    format!(
                        "the request head took longer than {} to arrive",
                        seconds(deadlines.head.min(deadlines.request))
                    ),
                ));
            }
            Err(Fail::Gone) => return Err(ReadError::Gone),
        };
        if n == 0 {
            return Err(ReadError::Gone);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(&buf[..head_len]) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => {
            return Err(ReadError::Answer(400, "incomplete request head".into()));
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ReadError::Answer(
                431,
                format!("more than {MAX_HEADERS} headers"),
            ));
        }
        Err(e) => return Err(ReadError::Answer(400, format!("malformed request: {e}"))),
    }
    let method = req.method.unwrap_or("").to_string();
    let target = req.path.unwrap_or("");
    let absolute = absolute_form(target);
    let path = absolute
        .as_ref()
        .map_or(target, |(_, p)| p.as_str())
        .split('?')
        .next()
        .unwrap_or("")
        .to_string();
    let mut headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).trim().to_string(),
            )
        })
        .collect();
    // The authority of an absolute-form target takes the place of the Host
    // header (RFC 9112 section 3.2.2), so the server's Host check applies
    // to it.
    if let Some((authority, _)) = absolute {
        headers.retain(|(k, _)| !k.eq_ignore_ascii_case("Host"));
        headers.push(("Host".into(), authority));
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if get("Transfer-Encoding").is_some() {
        return Err(ReadError::Answer(
            411,
            "send the body with a Content-Length, not Transfer-Encoding".into(),
        ));
    }
    // Two lengths, equal or not, are two readings of where the request
    // ends (request smuggling): refused, as RFC 9112 section 6.3 allows.
    let lengths: Vec<&str> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .map(|(_, v)| v.as_str())
        .collect();
    if lengths.len() > 1 {
        return Err(ReadError::Answer(
            400,
            format!(
                "Content-Length sent {} times ({}); send it once",
                lengths.len(),
                lengths
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let length = match lengths.first() {
        None => 0,
        // Digits only (RFC 9110): `parse` would also take a leading `+`.
        Some(v) => v
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| v.parse::<u64>().ok())
            .flatten()
            .ok_or_else(|| {
                ReadError::Answer(400, format!("Content-Length `{v}` is not a number"))
            })?,
    };
    if length > max_body as u64 {
        return Err(ReadError::Answer(
            413,
            format!("request body over {max_body} bytes"),
        ));
    }
    let length = length as usize;
    let mut body = buf[head_len..].to_vec();
    while body.len() < length {
        let n = read_before(stream, &mut chunk, deadline).map_err(|e| match e {
            Fail::TimedOut => ReadError::Answer(
                408,
                format!(
                    "the request took longer than {} to arrive",
                    seconds(deadlines.request)
                ),
            ),
            Fail::Gone => ReadError::Gone,
        })?;
        if n == 0 {
            return Err(ReadError::Gone);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok(Request {
        method,
        path,
        headers,
        body,
    })
}

/// The authority and path of an absolute-form request target
/// (`http://localhost:8000/api/run?x` → `localhost:8000`, `/api/run?x`),
/// which a server must accept (RFC 9112 section 3.2.2); `None` for the
/// usual origin form (`/api/run`).
fn absolute_form(target: &str) -> Option<(String, String)> {
    let scheme = "http://";
    let rest = target
        .get(..scheme.len())
        .filter(|s| s.eq_ignore_ascii_case(scheme))
        .map(|_| &target[scheme.len()..])?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Some((authority.to_string(), path))
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// Whether a LF in `head` is not preceded by a CR.
fn has_bare_lf(head: &[u8]) -> bool {
    head.iter()
        .enumerate()
        .any(|(i, &b)| b == b'\n' && (i == 0 || head[i - 1] != b'\r'))
}

/// "5 s", "0.3 s": a deadline in a message.
fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// Why a read gave nothing.
enum Fail {
    TimedOut,
    Gone,
}

/// One read that gives up at `deadline`.
fn read_before(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> Result<usize, Fail> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Fail::TimedOut);
    }
    stream
        .set_read_timeout(Some(left))
        .map_err(|_| Fail::Gone)?;
    match stream.read(buf) {
        Ok(n) => Ok(n),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Err(Fail::TimedOut)
        }
        Err(_) => Err(Fail::Gone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absolute_form_target_gives_its_path_and_authority() {
        let a = absolute_form;
        assert_eq!(
            a("http://localhost:8000/api/run?x=1"),
            Some(("localhost:8000".into(), "/api/run?x=1".into()))
        );
        assert_eq!(
            a("HTTP://127.0.0.1:9"),
            Some(("127.0.0.1:9".into(), "/".into()))
        );
        assert_eq!(a("http://h?q"), Some(("h".into(), "/?q".into())));
        assert_eq!(a("/api/run"), None);
        assert_eq!(a("https://h/x"), None);
        assert_eq!(a("http:/"), None);
    }

    #[test]
    fn a_bare_lf_is_found_wherever_it_is() {
        assert!(!has_bare_lf(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        assert!(has_bare_lf(b"GET / HTTP/1.1\nHost: a\n\n"));
        assert!(has_bare_lf(b"GET / HTTP/1.1\r\nHost: a\n\r\n"));
        assert!(has_bare_lf(b"\n"));
        // A CR that arrived at the end of one read and its LF in the next.
        assert!(!has_bare_lf(b"GET / HTTP/1.1\r"));
        assert!(!has_bare_lf(b"GET / HTTP/1.1\r\n"));
    }

    #[test]
    fn deadlines_are_written_as_seconds() {
        assert_eq!(seconds(HEAD_DEADLINE), "5 s");
        assert_eq!(seconds(Duration::from_millis(300)), "0.3 s");
    }
}
