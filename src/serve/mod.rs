//! `bureausim serve`: a local web server with one page for classrooms and
//! workshops (docs/serve.md). The page, its script and its chart library
//! are embedded in the binary; runs stream year by year as Server-Sent
//! Events.
//!
//! Safe to leave running in a room: it binds to 127.0.0.1 unless told
//! otherwise; requests name library scenarios by id (no path from a client
//! is ever opened); one request per connection, at most 64 connections and
//! 8 from one address, a 5-second deadline for a request head and 10 for a
//! request, 16 KiB heads and 64 KiB bodies, a 20-second write timeout;
//! connections over a limit get their 503 from a thread of its own, so the
//! accepting thread never waits on a client; inputs are checked as scenario
//! files are; at most two runs go at once and each has a size limit;
//! requests with a foreign Host (DNS rebinding) or Origin are refused.

pub mod http;
pub mod library;
pub mod request;
pub mod stream;

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

use crate::output::chart::style::PALETTE_HEX;
use http::{Deadlines, ReadError, Request, Response};
use library::LIMITS;

/// Connections served at once (each on its own thread, with deadlines for
/// its request); more are answered 503 at once and closed.
pub const MAX_CONNECTIONS: usize = 64;
/// Connections served at once from one IP address: a browser opens at most
/// six to a server, so one client (or one script) cannot take the slots of
/// everyone else. Clients behind one NAT or proxy share it.
pub const MAX_PER_ADDRESS: usize = 8;
/// Refused connections whose 503 may wait to be read at once; more are
/// closed as soon as their 503 is written.
const MAX_REFUSED: usize = 256;
/// Finished runs kept for their CSV downloads.
const KEEP_RUNS: usize = 16;

/// A module of the page's script (`assets/web/js/NAME.js`), served at
/// `/js/NAME.js`.
macro_rules! module {
    ($name:literal) => {
        (
            concat!("/js/", $name, ".js"),
            "text/javascript; charset=utf-8",
            include_str!(concat!("../../assets/web/js/", $name, ".js")),
        )
    };
}

/// Static files of the page: (path, content type, bytes). The script is
/// ES modules, `main.js` first (index.html loads it; it imports the rest),
/// and one classic script, `boot.js`, the loading watchdog.
const ASSETS: &[(&str, &str, &str)] = &[
    module!("main"),
    module!("boot"),
    module!("about"),
    module!("api"),
    module!("charts"),
    module!("colors"),
    module!("dom"),
    module!("downloads"),
    module!("format"),
    module!("legend"),
    module!("levers"),
    module!("library"),
    module!("present"),
    module!("run"),
    module!("scenario"),
    module!("state"),
    module!("table"),
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("../../assets/web/index.html"),
    ),
    (
        "/app.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/web/app.css"),
    ),
    (
        "/uplot.iife.min.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/web/vendor/uplot/uPlot.iife.min.js"),
    ),
    (
        "/uplot.min.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/web/vendor/uplot/uPlot.min.css"),
    ),
];

/// A started server (tests start one on port 0 and read its address).
pub struct App {
    listener: TcpListener,
    addr: SocketAddr,
    state: Arc<State>,
}

struct State {
    /// Host header values accepted (empty: any, when bound to all interfaces).
    hosts: Vec<String>,
    deadlines: Deadlines,
    slots: Mutex<Slots>,
    runs_active: AtomicUsize,
    next_run: AtomicU64,
    finished: Mutex<VecDeque<(String, Arc<stream::Finished>)>>,
}

impl App {
    /// Binds to `host:port` (port 0: any free port).
    pub fn bind(host: &str, port: u16) -> anyhow::Result<App> {
        let listener = TcpListener::bind((host, port)).map_err(|e| {
            crate::error::UsageError(format!(
                "--host {host} --port {port}: cannot listen there: {e}"
            ))
        })?;
        let addr = listener.local_addr()?;
        let hosts = if addr.ip().is_loopback() {
            let p = addr.port();
            let mut h = vec![
                format!("127.0.0.1:{p}"),
                format!("localhost:{p}"),
                format!("[::1]:{p}"),
            ];
            if p == 80 {
                // Browsers leave the default port out of Host.
                h.extend(["127.0.0.1", "localhost", "[::1]"].map(String::from));
            }
            h
        } else {
            Vec::new()
        };
        // Parse the embedded library now: a broken build fails at start.
        library::loaded();
        Ok(App {
            listener,
            addr,
            state: Arc::new(State {
                hosts,
                deadlines: Deadlines::default(),
                slots: Mutex::new(Slots::default()),
                runs_active: AtomicUsize::new(0),
                next_run: AtomicU64::new(1),
                finished: Mutex::new(VecDeque::new()),
            }),
        })
    }

    /// Other request deadlines than [`http::HEAD_DEADLINE`] and
    /// [`http::REQUEST_DEADLINE`]: a hook for tests, which cannot wait
    /// seconds for an idle connection to be dropped; `bureausim serve`
    /// keeps the defaults.
    #[doc(hidden)]
    pub fn with_deadlines(mut self, deadlines: Deadlines) -> App {
        Arc::get_mut(&mut self.state)
            .expect("deadlines are set before the server runs")
            .deadlines = deadlines;
        self
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's address for a browser.
    pub fn url(&self) -> String {
        if self.addr.ip().is_unspecified() {
            format!("http://127.0.0.1:{}/", self.addr.port())
        } else {
            format!("http://{}/", self.addr)
        }
    }

    /// When it listens on every address (`--host 0.0.0.0`), the address
    /// others on the network would open: that of the interface the
    /// machine's default route leaves by, found by aiming a UDP socket at
    /// a documentation address (RFC 5737; no packet is sent). `None` when
    /// it listens on one address, or the machine has no such route.
    pub fn network_url(&self) -> Option<String> {
        if !self.addr.ip().is_unspecified() {
            return None;
        }
        let probe = std::net::UdpSocket::bind(("0.0.0.0", 0)).ok()?;
        probe.connect(("192.0.2.1", 9)).ok()?;
        let ip = probe.local_addr().ok()?.ip();
        (!ip.is_loopback() && !ip.is_unspecified())
            .then(|| format!("http://{}/", SocketAddr::new(ip, self.addr.port())))
    }

    /// Serves until the process ends. Accept errors (for example too many
    /// open files) are reported and retried, never fatal. The accepting
    /// thread only accepts and hands each connection on: to a thread of its
    /// own, or, over a limit, to the refuser, which answers 503.
    pub fn run(self) {
        let refused = refuser();
        let mut last_report = None::<Instant>;
        loop {
            let (conn, peer) = match self.listener.accept() {
                Ok(c) => c,
                Err(e) => {
                    if last_report.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                        errln!("bureausim serve: cannot accept a connection ({e}); retrying");
                        last_report = Some(Instant::now());
                    }
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            let ip = client_of(peer.ip());
            let slot = match Slot::take(&self.state, ip) {
                Ok(slot) => slot,
                Err(busy) => {
                    let answer = busy.answer(self.state.deadlines.head);
                    // With the refuser behind (a full queue), the connection
                    // is closed unanswered rather than waited for.
                    let _ = refused.try_send((conn, answer));
                    continue;
                }
            };
            let state = Arc::clone(&self.state);
            // On failure the closure, with the connection and its slot, is
            // dropped: the connection closes and the slot is given back.
            let _ = std::thread::Builder::new()
                .name("serve-connection".into())
                .spawn(move || {
                    let _ = conn.set_write_timeout(Some(http::WRITE_TIMEOUT));
                    let _ = conn.set_nodelay(true);
                    serve_connection(&state, conn, slot);
                });
        }
    }
}

/// The client an address counts as for the per-address limit: an IPv4
/// address (IPv4-mapped IPv6 ones as IPv4), or an IPv6 address's /64
/// network, since one host can use any number of addresses in it.
fn client_of(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let mut seg = v6.segments();
            seg[4..].fill(0);
            IpAddr::V6(std::net::Ipv6Addr::from(seg))
        }
        v4 => v4,
    }
}

/// Connections being served: in all, and from each address.
#[derive(Debug, Default)]
struct Slots {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Which limit a connection is over.
#[derive(Debug, PartialEq, Eq)]
enum Busy {
    Server,
    Address,
}

impl Slots {
    /// Counts a connection from `ip`, unless it is over a limit.
    fn take(&mut self, ip: IpAddr) -> Result<(), Busy> {
        if self.total >= MAX_CONNECTIONS {
            return Err(Busy::Server);
        }
        let mine = self.by_address.entry(ip).or_insert(0);
        if *mine >= MAX_PER_ADDRESS {
            return Err(Busy::Address);
        }
        *mine += 1;
        self.total += 1;
        Ok(())
    }

    /// Gives back a slot of `ip`'s.
    fn give_back(&mut self, ip: IpAddr) {
        self.total -= 1;
        if let Some(n) = self.by_address.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                self.by_address.remove(&ip);
            }
        }
    }
}

impl Busy {
    /// The 503 for a connection over this limit, as bytes to write.
    fn answer(&self, head_deadline: Duration) -> Vec<u8> {
        let message = match self {
            Busy::Server => format!(
                "the server is busy ({MAX_CONNECTIONS} connections at once); try again in a moment"
            ),
            Busy::Address => format!(
                "too many connections from your address at once (at most {MAX_PER_ADDRESS}); close some, or try again in a moment"
            ),
        };
        // Idle connections are dropped by then.
        let retry = head_deadline.as_secs_f64().ceil().max(1.0) as u64;
        http::encode(&error(503, &message).with("Retry-After", retry.to_string()))
    }
}

/// A counted connection; its slot is given back when dropped, also when a
/// request panics.
struct Slot {
    state: Arc<State>,
    ip: IpAddr,
}

impl Slot {
    fn take(state: &Arc<State>, ip: IpAddr) -> Result<Slot, Busy> {
        state.slots.lock().expect("lock").take(ip)?;
        Ok(Slot {
            state: Arc::clone(state),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // Not `expect`: a poisoned lock must not turn a drop into an abort.
        let mut slots = self.state.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.give_back(self.ip);
    }
}

/// Starts the refuser: one thread that writes each refused connection its
/// 503 without blocking, then reads and drops what the client still sends
/// for up to [`http::LINGER`] (so that closing does not reset the
/// connection before the client has read the answer), for many
/// connections at once. The accepting thread hands connections over
/// without waiting; if the refuser is behind, they are closed unanswered.
fn refuser() -> SyncSender<(TcpStream, Vec<u8>)> {
    let (tx, rx) = std::sync::mpsc::sync_channel(MAX_REFUSED);
    std::thread::Builder::new()
        .name("serve-refuser".into())
        .spawn(move || refuse_loop(&rx))
        .expect("start the thread that answers refused connections");
    tx
}

/// A refused connection being drained before it is closed.
struct Lingering {
    conn: TcpStream,
    until: Instant,
    left: usize,
}

fn refuse_loop(rx: &Receiver<(TcpStream, Vec<u8>)>) {
    let mut lingering: Vec<Lingering> = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // Block while there is nothing to drain; else look again soon.
        let first = if lingering.is_empty() {
            match rx.recv() {
                Ok(c) => Some(c),
                Err(_) => return,
            }
        } else {
            match rx.recv_timeout(Duration::from_millis(10)) {
                Ok(c) => Some(c),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        };
        for (mut conn, answer) in first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()))
        {
            if conn.set_nonblocking(true).is_err() {
                continue;
            }
            // A fresh socket's send buffer takes a 503 whole; a client that
            // left no room for it is not waited for.
            if !matches!(conn.write(&answer), Ok(n) if n == answer.len()) {
                continue;
            }
            let _ = conn.shutdown(std::net::Shutdown::Write);
            if lingering.len() < MAX_REFUSED {
                lingering.push(Lingering {
                    conn,
                    until: Instant::now() + http::LINGER,
                    left: http::LINGER_BYTES,
                });
            }
        }
        let now = Instant::now();
        lingering.retain_mut(|l| {
            if now >= l.until {
                return false;
            }
            loop {
                match l.conn.read(&mut buf) {
                    // The client closed, or sent more than we drain.
                    Ok(0) => return false,
                    Ok(n) if n >= l.left => return false,
                    Ok(n) => l.left -= n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => return false,
                }
            }
        });
    }
}

fn error(status: u16, message: &str) -> Response {
    json_response(status, &json!({ "error": message }))
}

fn json_response(status: u16, body: &Json) -> Response {
    Response::new(
        status,
        "application/json; charset=utf-8",
        serde_json::to_vec(body).expect("json"),
    )
    .with("Cache-Control", "no-store")
}

/// Checks the Host (against DNS rebinding) and, for POST, the Origin and
/// the content type (so that a page elsewhere cannot send a run).
fn refuse(state: &State, req: &Request) -> Option<Response> {
    let host = req.header("Host").unwrap_or("");
    if !state.hosts.is_empty() && !state.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Some(error(
            421,
            &format!("Host `{host}` is not this server; open {}", state.hosts[0]),
        ));
    }
    if req.method == "POST" {
        if let Some(origin) = req.header("Origin") {
            if !origin.eq_ignore_ascii_case(&format!("http://{host}")) {
                return Some(error(
                    403,
                    &format!("Origin `{origin}` may not use this server"),
                ));
            }
        }
        let ct = req.header("Content-Type").unwrap_or("");
        // The media type, before any parameter (`; charset=utf-8`).
        let media = ct.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case("application/json") {
            return Some(error(
                415,
                &format!("Content-Type `{ct}`: requests must be application/json"),
            ));
        }
    }
    None
}

/// Serves one connection. Its slot is given back once the answer is
/// written, before the connection lingers: a browser that has its answer
/// opens its next connection at once, and a slot still held by one that
/// only waits to close would turn that one away (a page's script modules
/// were refused 503 under load this way).
fn serve_connection(state: &State, mut conn: TcpStream, slot: Slot) {
    let req = match http::read_request(&mut conn, LIMITS.max_body_bytes, state.deadlines) {
        Ok(r) => r,
        Err(ReadError::Gone) => return,
        Err(ReadError::Answer(status, msg)) => {
            let _ = http::send(&mut conn, &error(status, &msg), false);
            return;
        }
    };
    if let Some(resp) = refuse(state, &req) {
        let _ = http::send(&mut conn, &resp, false);
        return;
    }
    if req.method == "POST" && req.path == "/api/run" {
        run(state, conn, &req.body, slot);
        return;
    }
    let head_only = req.method == "HEAD";
    let resp = route(state, &req);
    if http::answer(&mut conn, &resp, head_only).is_ok() {
        drop(slot);
        http::linger(&mut conn);
    }
}

/// The page's palette module (`/js/palette.js`), generated from the chart
/// engine's palette so that the page and the plots draw series in the same
/// colours.
fn palette_module() -> &'static str {
    static MODULE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MODULE.get_or_init(|| {
        let colours: Vec<String> = PALETTE_HEX.iter().map(|h| format!("'{h}'")).collect();
        format!(
            "/* The colours of the chart series, generated by bureausim from the\n * palette of its plots (Okabe-Ito: readable by most colour-blind viewers\n * and on a projector; the yellow darkened for lines on white).\n */\nexport const PALETTE = [{}];\n",
            colours.join(", ")
        )
    })
}

fn route(state: &State, req: &Request) -> Response {
    let path = req.path.as_str();
    let asset = ASSETS
        .iter()
        .find(|a| a.0 == path)
        .map(|a| (a.1, a.2))
        .or_else(|| {
            (path == "/js/palette.js").then(|| ("text/javascript; charset=utf-8", palette_module()))
        });
    match (req.method.as_str(), asset) {
        ("GET" | "HEAD", Some((ct, body))) => {
            return Response::new(200, ct, body.as_bytes().to_vec())
                .with("Cache-Control", "no-cache")
                .with("X-Content-Type-Options", "nosniff")
                .with(
                    "Content-Security-Policy",
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:",
                );
        }
        (_, Some(_)) => {
            return error(405, &format!("{} is not allowed on {path}", req.method));
        }
        _ => {}
    }
    match (req.method.as_str(), path) {
        ("GET" | "HEAD", "/api/library") => {
            // The same for the server's life: serialised once.
            static LIBRARY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
            let body =
                LIBRARY.get_or_init(|| serde_json::to_vec(&library::library_json()).expect("json"));
            Response::new(200, "application/json; charset=utf-8", body.clone())
                .with("Cache-Control", "no-cache")
        }
        ("POST", "/api/toml") => match request::prepare(&req.body) {
            Err(msg) => error(400, &msg),
            Ok(p) => Response::new(200, "text/plain; charset=utf-8", p.toml().into_bytes()).with(
                "Content-Disposition",
                format!("attachment; filename=\"{}.toml\"", p.file_stem()),
            ),
        },
        ("GET" | "HEAD", p) if p.starts_with("/api/runs/") => csv(state, p),
        (m, p) if p.starts_with("/api/") => {
            // A known address asked with another method; any other is absent.
            let allow = match p {
                "/api/library" => Some("GET, HEAD"),
                "/api/toml" | "/api/run" => Some("POST"),
                p if p.starts_with("/api/runs/") => Some("GET, HEAD"),
                _ => None,
            };
            match allow {
                Some(a) => {
                    error(405, &format!("{m} is not allowed on {p}; use {a}")).with("Allow", a)
                }
                None => error(
                    404,
                    &format!(
                        "no API at {p}; the API is /api/library, /api/run, /api/toml and /api/runs/<run>/<file> (docs/serve.md)"
                    ),
                ),
            }
        }
        (_, p) => error(404, &format!("no page at {p}; the page is at /")),
    }
}

/// `GET /api/runs/<run>/yours.csv` or `baseline.csv`.
fn csv(state: &State, path: &str) -> Response {
    let rest = &path["/api/runs/".len()..];
    let Some((id, file)) = rest.split_once('/') else {
        return error(404, &format!("no file at {path}"));
    };
    let arm = match file {
        "yours.csv" => "yours",
        "baseline.csv" => "baseline",
        _ => {
            return error(
                404,
                &format!("no file `{file}`; runs have yours.csv and baseline.csv"),
            );
        }
    };
    let finished = state
        .finished
        .lock()
        .expect("lock")
        .iter()
        .find(|(k, _)| k == id)
        .map(|(_, f)| Arc::clone(f));
    let Some(f) = finished else {
        return error(
            404,
            &format!(
                "run `{id}` is not kept (the server keeps the last {KEEP_RUNS} runs); run it again"
            ),
        );
    };
    let Some(k) = f.arms.iter().position(|(a, _)| *a == arm) else {
        return error(
            404,
            &format!("run `{id}` has no {arm} arm (it was not a comparison)"),
        );
    };
    let mut buf = Vec::new();
    let (name, seed) = &f.ids[k];
    if let Err(e) = crate::output::csv::timeseries_to(&mut buf, &f.arms[k].1, name, *seed) {
        return error(500, &format!("cannot write the CSV: {e}"));
    }
    Response::new(200, "text/csv; charset=utf-8", buf).with(
        "Content-Disposition",
        format!(
            "attachment; filename=\"{}\"",
            stream::csv_name(&f.stem, arm)
        ),
    )
}

/// `POST /api/run`: checks the request, then streams the run as
/// Server-Sent Events in HTTP/1.1 chunks, so that the client sees where
/// the stream ends; the connection closes after it.
fn run(state: &State, mut conn: TcpStream, body: &[u8], slot: Slot) {
    let prepared = match request::prepare(body) {
        Ok(p) => p,
        Err(msg) => {
            let _ = http::send(&mut conn, &error(400, &msg), false);
            return;
        }
    };
    if state.runs_active.fetch_add(1, Ordering::SeqCst) >= LIMITS.max_concurrent_runs {
        state.runs_active.fetch_sub(1, Ordering::SeqCst);
        let _ = http::send(
            &mut conn,
            &error(
                503,
                &format!(
                    "{} runs are already going on this server; try again when one has finished",
                    LIMITS.max_concurrent_runs
                ),
            ),
            false,
        );
        return;
    }
    let _guard = Release(&state.runs_active);
    let id = format!("r{}", state.next_run.fetch_add(1, Ordering::SeqCst));
    let draws = prepared.draws.clone();
    let stem = prepared.file_stem();
    let mut arms = vec![("yours", prepared.yours)];
    let mut baseline = Json::Null;
    if let Some(b) = prepared.baseline {
        baseline = b.to_json();
        arms.push(("baseline", b.scenario));
    }
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nX-Accel-Buffering: no\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    if conn
        .write_all(head.as_bytes())
        .and_then(|()| conn.flush())
        .is_err()
    {
        return;
    }
    let mut send = |bytes: &[u8]| -> std::io::Result<()> {
        write!(conn, "{:x}\r\n", bytes.len())?;
        conn.write_all(bytes)?;
        conn.write_all(b"\r\n")?;
        conn.flush()
    };
    let mut emit = |event: &str, data: &Json| -> std::io::Result<()> {
        send(format!("event: {event}\ndata: {data}\n\n").as_bytes())
    };
    if let Ok((finished, done)) = stream::run(&id, &stem, arms, &draws, baseline, &mut emit) {
        // Kept before `done` is sent: a client that fetches a CSV as soon
        // as it reads `done` (or the end of the stream) finds it.
        {
            let mut kept = state.finished.lock().expect("lock");
            kept.push_back((id, Arc::new(finished)));
            while kept.len() > KEEP_RUNS {
                kept.pop_front();
            }
        }
        let _ = emit("done", &done);
    }
    let _ = send(b"");
    let _ = conn.shutdown(std::net::Shutdown::Write);
    drop(slot);
    http::linger(&mut conn);
}

/// Gives back a counted run when dropped, also when a run panics.
struct Release<'a>(&'a AtomicUsize);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Opens `url` in the desktop's browser; false if no opener could be started.
pub fn open_browser(url: &str) -> bool {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        client_of(s.parse::<IpAddr>().unwrap())
    }

    #[test]
    fn an_ipv6_hosts_addresses_count_as_one_client() {
        let mut slots = Slots::default();
        for k in 0..MAX_PER_ADDRESS {
            slots
                .take(ip(&format!("2001:db8:1:2::{:x}", k + 1)))
                .unwrap();
        }
        // Another address in the same /64: the same client.
        assert_eq!(slots.take(ip("2001:db8:1:2:dead::1")), Err(Busy::Address));
        // Another /64: another client.
        slots.take(ip("2001:db8:1:3::1")).unwrap();
    }

    #[test]
    fn one_address_cannot_take_every_slot() {
        let mut slots = Slots::default();
        for _ in 0..MAX_PER_ADDRESS {
            slots.take(ip("10.0.0.1")).unwrap();
        }
        assert_eq!(slots.take(ip("10.0.0.1")), Err(Busy::Address));
        // The same address written as an IPv4-mapped IPv6 one.
        assert_eq!(slots.take(ip("::ffff:10.0.0.1")), Err(Busy::Address));
        // Others still get in, up to the server's limit.
        let mut others = 0;
        for k in 2..=255 {
            if slots.take(ip(&format!("10.0.0.{k}"))).is_err() {
                break;
            }
            others += 1;
        }
        assert_eq!(others, MAX_CONNECTIONS - MAX_PER_ADDRESS);
        assert_eq!(slots.take(ip("10.0.1.1")), Err(Busy::Server));
        // A slot given back can be taken again, and empty entries go.
        slots.give_back(ip("10.0.0.1"));
        slots.take(ip("10.0.0.1")).unwrap();
        for k in 2..2 + others {
            slots.give_back(ip(&format!("10.0.0.{k}")));
        }
        assert_eq!(slots.by_address.len(), 1);
        assert_eq!(slots.total, MAX_PER_ADDRESS);
    }

    #[test]
    fn refusals_say_which_limit_and_when_to_retry() {
        let text = |b: Busy| String::from_utf8(b.answer(Duration::from_secs(5))).unwrap();
        let address = text(Busy::Address);
        assert!(
            address.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
            "{address}"
        );
        assert!(address.contains("Retry-After: 5\r\n"), "{address}");
        assert!(address.contains("at most 8"), "{address}");
        assert!(text(Busy::Server).contains("64 connections at once"));
    }
}
