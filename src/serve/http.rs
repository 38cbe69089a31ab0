//! The HTTP/1.1 the page needs and no more, on `std::net` with `httparse`
//! for the request head: one request per connection (`Connection: close`),
//! a deadline for the whole request, bounded head and body, write timeouts.
//! A general server crate would bring keep-alive, pipelining and body
//! draining, each a way for one client to hold a classroom server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Most bytes of a request head (request line and headers).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most headers in a request.
pub const MAX_HEADERS: usize = 64;
/// Time a client has to send its whole request.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// Time a write may block before the client is given up (a page that stops
/// reading its stream stops its run after this long).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(20);

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

/// Writes `resp` (without its body for HEAD) and closes the connection.
pub fn send(stream: &mut TcpStream, resp: &Response, head_only: bool) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    ));
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&resp.body)?;
    }
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Write);
    linger(stream);
    Ok(())
}

/// Reads and drops what the client still sends (a body refused unread, a
/// pipelined request), at most 256 KiB for at most half a second, so that
/// closing does not reset the connection before the client has read the
/// response.
pub fn linger(stream: &mut TcpStream) {
    let deadline = Instant::now() + Duration::from_millis(500);
    let mut left = 256 * 1024usize;
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

/// Reads one request within [`REQUEST_DEADLINE`], its head within
/// [`MAX_HEAD_BYTES`] and [`MAX_HEADERS`] and its body within `max_body`
/// bytes (refused from its declared length, without reading it).
pub fn read_request(stream: &mut TcpStream, max_body: usize) -> Result<Request, ReadError> {
    let deadline = Instant::now() + REQUEST_DEADLINE;
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
        if let Some(end) = end {
            break end;
        }
        let n = read_before(stream, &mut chunk, deadline)?;
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
    let path = req
        .path
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("")
        .to_string();
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).trim().to_string(),
            )
        })
        .collect();
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
    let length = match get("Content-Length") {
        None => 0,
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| ReadError::Answer(400, format!("Content-Length `{v}` is not a number")))?,
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
        let n = read_before(stream, &mut chunk, deadline)?;
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

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// One read that gives up at `deadline`.
fn read_before(
    stream: &mut TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> Result<usize, ReadError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(ReadError::Answer(
            408,
            "the request took too long to arrive".into(),
        ));
    }
    stream
        .set_read_timeout(Some(left))
        .map_err(|_| ReadError::Gone)?;
    match stream.read(buf) {
        Ok(n) => Ok(n),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Err(ReadError::Answer(
                408,
                "the request took too long to arrive".into(),
            ))
        }
        Err(_) => Err(ReadError::Gone),
    }
}
