//! Logging. JSON lines on stdout for `serve` (`WARROOM_LOG_FORMAT=pretty` for humans),
//! filtered by `RUST_LOG` (default `info`). CLI commands log to stderr so their stdout
//! stays clean for the output a user pipes somewhere.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// The most the `irc` crate may log.
const IRC_CAP: &str = "irc=info";

pub enum Sink {
    Stdout,
    Stderr,
}

/// Installs the global subscriber once; later calls (as in tests) are ignored.
pub fn init(default_level: &str, sink: Sink) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(default_level))
        // The `irc` crate traces every line it sends, the server password's `PASS`
        // among them: its trace level stays off whatever RUST_LOG says.
        .add_directive(IRC_CAP.parse().expect("a valid directive"));
    let pretty = std::env::var("WARROOM_LOG_FORMAT").is_ok_and(|v| v == "pretty");
    let registry = tracing_subscriber::registry().with(filter);
    let result = match (sink, pretty) {
        (Sink::Stdout, false) => registry
            .with(fmt::layer().json().with_current_span(false))
            .try_init(),
        (Sink::Stdout, true) => registry.with(fmt::layer()).try_init(),
        (Sink::Stderr, _) => registry
            .with(fmt::layer().with_writer(std::io::stderr).compact())
            .try_init(),
    };
    let _ = result;
}

/// For tests: silent unless `TEST_LOG=1`.
pub fn init_for_tests() {
    if std::env::var("TEST_LOG").is_ok_and(|v| v == "1") {
        init("debug,sqlx=warn,hyper=info", Sink::Stderr);
    }
}
