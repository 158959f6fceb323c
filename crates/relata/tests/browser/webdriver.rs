//! A small WebDriver client (the W3C protocol is JSON over HTTP) driving
//! Debian's headless Chromium through `chromedriver`: enough to open pages,
//! find elements, type, click, run a script and take screenshots.

use serde_json::{Value as Json, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The W3C key of element references in responses.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A running chromedriver with one browser session; both end on drop.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: reqwest::Client,
    _profile: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Clone, Debug)]
pub struct Element(String);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session; `None` (with a
    /// loud warning) when they are not installed and the run allows skipping.
    pub async fn start() -> Option<Browser> {
        let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(driver_path) = driver_path else {
            if std::env::var("RELATA_SKIP_BROWSER").is_ok_and(|v| v == "1") {
                eprintln!(
                    "\n!!!!! WARNING: chromedriver is not installed; SKIPPING the browser tests (RELATA_SKIP_BROWSER=1).\n"
                );
                return None;
            }
            panic!("chromedriver is not installed: scripts/test installs Debian's chromium and chromium-driver");
        };
        let port = free_port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let profile = std::env::temp_dir().join(format!("relata-chromium-{}", uuid::Uuid::now_v7().simple()));
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}
        }}});
        let mut browser = Browser { driver, base, session: String::new(), client, _profile: TempDir(profile) };
        let created = browser.call(reqwest::Method::POST, "/session", capabilities).await;
        browser.session = created["sessionId"].as_str().expect("a browser session").to_string();
        Some(browser)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Json) -> Json {
        let url = format!("{}{path}", self.base);
        let mut request = self.client.request(method.clone(), &url);
        if method != reqwest::Method::GET && method != reqwest::Method::DELETE {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("webdriver {path}: {e}"));
        let status = response.status();
        let reply: Json = response.json().await.unwrap_or(Json::Null);
        assert!(status.is_success(), "webdriver {method} {path} failed: {reply}");
        reply["value"].clone()
    }

    fn path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, &self.path("/url"), json!({"url": url})).await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, &self.path("/url"), Json::Null).await.as_str().unwrap_or_default().to_string()
    }

    /// The page's HTML as the browser has it now.
    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, &self.path("/source"), Json::Null)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    async fn try_find(&self, css: &str) -> Option<Element> {
        let url = format!("{}{}", self.base, self.path("/element"));
        let response = self.client.post(url).json(&json!({"using": "css selector", "value": css})).send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let reply: Json = response.json().await.ok()?;
        reply["value"][ELEMENT].as_str().map(|id| Element(id.to_string()))
    }

    /// The first element matching `css`, waiting up to five seconds for it.
    pub async fn find(&self, css: &str) -> Element {
        for _ in 0..100 {
            if let Some(e) = self.try_find(css).await {
                return e;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no element {css:?} on {}:\n{}", self.url().await, self.source().await);
    }

    /// Waits until the page's text contains `text`.
    pub async fn wait_for_text(&self, text: &str) {
        for _ in 0..100 {
            if self.source().await.contains(text) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{text:?} never appeared on {}:\n{}", self.url().await, self.source().await);
    }

    /// Waits until the address contains `part` (after a navigation).
    pub async fn wait_for_url(&self, part: &str) {
        for _ in 0..100 {
            if self.url().await.contains(part) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the address never contained {part:?}: {}", self.url().await);
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call(reqwest::Method::POST, &self.path(&format!("/element/{}/clear", e.0)), json!({})).await;
        self.call(reqwest::Method::POST, &self.path(&format!("/element/{}/value", e.0)), json!({"text": text})).await;
    }

    /// Sends keys (e.g. "\u{E015}" for the down arrow) to an element.
    pub async fn keys(&self, css: &str, keys: &str) {
        let e = self.find(css).await;
        self.call(reqwest::Method::POST, &self.path(&format!("/element/{}/value", e.0)), json!({"text": keys})).await;
    }

    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.call(reqwest::Method::POST, &self.path(&format!("/element/{}/click", e.0)), json!({})).await;
    }

    pub async fn value(&self, css: &str) -> String {
        let e = self.find(css).await;
        let v =
            self.call(reqwest::Method::GET, &self.path(&format!("/element/{}/property/value", e.0)), Json::Null).await;
        v.as_str().unwrap_or_default().to_string()
    }

    /// Runs a script in the page and returns its result.
    pub async fn script(&self, source: &str, args: Json) -> Json {
        self.call(reqwest::Method::POST, &self.path("/execute/sync"), json!({"script": source, "args": args})).await
    }

    /// Runs an asynchronous script in the page (it calls its last argument
    /// with the result) and returns that result.
    pub async fn script_async(&self, source: &str, args: Json) -> Json {
        let timeouts = json!({"script": 60_000});
        self.call(reqwest::Method::POST, &self.path("/timeouts"), timeouts).await;
        self.call(reqwest::Method::POST, &self.path("/execute/async"), json!({"script": source, "args": args})).await
    }

    /// Makes the page a screen of `width` × `height` CSS pixels (a phone's,
    /// with touch, when `phone`), through Chromium's device emulation.
    pub async fn screen(&self, width: u32, height: u32, phone: bool) {
        let params = json!({"width": width, "height": height, "deviceScaleFactor": if phone { 3 } else { 1 },
                            "mobile": phone});
        let command = json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": params});
        self.call(reqwest::Method::POST, &self.path("/goog/cdp/execute"), command).await;
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        let data = self.call(reqwest::Method::GET, &self.path("/screenshot"), Json::Null).await;
        let png = base64::engine::general_purpose::STANDARD.decode(data.as_str().unwrap_or_default()).expect("a PNG");
        std::fs::write(path, png).expect("the screenshot is written");
    }
}

impl Browser {
    /// Ends the browser session (closing Chromium) and the driver.
    pub async fn quit(self) {
        let path = self.path("");
        let _ = self.client.delete(format!("{}{path}", self.base)).send().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
