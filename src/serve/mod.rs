//! `bureausim serve`: a local web server with one page for classrooms and
//! workshops (docs/serve.md). The page, its script and its chart library
//! are embedded in the binary; runs stream year by year as Server-Sent
//! Events.
//!
//! Safe to leave running in a room: it binds to 127.0.0.1 unless told
//! otherwise; requests name library scenarios by id (no path from a client
//! is ever opened); bodies are capped at 64 KiB; inputs are checked as
//! scenario files are; at most two runs go at once and each has a size
//! limit; requests with a foreign Host (DNS rebinding) or Origin are refused.

pub mod library;
pub mod request;
pub mod stream;

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value as Json, json};
use tiny_http::{Header, Method, Request, Response, Server};

use library::LIMITS;

/// Requests handled at once (each on its own thread); more get 503.
const MAX_IN_FLIGHT: usize = 32;
/// Finished runs kept for their CSV downloads.
const KEEP_RUNS: usize = 16;

/// Static files of the page: (path, content type, bytes).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "/",
        "text/html; charset=utf-8",
        include_str!("../../assets/web/index.html"),
    ),
    (
        "/app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/web/app.js"),
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
    server: Server,
    addr: SocketAddr,
    state: Arc<State>,
}

struct State {
    /// Host header values accepted (empty: any, when bound to all interfaces).
    hosts: Vec<String>,
    in_flight: AtomicUsize,
    runs_active: AtomicUsize,
    next_run: AtomicU64,
    finished: Mutex<VecDeque<(String, Arc<stream::Finished>)>>,
}

impl App {
    /// Binds to `host:port` (port 0: any free port).
    pub fn bind(host: &str, port: u16) -> anyhow::Result<App> {
        let server = Server::http((host, port)).map_err(|e| {
            crate::cli::UsageError(format!(
                "--host {host} --port {port}: cannot listen there: {e}"
            ))
        })?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| anyhow::anyhow!("the server has no IP address"))?;
        let hosts = if addr.ip().is_loopback() {
            let p = addr.port();
            vec![
                format!("127.0.0.1:{p}"),
                format!("localhost:{p}"),
                format!("[::1]:{p}"),
            ]
        } else {
            Vec::new()
        };
        // Parse the embedded library now: a broken build fails at start.
        library::loaded();
        Ok(App {
            server,
            addr,
            state: Arc::new(State {
                hosts,
                in_flight: AtomicUsize::new(0),
                runs_active: AtomicUsize::new(0),
                next_run: AtomicU64::new(1),
                finished: Mutex::new(VecDeque::new()),
            }),
        })
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

    /// Serves until the process ends.
    pub fn run(self) {
        for req in self.server.incoming_requests() {
            let state = Arc::clone(&self.state);
            if state.in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT {
                state.in_flight.fetch_sub(1, Ordering::SeqCst);
                let _ = req.respond(error(503, "the server is busy; try again in a moment"));
                continue;
            }
            let spawned = std::thread::Builder::new()
                .name("serve-request".into())
                .spawn(move || {
                    let _guard = Release(&state.in_flight);
                    handle(&state, req);
                });
            if spawned.is_err() {
                self.state.in_flight.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn error(status: u16, message: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    json_response(status, &json!({ "error": message }))
}

fn json_response(status: u16, body: &Json) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(serde_json::to_vec(body).expect("json"))
        .with_status_code(status)
        .with_header(header("Content-Type", "application/json; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
}

fn get_header<'a>(req: &'a Request, name: &'static str) -> Option<&'a str> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// Checks the Host (against DNS rebinding) and, for POST, the Origin and
/// the content type (so that a page elsewhere cannot send a run).
fn refuse(state: &State, req: &Request) -> Option<Response<std::io::Cursor<Vec<u8>>>> {
    let host = get_header(req, "Host").unwrap_or("");
    if !state.hosts.is_empty() && !state.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Some(error(
            421,
            &format!("Host `{host}` is not this server; open {}", state.hosts[0]),
        ));
    }
    if *req.method() == Method::Post {
        if let Some(origin) = get_header(req, "Origin") {
            if !origin.eq_ignore_ascii_case(&format!("http://{host}")) {
                return Some(error(
                    403,
                    &format!("Origin `{origin}` may not use this server"),
                ));
            }
        }
        let ct = get_header(req, "Content-Type").unwrap_or("");
        if !ct.to_ascii_lowercase().starts_with("application/json") {
            return Some(error(
                415,
                &format!("Content-Type `{ct}`: requests must be application/json"),
            ));
        }
    }
    None
}

/// Reads the body, at most [`Limits::max_body_bytes`].
fn read_body(req: &mut Request) -> Result<Vec<u8>, Response<std::io::Cursor<Vec<u8>>>> {
    let max = LIMITS.max_body_bytes;
    let too_large = || error(413, &format!("request body over {max} bytes"));
    if req.body_length().is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    req.as_reader()
        .take(max as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| error(400, &format!("cannot read the request: {e}")))?;
    if body.len() > max {
        return Err(too_large());
    }
    Ok(body)
}

fn handle(state: &State, mut req: Request) {
    if let Some(resp) = refuse(state, &req) {
        let _ = req.respond(resp);
        return;
    }
    let url = req.url().split('?').next().unwrap_or("").to_string();
    let method = req.method().clone();
    let resp = match (method, url.as_str()) {
        (Method::Get | Method::Head, path) if ASSETS.iter().any(|a| a.0 == path) => {
            let (_, ct, body) = ASSETS.iter().find(|a| a.0 == path).expect("found");
            Response::from_data(body.as_bytes().to_vec())
                .with_header(header("Content-Type", ct))
                .with_header(header("Cache-Control", "no-cache"))
                .with_header(header("X-Content-Type-Options", "nosniff"))
                .with_header(header(
                    "Content-Security-Policy",
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:",
                ))
        }
        (Method::Get, "/api/library") => json_response(200, &library::library_json()),
        (Method::Post, "/api/toml") => match read_body(&mut req) {
            Err(resp) => resp,
            Ok(body) => match request::prepare(&body) {
                Err(msg) => error(400, &msg),
                Ok(p) => Response::from_data(p.toml().into_bytes())
                    .with_header(header("Content-Type", "text/plain; charset=utf-8"))
                    .with_header(header(
                        "Content-Disposition",
                        &format!("attachment; filename=\"{}.toml\"", p.yours.name),
                    )),
            },
        },
        (Method::Post, "/api/run") => {
            let body = match read_body(&mut req) {
                Ok(b) => b,
                Err(resp) => {
                    let _ = req.respond(resp);
                    return;
                }
            };
            run(state, req, &body);
            return;
        }
        (Method::Get, path) if path.starts_with("/api/runs/") => csv(state, path),
        (_, path) if ASSETS.iter().any(|a| a.0 == path) || path.starts_with("/api/") => {
            error(405, &format!("{} is not allowed on {path}", req.method()))
        }
        (_, path) => error(404, &format!("no page at {path}; the page is at /")),
    };
    let _ = req.respond(resp);
}

/// `GET /api/runs/<run>/yours.csv` or `baseline.csv`.
fn csv(state: &State, path: &str) -> Response<std::io::Cursor<Vec<u8>>> {
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
    let Some((_, reps)) = f.arms.iter().find(|(a, _)| *a == arm) else {
        return error(
            404,
            &format!("run `{id}` has no {arm} arm (it was not a comparison)"),
        );
    };
    let mut buf = Vec::new();
    if let Err(e) = crate::output::csv::timeseries_to(&mut buf, reps) {
        return error(500, &format!("cannot write the CSV: {e}"));
    }
    Response::from_data(buf)
        .with_header(header("Content-Type", "text/csv; charset=utf-8"))
        .with_header(header(
            "Content-Disposition",
            &format!("attachment; filename=\"{id}_{arm}_timeseries.csv\""),
        ))
}

/// `POST /api/run`: checks the request, then streams the run.
fn run(state: &State, req: Request, body: &[u8]) {
    let prepared = match request::prepare(body) {
        Ok(p) => p,
        Err(msg) => {
            let _ = req.respond(error(400, &msg));
            return;
        }
    };
    if state.runs_active.fetch_add(1, Ordering::SeqCst) >= LIMITS.max_concurrent_runs {
        state.runs_active.fetch_sub(1, Ordering::SeqCst);
        let _ = req.respond(error(
            503,
            &format!(
                "{} runs are already going on this server; try again when one has finished",
                LIMITS.max_concurrent_runs
            ),
        ));
        return;
    }
    let id = format!("r{}", state.next_run.fetch_add(1, Ordering::SeqCst));
    let mut arms = vec![("yours", prepared.yours)];
    if let Some(b) = prepared.baseline {
        arms.push(("baseline", b));
    }
    let _guard = Release(&state.runs_active);
    // HTTP/1.1 clients get the stream in chunks, so that they see where it
    // ends and can reuse the connection; HTTP/1.0 clients read until close.
    let chunked = *req.http_version() >= tiny_http::HTTPVersion(1, 1);
    let mut w = req.into_writer();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nX-Accel-Buffering: no\r\n{}\r\n",
        if chunked {
            "Transfer-Encoding: chunked\r\n"
        } else {
            "Connection: close\r\n"
        }
    );
    if w.write_all(head.as_bytes())
        .and_then(|()| w.flush())
        .is_err()
    {
        return;
    }
    let mut send = |bytes: &[u8]| -> std::io::Result<()> {
        if chunked {
            write!(w, "{:x}\r\n", bytes.len())?;
            w.write_all(bytes)?;
            w.write_all(b"\r\n")?;
        } else {
            w.write_all(bytes)?;
        }
        w.flush()
    };
    let mut emit = |event: &str, data: &Json| -> std::io::Result<()> {
        send(format!("event: {event}\ndata: {data}\n\n").as_bytes())
    };
    let outcome = stream::run(&id, arms, &mut emit);
    if chunked {
        let _ = send(b"");
    }
    if let Ok(finished) = outcome {
        let mut kept = state.finished.lock().expect("lock");
        kept.push_back((id, Arc::new(finished)));
        while kept.len() > KEEP_RUNS {
            kept.pop_front();
        }
    }
}

/// Gives back a counted slot when dropped, also when a run panics.
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
