//! The processes behind a browser test: chromedriver, which launches headless
//! Chromium, both in one process group of their own so that dropping a [`Driver`]
//! (a test that ends, passes or panics) kills every process they started, and a
//! throwaway profile directory removed with them.
//!
//! Where Chromium cannot start, [`unavailable`] decides: under CI the test fails and
//! says how to install it; elsewhere it prints a loud `SKIPPED:` line and the test
//! returns. A browser test never passes silently.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// What to install where Chromium is missing (Debian's packages, as `.ci/run` does).
pub const INSTALL_HINT: &str = "install Debian's packages: apt-get install -y chromium \
     chromium-driver fonts-dejavu-core (or point WARROOM_CHROMIUM and \
     WARROOM_CHROMEDRIVER at the binaries)";

/// How long chromedriver may take to say which port it listens on.
const STARTUP: Duration = Duration::from_secs(30);

/// The binaries a browser test runs.
pub struct Binaries {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Binaries {
    /// `WARROOM_CHROMIUM` / `WARROOM_CHROMEDRIVER` when set, else Debian's paths, else
    /// the first of the usual names on `PATH`.
    pub fn find() -> Result<Self, String> {
        let chromium = find_binary(
            "WARROOM_CHROMIUM",
            "/usr/bin/chromium",
            &["chromium", "chromium-browser"],
        )?;
        let chromedriver = find_binary(
            "WARROOM_CHROMEDRIVER",
            "/usr/bin/chromedriver",
            &["chromedriver"],
        )?;
        Ok(Self {
            chromium,
            chromedriver,
        })
    }
}

fn find_binary(var: &str, debian: &str, names: &[&str]) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "{var} names {}, which is not a file",
                path.display()
            ))
        };
    }
    if Path::new(debian).is_file() {
        return Ok(PathBuf::from(debian));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(format!("no {debian}, and none of {names:?} on PATH"))
}

/// Whether this run is CI's, where a browser test must not be skipped: `CI` is set to
/// anything but empty, `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// Chromium cannot start for `test`, because of `why`: under CI, fail; elsewhere say
/// so loudly on stderr. Returns so the caller can `return` from the test.
pub fn unavailable(test: &str, why: &str) {
    if in_ci() {
        panic!(
            "{test}: Chromium is missing or cannot start, and CI must run the browser \
             tests ({why}); {INSTALL_HINT}"
        );
    }
    // Straight to the process's stderr: the test harness captures `eprintln!` of
    // passing tests, and this line must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {test}: Chromium cannot start ({why}). This browser test did NOT \
         run; {INSTALL_HINT}. ***\n"
    );
}

/// A running chromedriver and everything it launched.
pub struct Driver {
    child: Child,
    /// The process group: chromedriver's pid, inherited by the Chromium it starts.
    pgid: i32,
    pub url: String,
    pub profile: PathBuf,
}

impl Driver {
    /// Starts chromedriver on a free port (it picks one and says which).
    pub async fn start(binaries: &Binaries) -> Result<Self, String> {
        let profile = std::env::temp_dir().join(format!(
            "warroom-chromium-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&profile)
            .map_err(|e| format!("cannot create {}: {e}", profile.display()))?;
        let mut child = Command::new(&binaries.chromedriver)
            .arg("--port=0")
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binaries.chromedriver.display()))?;
        let pgid = child.id().map(|id| id as i32).unwrap_or_default();
        // From here on, dropping `driver` cleans up, whatever fails next.
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut driver = Self {
            child,
            pgid,
            url: String::new(),
            profile,
        };
        let mut lines = BufReader::new(stdout).lines();
        let port = tokio::time::timeout(STARTUP, async {
            while let Ok(Some(line)) = lines.next_line().await {
                // "ChromeDriver was started successfully on port 43627."
                if let Some(rest) = line.split("started successfully on port ").nth(1) {
                    return rest.trim_end_matches('.').trim().parse::<u16>().ok();
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .ok_or_else(|| "chromedriver did not say which port it listens on".to_string())?;
        // Keep reading, so that chromedriver never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        driver.url = format!("http://127.0.0.1:{port}");
        Ok(driver)
    }

    /// The process group every process of this browser belongs to.
    pub fn pgid(&self) -> i32 {
        self.pgid
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if self.pgid > 0 {
            // SAFETY: kill(2) with a negative pid signals that process group, which
            // holds only chromedriver and what it started (`process_group(0)` above).
            unsafe {
                libc::kill(-self.pgid, libc::SIGKILL);
            }
        }
        let _ = self.child.start_kill();
        // Processes killed a moment ago may still hold files open in the profile.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.profile).is_ok() || !self.profile.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// How many processes of group `pgid` are alive (zombies waiting for a parent to reap
/// them are not), read from `/proc`.
pub fn live_processes_in_group(pgid: i32) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            // "pid (comm) state ppid pgrp …": comm may hold spaces, so split after ')'.
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let mut fields = rest.split_whitespace();
            let state = fields.next();
            let pgrp = fields.nth(1).and_then(|p| p.parse::<i32>().ok());
            pgrp == Some(pgid) && state != Some("Z") && state != Some("X")
        })
        .count()
}
