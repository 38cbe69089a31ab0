//! A small W3C WebDriver client for the browser tests: it starts
//! ChromeDriver on a free port, opens one headless Chromium session and
//! drives it (navigate, find by CSS, click, type, run scripts, read text,
//! take screenshots, read the console log). Dropping the [`Browser`] ends
//! the session and stops ChromeDriver, also when a test panics.
//!
//! Only what the tests need; every call panics with the WebDriver error on
//! failure, except the `try_` ones.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use tempfile::TempDir;

/// The key under which WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where the browser and its driver are installed.
pub struct Installation {
    pub chromedriver: PathBuf,
    pub chromium: PathBuf,
}

impl Installation {
    /// Finds `chromedriver` and Chromium: the Debian paths first
    /// (/usr/bin/chromedriver, /usr/bin/chromium), then `PATH`. On failure,
    /// says what is missing (`... not found`).
    pub fn find() -> Result<Installation, String> {
        let chromedriver = find_program(&["chromedriver"]);
        let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
        match (chromedriver, chromium) {
            (Some(chromedriver), Some(chromium)) => Ok(Installation {
                chromedriver,
                chromium,
            }),
            (driver, browser) => {
                let mut missing = Vec::new();
                if browser.is_none() {
                    missing.push("Chromium (/usr/bin/chromium or `chromium` on PATH)");
                }
                if driver.is_none() {
                    missing.push("ChromeDriver (/usr/bin/chromedriver or `chromedriver` on PATH)");
                }
                Err(format!("{} not found", missing.join(" and ")))
            }
        }
    }
}

/// The browser for test `test`, or: a panic when
/// `BUREAUSIM_BROWSER_TESTS=1` (CI) requires it and it is missing, else a
/// note that the test is skipped and `None`.
pub fn installation_or_skip(test: &str) -> Option<Installation> {
    match Installation::find() {
        Ok(install) => Some(install),
        Err(missing) => {
            if std::env::var("BUREAUSIM_BROWSER_TESTS").as_deref() == Ok("1") {
                panic!(
                    "{test}: BUREAUSIM_BROWSER_TESTS=1 requires Chromium and ChromeDriver, but {missing}; \
                     install them (Debian/Ubuntu: `apt-get install chromium chromium-driver`)"
                );
            }
            eprintln!(
                "skipping {test}: {missing}; install chromium and chromium-driver \
                 (`apt-get install chromium chromium-driver`), or set BUREAUSIM_BROWSER_TESTS=1 to require them"
            );
            None
        }
    }
}

/// Where `BUREAUSIM_SHOTS=<dir>` asks the tests to save screenshots and
/// PDFs (created if missing); `None` without the variable: nothing is saved.
pub fn shots_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("BUREAUSIM_SHOTS").filter(|d| !d.is_empty())?);
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("BUREAUSIM_SHOTS={}: cannot create it: {e}", dir.display()));
    Some(dir)
}

/// The first of `names` in /usr/bin or on `PATH`.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::iter::once(PathBuf::from("/usr/bin"))
        .chain(std::env::split_paths(&path))
        .collect();
    names.iter().find_map(|name| {
        dirs.iter()
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// A reference to an element of the current page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Element {
    /// The element as a script argument (`arguments[i]` in the page).
    pub fn as_arg(&self) -> Json {
        json!({ ELEMENT_KEY: self.0 })
    }
}

/// A WebDriver error: its code (`no such element`, ...) and message.
#[derive(Debug)]
pub struct WdError {
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// ChromeDriver with one headless Chromium session.
pub struct Browser {
    agent: ureq::Agent,
    /// `http://127.0.0.1:<port>`.
    driver_url: String,
    session: Option<String>,
    /// The browser's process id, to kill it if the session cannot be ended.
    browser_pid: Option<u64>,
    driver: Child,
    downloads: TempDir,
    _profile: TempDir,
}

impl Browser {
    /// Starts ChromeDriver on a free port and opens a headless session
    /// whose downloads go to [`Browser::downloads`] without asking.
    pub fn start(install: &Installation) -> Browser {
        let profile = tempfile::tempdir().expect("create a browser profile folder");
        let downloads = tempfile::tempdir().expect("create a download folder");
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(90)))
                .build(),
        );

        // Ask the system for a free port, release it, then hand it to
        // ChromeDriver; retry if someone else took it in between.
        let mut last_error = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let mut driver = Command::new(&install.chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", install.chromedriver.display()));
            let driver_url = format!("http://127.0.0.1:{port}");
            match wait_ready(&agent, &driver_url, &mut driver) {
                Ok(()) => {
                    let mut browser = Browser {
                        agent,
                        driver_url,
                        session: None,
                        browser_pid: None,
                        driver,
                        downloads,
                        _profile: profile,
                    };
                    browser.new_session(install);
                    return browser;
                }
                Err(e) => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    last_error = e;
                }
            }
        }
        panic!(
            "ChromeDriver ({}) did not become ready: {last_error}",
            install.chromedriver.display()
        );
    }

    fn new_session(&mut self, install: &Installation) {
        let profile = self._profile.path().display().to_string();
        let downloads = self.downloads.path().display().to_string();
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:loggingPrefs": {"browser": "ALL"},
                    "timeouts": {"script": 60_000, "pageLoad": 30_000, "implicit": 0},
                    "goog:chromeOptions": {
                        "binary": install.chromium.display().to_string(),
                        "args": [
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            "--window-size=1400,1000",
                            format!("--user-data-dir={profile}"),
                        ],
                        "prefs": {
                            "download.default_directory": downloads,
                            "download.prompt_for_download": false,
                            "download.directory_upgrade": true,
                        },
                    },
                },
            },
        });
        let value = self
            .request("POST", "/session", Some(capabilities))
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start a Chromium session ({}): {e}",
                    install.chromium.display()
                )
            });
        let id = value["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no sessionId in the new session reply: {value}"));
        self.session = Some(id.to_string());
        self.browser_pid = value["capabilities"]["goog:processID"].as_u64();
    }

    /// The folder that downloads are saved to.
    pub fn downloads(&self) -> &Path {
        self.downloads.path()
    }

    /// One WebDriver command; `path` is relative to the driver's root.
    fn request(&self, method: &str, path: &str, body: Option<Json>) -> Result<Json, WdError> {
        let url = format!("{}{path}", self.driver_url);
        let transport = |e: ureq::Error| WdError {
            code: "transport".into(),
            message: format!("{method} {url}: {e}"),
        };
        let mut response = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or_else(|| json!({})).to_string()),
        }
        .map_err(transport)?;
        let status = response.status();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(transport)?;
        let reply: Json = serde_json::from_str(&text).map_err(|e| WdError {
            code: "bad reply".into(),
            message: format!("{method} {url} ({status}): {e}: {text}"),
        })?;
        let value = reply.get("value").cloned().unwrap_or(Json::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(WdError {
                code: value["error"]
                    .as_str()
                    .unwrap_or("unknown error")
                    .to_string(),
                message: value["message"]
                    .as_str()
                    .unwrap_or(&text)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string(),
            })
        }
    }

    /// A command on the session.
    fn session_cmd(&self, method: &str, path: &str, body: Option<Json>) -> Result<Json, WdError> {
        let id = self.session.as_deref().expect("the session is open");
        self.request(method, &format!("/session/{id}{path}"), body)
    }

    /// As [`Browser::session_cmd`], panicking with `what` on failure.
    #[track_caller]
    fn must(&self, what: &str, method: &str, path: &str, body: Option<Json>) -> Json {
        self.session_cmd(method, path, body)
            .unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    /// Opens `url` and waits until it has loaded.
    #[track_caller]
    pub fn navigate(&self, url: &str) {
        self.must(
            &format!("open {url}"),
            "POST",
            "/url",
            Some(json!({ "url": url })),
        );
    }

    /// The first element matching `css`, or `None`.
    pub fn try_find(&self, css: &str) -> Option<Element> {
        match self.session_cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        ) {
            Ok(value) => Some(element_of(&value)),
            Err(e) if e.code == "no such element" => None,
            Err(e) => panic!("find `{css}`: {e}"),
        }
    }

    /// The first element matching `css`; panics if there is none.
    #[track_caller]
    pub fn find(&self, css: &str) -> Element {
        self.try_find(css)
            .unwrap_or_else(|| panic!("no element matches `{css}` on the page"))
    }

    /// Every element matching `css`.
    #[track_caller]
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let value = self.must(
            &format!("find all `{css}`"),
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        value
            .as_array()
            .map(|items| items.iter().map(element_of).collect())
            .unwrap_or_default()
    }

    /// Clicks `el` as a user would (scrolls it into view first).
    #[track_caller]
    pub fn click(&self, el: &Element) {
        self.must(
            "click",
            "POST",
            &format!("/element/{}/click", el.0),
            Some(json!({})),
        );
    }

    /// Clears a text or number input.
    #[track_caller]
    pub fn clear(&self, el: &Element) {
        self.must(
            "clear",
            "POST",
            &format!("/element/{}/clear", el.0),
            Some(json!({})),
        );
    }

    /// Types `text` into `el` (WebDriver key codes allowed, e.g. [`TAB`]).
    #[track_caller]
    pub fn send_keys(&self, el: &Element, text: &str) {
        self.must(
            "send keys",
            "POST",
            &format!("/element/{}/value", el.0),
            Some(json!({ "text": text })),
        );
    }

    /// Replaces the content of a text or number input with `text` and
    /// leaves the field with Tab, so it fires `input` and `change`.
    #[track_caller]
    pub fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.clear(&el);
        self.send_keys(&el, &format!("{text}{TAB}"));
    }

    /// Sets a range input (or any input) to `value` as a user's drag would:
    /// assigns `.value` and fires `input` then `change`. Returns the value
    /// the input holds afterwards (the browser clamps and snaps to `step`).
    #[track_caller]
    pub fn set_range(&self, css: &str, value: &str) -> String {
        let reply = self.execute(
            "const el = document.querySelector(arguments[0]);
             if (!el) { return null; }
             el.value = arguments[1];
             el.dispatchEvent(new Event('input', {bubbles: true}));
             el.dispatchEvent(new Event('change', {bubbles: true}));
             return el.value;",
            &[json!(css), json!(value)],
        );
        reply
            .as_str()
            .unwrap_or_else(|| panic!("no input matches `{css}` on the page"))
            .to_string()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the
    /// page and returns its result.
    #[track_caller]
    pub fn execute(&self, script: &str, args: &[Json]) -> Json {
        self.try_execute(script, args)
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// As [`Browser::execute`], returning the error instead of panicking.
    pub fn try_execute(&self, script: &str, args: &[Json]) -> Result<Json, WdError> {
        self.session_cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Runs an asynchronous `script`: it must call the last argument (the
    /// callback) with its result, within the session's script timeout.
    #[track_caller]
    pub fn execute_async(&self, script: &str, args: &[Json]) -> Json {
        self.must(
            "async script",
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// The rendered text of `el` (empty when hidden).
    #[track_caller]
    pub fn text(&self, el: &Element) -> String {
        let value = self.must("get text", "GET", &format!("/element/{}/text", el.0), None);
        value.as_str().unwrap_or_default().to_string()
    }

    /// Whether `el` is shown on the page.
    #[track_caller]
    pub fn is_displayed(&self, el: &Element) -> bool {
        let value = self.must(
            "is displayed",
            "GET",
            &format!("/element/{}/displayed", el.0),
            None,
        );
        value.as_bool().unwrap_or(false)
    }

    /// Saves a PNG screenshot of the window to `path`.
    #[track_caller]
    pub fn screenshot(&self, path: &Path) {
        let value = self.must("screenshot", "GET", "/screenshot", None);
        let png = base64_decode(value.as_str().expect("the screenshot is a base64 string"));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        }
        std::fs::write(path, png)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    /// Sets the browser window's outer position and size in CSS pixels.
    #[track_caller]
    pub fn set_window_rect(&self, width: u32, height: u32) {
        self.must(
            &format!("set the window to {width}x{height}"),
            "POST",
            "/window/rect",
            Some(json!({"x": 0, "y": 0, "width": width, "height": height})),
        );
    }

    /// The page's viewport (`window.innerWidth`, `window.innerHeight`).
    #[track_caller]
    pub fn inner_size(&self) -> (u32, u32) {
        let v = self.execute("return [window.innerWidth, window.innerHeight];", &[]);
        let dim = |i: usize| v[i].as_u64().unwrap_or_else(|| panic!("window size: {v}")) as u32;
        (dim(0), dim(1))
    }

    /// Resizes the window so that the page's viewport is `width` × `height`
    /// CSS pixels (the window's frame, if any, is measured and added);
    /// panics if the browser will not give that viewport.
    #[track_caller]
    pub fn set_viewport(&self, width: u32, height: u32) {
        self.set_window_rect(width, height);
        for _ in 0..3 {
            let (w, h) = self.inner_size();
            if (w, h) == (width, height) {
                return;
            }
            let rect = self.must("get the window rect", "GET", "/window/rect", None);
            let outer = |k: &str| rect[k].as_i64().unwrap_or(0);
            let fit = |outer: i64, inner: u32, want: u32| {
                (outer + i64::from(want) - i64::from(inner)).max(1) as u32
            };
            self.set_window_rect(
                fit(outer("width"), w, width),
                fit(outer("height"), h, height),
            );
        }
        let (w, h) = self.inner_size();
        assert_eq!(
            (w, h),
            (width, height),
            "the browser would not give a {width}x{height} viewport"
        );
    }

    /// Presses and releases each key in turn on the focused element
    /// (WebDriver actions): characters, or key codes such as [`ESCAPE`].
    #[track_caller]
    pub fn press_keys(&self, keys: &[&str]) {
        let actions: Vec<Json> = keys
            .iter()
            .flat_map(|k| {
                [
                    json!({"type": "keyDown", "value": k}),
                    json!({"type": "keyUp", "value": k}),
                ]
            })
            .collect();
        self.must(
            &format!("press {keys:?}"),
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
        let _ = self.session_cmd("DELETE", "/actions", None);
    }

    /// A Chrome DevTools Protocol command through ChromeDriver
    /// (`goog/cdp/execute`), e.g. `Emulation.setEmulatedMedia`; its result.
    #[track_caller]
    pub fn cdp(&self, cmd: &str, params: Json) -> Json {
        self.must(
            &format!("CDP {cmd}"),
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
    }

    /// The page printed to PDF (WebDriver Print Page) on paper `width` ×
    /// `height` cm with `margin` cm on every side, backgrounds included.
    #[track_caller]
    pub fn print_pdf(&self, width: f64, height: f64, margin: f64) -> Vec<u8> {
        let value = self.must(
            "print the page",
            "POST",
            "/print",
            Some(json!({
                "page": {"width": width, "height": height},
                "margin": {"top": margin, "bottom": margin, "left": margin, "right": margin},
                "background": true,
                "shrinkToFit": false,
            })),
        );
        base64_decode(value.as_str().expect("the PDF is a base64 string"))
    }

    /// The browser console messages logged since the last call (ChromeDriver's
    /// log endpoint), as `LEVEL message` lines; empty if unavailable.
    pub fn console_log(&self) -> Vec<String> {
        match self.session_cmd("POST", "/se/log", Some(json!({"type": "browser"}))) {
            Ok(Json::Array(entries)) => entries
                .iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["level"].as_str().unwrap_or("?"),
                        e["message"].as_str().unwrap_or("")
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Waits (up to `timeout`, polling) for a file whose name ends with
    /// `extension` to be completely downloaded; returns its path.
    #[track_caller]
    pub fn wait_for_download(&self, extension: &str, timeout: Duration) -> PathBuf {
        let start = Instant::now();
        loop {
            let mut partial = false;
            let mut found = None;
            for entry in std::fs::read_dir(self.downloads()).expect("list the download folder") {
                let path = entry.expect("download folder entry").path();
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                if name.ends_with(".crdownload") || name.starts_with(".com.google.Chrome") {
                    partial = true;
                } else if name.ends_with(extension) {
                    found = Some(path);
                }
            }
            if let Some(path) = found.filter(|_| !partial) {
                return path;
            }
            if start.elapsed() > timeout {
                let names: Vec<String> = std::fs::read_dir(self.downloads())
                    .map(|d| {
                        d.filter_map(Result::ok)
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                panic!(
                    "no `*{extension}` file was downloaded within {timeout:?}; the download folder holds {names:?}"
                );
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// Ends the session and stops ChromeDriver (also done on drop).
    pub fn quit(&mut self) {
        if self.session.is_some() {
            let ended = self.session_cmd("DELETE", "", None).is_ok();
            self.session = None;
            if !ended {
                // The browser may be left without its driver: stop it.
                #[cfg(unix)]
                if let Some(pid) = self.browser_pid {
                    let _ = Command::new("kill")
                        .args(["-KILL", &pid.to_string()])
                        .stderr(Stdio::null())
                        .status();
                }
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.quit();
    }
}

/// The Tab key, for [`Browser::send_keys`].
pub const TAB: &str = "\u{E004}";
/// Keys for [`Browser::press_keys`].
pub const ESCAPE: &str = "\u{E00C}";
pub const ARROW_LEFT: &str = "\u{E012}";
pub const ARROW_RIGHT: &str = "\u{E014}";

fn element_of(value: &Json) -> Element {
    Element(
        value[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("not an element reference: {value}"))
            .to_string(),
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("find a free port")
        .port()
}

/// Polls `GET /status` until ChromeDriver says it is ready (10 s at most).
fn wait_ready(agent: &ureq::Agent, driver_url: &str, driver: &mut Child) -> Result<(), String> {
    let start = Instant::now();
    let url = format!("{driver_url}/status");
    loop {
        if let Ok(Some(status)) = driver.try_wait() {
            return Err(format!("ChromeDriver exited: {status}"));
        }
        if let Ok(mut response) = agent.get(&url).call() {
            let text = response.body_mut().read_to_string().unwrap_or_default();
            let ready = serde_json::from_str::<Json>(&text)
                .map(|v| v["value"]["ready"].as_bool() == Some(true))
                .unwrap_or(false);
            if ready {
                return Ok(());
            }
        }
        if start.elapsed() > Duration::from_secs(10) {
            return Err(format!("{url} did not report ready within 10 s"));
        }
        sleep(Duration::from_millis(50));
    }
}

/// Decodes standard base64 (with or without padding; whitespace ignored).
fn base64_decode(text: &str) -> Vec<u8> {
    fn sextet(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {:?}", char::from(c)),
        }
    }
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &c)| acc | (sextet(c) << (18 - 6 * i)));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(base64_decode("aGVsbG8="), b"hello");
        assert_eq!(base64_decode("aGVsbG8"), b"hello");
        assert_eq!(base64_decode("aGk="), b"hi");
        assert_eq!(base64_decode("YWJj"), b"abc");
        assert_eq!(base64_decode(""), b"");
    }
}
