//! A real headless Chromium for tests, driven over WebDriver by `fantoccini` through
//! chromedriver ([`super::driver`]). A [`Browser`] opens pages, reads the DOM, types
//! into forms, takes PNG screenshots and reports what the page's console saw: errors,
//! uncaught exceptions, Content Security Policy violations and failed loads, all of
//! which chromedriver's browser log carries (level `SEVERE`, sources `console-api`,
//! `javascript`, `security` and `network`).

use super::driver::{self, Binaries, Driver};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

/// The window a page is shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewport {
    /// A laptop's window, 1280 × 900.
    Desktop,
    /// A phone held upright, 375 × 812 CSS pixels, emulated as a mobile device (so the
    /// page's `<meta name="viewport">` decides its layout width, as on a real phone).
    Phone,
}

impl Viewport {
    pub fn width(self) -> u32 {
        match self {
            Self::Desktop => 1280,
            Self::Phone => 375,
        }
    }

    pub fn height(self) -> u32 {
        match self {
            Self::Desktop => 900,
            Self::Phone => 812,
        }
    }
}

/// One line of the page's console, as chromedriver reports it.
#[derive(Clone, Debug, Deserialize)]
pub struct LogEntry {
    pub level: String,
    pub source: String,
    pub message: String,
}

impl LogEntry {
    /// Errors of every kind, and anything the security checks (CSP) said.
    pub fn is_problem(&self) -> bool {
        self.level == "SEVERE" || self.source == "security"
    }
}

/// How a page sits in a phone's window.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct PhoneFit {
    /// `document.documentElement.scrollWidth`: how wide the page's content is.
    pub scroll_width: u32,
    /// `window.innerWidth`: a mobile browser widens it (zooming out) to show content
    /// wider than the device, so it cannot be the yardstick alone.
    pub inner_width: u32,
    /// `document.documentElement.clientWidth`: the layout viewport.
    pub client_width: u32,
}

impl PhoneFit {
    /// Readable without zooming and no sideways scroll: the page is laid out at the
    /// device's width and nothing sticks out of it.
    pub fn fits(&self) -> bool {
        let device = Viewport::Phone.width();
        self.inner_width == device && self.client_width <= device && self.scroll_width <= device
    }
}

/// A headless Chromium; dropping it kills every process it started.
pub struct Browser {
    client: Option<Client>,
    viewport: Viewport,
    // Declared last: dropped after the client, it kills what is left.
    driver: Driver,
}

/// How long a page's late requests (the favicon comes after `load`) may take to show
/// up in the console before [`Browser::problems`] reads it.
const SETTLE: Duration = Duration::from_millis(1500);

impl Browser {
    /// Starts Chromium for `test`. `None` when it cannot start outside CI (the test
    /// then returns, after a loud `SKIPPED:` line); under CI that is a failure.
    pub async fn launch(test: &str, viewport: Viewport) -> Option<Self> {
        match Self::try_launch(viewport).await {
            Ok(browser) => Some(browser),
            Err(why) => {
                driver::unavailable(test, &why);
                None
            }
        }
    }

    async fn try_launch(viewport: Viewport) -> Result<Self, String> {
        let binaries = Binaries::find()?;
        let driver = Driver::start(&binaries).await?;
        let caps = capabilities(&binaries, &driver, viewport);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .map_err(|e| format!("chromedriver could not start Chromium: {e}"))?;
        Ok(Self {
            client: Some(client),
            viewport,
            driver,
        })
    }

    fn client(&self) -> &Client {
        self.client
            .as_ref()
            .expect("the session is open until close")
    }

    /// The process group of this browser's processes (for the leak check).
    pub fn pgid(&self) -> i32 {
        self.driver.pgid()
    }

    /// Loads `url` and waits for its `load` event.
    pub async fn open(&self, url: &str) {
        self.client()
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("the browser opens {url}: {e}"));
    }

    /// The path (and query) of the page shown now.
    pub async fn path(&self) -> String {
        let url = self.client().current_url().await.expect("the current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Waits (up to 10 s) until the page shown is at `path`; panics with where it is.
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let now = self.path().await;
            let ready: String = self.eval("return document.readyState").await;
            if now == path && ready == "complete" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the browser should reach {path}, but is at {now} ({ready})"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs `script` (a function body: it must `return` its value) in the page.
    pub async fn eval<T: DeserializeOwned>(&self, script: &str) -> T {
        let value = self
            .client()
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("the page runs {script:?}: {e}"));
        serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("{script:?} returned {value}, not the type asked: {e}"))
    }

    /// How many elements match the CSS `selector` in the page.
    pub async fn count(&self, selector: &str) -> usize {
        let script = format!(
            "return document.querySelectorAll({}).length",
            serde_json::to_string(selector).unwrap()
        );
        self.eval(&script).await
    }

    /// How the page shown now sits in the window (meant for [`Viewport::Phone`]).
    pub async fn phone_fit(&self) -> PhoneFit {
        self.eval(
            "const d = document.documentElement; return { scroll_width: d.scrollWidth, \
             inner_width: window.innerWidth, client_width: d.clientWidth }",
        )
        .await
    }

    /// Text squeezed into a sliver: elements holding a dozen characters or more of
    /// their own text, drawn less than 4 em wide yet over 3 lines tall (a column so
    /// narrow it reads a letter or two per line). Their start, to say where to look.
    pub async fn squeezed_text(&self) -> Vec<String> {
        self.eval(
            "return [...document.body.querySelectorAll('*')].filter(e => {
               const own = [...e.childNodes].filter(n => n.nodeType === 3)
                 .map(n => n.textContent).join('').trim();
               if (own.length < 12) { return false; }
               const r = e.getBoundingClientRect();
               const em = parseFloat(getComputedStyle(e).fontSize);
               return r.width > 0 && r.width < 4 * em && r.height > 3 * 1.6 * em;
             }).map(e => e.tagName.toLowerCase() + ': ' + e.textContent.trim().slice(0, 40))",
        )
        .await
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.eval("return document.body ? document.body.innerText : ''")
            .await
    }

    /// Types `text` into the field matching `selector`, key by key.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let field = self
            .client()
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("the page has a field {selector}: {e}"));
        field.clear().await.expect("the field clears");
        field.send_keys(text).await.expect("the field takes keys");
    }

    /// Clicks the element matching `selector`.
    pub async fn click(&self, selector: &str) {
        self.client()
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("the page has {selector}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{selector} takes a click: {e}"));
    }

    /// Everything the console said since the last call, after letting late requests
    /// (the favicon) land.
    pub async fn console(&self) -> Vec<LogEntry> {
        tokio::time::sleep(SETTLE).await;
        let value = self
            .client()
            .issue_cmd(BrowserLog)
            .await
            .expect("chromedriver hands over the browser log");
        serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("the browser log {value} is a list of entries: {e}"))
    }

    /// The console's errors, exceptions, CSP violations and failed loads since the last
    /// call.
    pub async fn problems(&self) -> Vec<LogEntry> {
        self.console()
            .await
            .into_iter()
            .filter(LogEntry::is_problem)
            .collect()
    }

    /// Writes a PNG of the whole page, up to `max_height` pixels tall, to `path`: the
    /// viewport is stretched to the page's height for the shot (through Chromium's
    /// DevTools, since a window cannot grow past the screen), then given back.
    pub async fn screenshot_page(&self, path: &Path, max_height: u32) {
        let height: u32 = self
            .eval("return Math.ceil(document.documentElement.scrollHeight)")
            .await;
        let (w, h) = (self.viewport.width(), self.viewport.height());
        self.devtools(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": w,
                "height": height.clamp(h, max_height),
                "deviceScaleFactor": 1,
                "mobile": self.viewport == Viewport::Phone,
            }),
        )
        .await;
        let png = self.screenshot().await;
        self.devtools("Emulation.clearDeviceMetricsOverride", json!({}))
            .await;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Sends a DevTools command to the page (chromedriver's `goog/cdp/execute`).
    async fn devtools(&self, cmd: &'static str, params: Value) -> Value {
        self.client()
            .issue_cmd(DevTools { cmd, params })
            .await
            .unwrap_or_else(|e| panic!("Chromium runs {cmd}: {e}"))
    }

    /// A PNG of what the window shows now.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.client()
            .screenshot()
            .await
            .expect("the browser takes a screenshot")
    }

    /// Ends the session (chromedriver closes Chromium); the drop that follows kills
    /// whatever is left.
    pub async fn close(mut self) {
        if let Some(client) = self.client.take() {
            let _ = client.close().await;
        }
    }
}

fn capabilities(
    binaries: &Binaries,
    driver: &Driver,
    viewport: Viewport,
) -> serde_json::Map<String, Value> {
    let mut args = vec![
        "--headless=new".to_string(),
        "--disable-gpu".to_string(),
        // Containers give /dev/shm a few MiB; Chromium would crash on big pages.
        "--disable-dev-shm-usage".to_string(),
        format!("--user-data-dir={}", driver.profile.display()),
        format!("--window-size={},{}", viewport.width(), viewport.height()),
        "--lang=en-US".to_string(),
        "--force-color-profile=srgb".to_string(),
        // Only the page under test is loaded: no updates, pings or reports elsewhere.
        "--disable-component-update".to_string(),
        "--disable-domain-reliability".to_string(),
        "--no-pings".to_string(),
        // Screenshots show the page, not a scroll bar (layout is the same either way:
        // phones overlay theirs).
        "--hide-scrollbars".to_string(),
    ];
    // SAFETY: geteuid(2) cannot fail and touches no memory.
    if unsafe { libc::geteuid() } == 0 {
        // Chromium's sandbox refuses to run as root (CI runs as root).
        args.push("--no-sandbox".to_string());
    }
    let mut chrome = json!({
        "binary": binaries.chromium,
        "args": args,
    });
    if viewport == Viewport::Phone {
        chrome["mobileEmulation"] = json!({
            "deviceMetrics": {
                "width": viewport.width(),
                "height": viewport.height(),
                "pixelRatio": 2.0,
                "mobile": true,
                "touch": true,
            }
        });
    }
    let caps = json!({
        "browserName": "chrome",
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": chrome,
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    }
}

/// chromedriver's browser log (`POST /session/{id}/se/log`, type `browser`): what the
/// console said since the last read. Not in the W3C standard, so fantoccini has no
/// method for it; chromedriver keeps it for Selenium's `get_log`.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/se/log"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_string()),
        )
    }
}

/// A Chrome DevTools Protocol command, passed through chromedriver
/// (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct DevTools {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
