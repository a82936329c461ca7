//! The `warroom` binary: parses the command line, loads config, sets up logging and
//! hands over to the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use warroom::app::{Application, shutdown_signal};
use warroom::config::{Settings, SlackSecrets};
use warroom::postmortem::Style;
use warroom::report::TimeArg;
use warroom::store::Store;
use warroom::telemetry::{self, Sink};
use warroom::{app, cli};

#[derive(Parser)]
#[command(
    name = "warroom",
    version,
    about = "A Slack incident bot: declare, capture the timeline, draft the postmortem."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot: Slack's HTTP endpoints and the outbound worker.
    Serve,
    /// Store a channel from a Slack workspace export as an incident and print its postmortem draft.
    Import {
        /// The export's folder (with users.json and channels.json).
        dir: PathBuf,
        /// The channel to import, by name.
        #[arg(long)]
        channel: String,
        /// The draft's layout: default, google-sre, pagerduty or a template file
        /// (overrides [postmortem] template).
        #[arg(long)]
        template: Option<String>,
    },
    /// Print the postmortem draft of a stored incident.
    Postmortem {
        /// The incident number.
        incident_id: i64,
        /// The draft's layout: default, google-sre, pagerduty or a template file
        /// (overrides [postmortem] template).
        #[arg(long)]
        template: Option<String>,
    },
    /// Show open incidents, the outbound backlog and failed Slack writes.
    Status,
    /// Serve the web dashboard alone, from the database: no Slack credentials needed.
    /// Without [dashboard] token_env it runs open, and only on a loopback address.
    Dashboard {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        listen: std::net::SocketAddr,
    },
    /// List action items across incidents, newest incident first.
    Actions {
        /// Only items still open.
        #[arg(long)]
        open: bool,
        /// Only items this person owns: a Slack user id such as U02BSPARRO.
        #[arg(long, value_name = "USER_ID", value_parser = cli::parse_owner)]
        owner: Option<String>,
    },
    /// Print the on-call report of a time window as Markdown: every incident and page
    /// in it, who was paged, who acknowledged and how fast, resolutions and open
    /// action items. Times are UTC.
    Report {
        /// Where the window starts: an RFC 3339 time (2026-12-01T09:00:00Z), a date
        /// (2026-12-01, midnight UTC) or an age (24h, 7d: that long ago).
        #[arg(long, value_name = "TIME", value_parser = cli::parse_time)]
        since: TimeArg,
        /// Where it ends, excluded (same forms, or `now`); defaults to now.
        #[arg(long, value_name = "TIME", value_parser = cli::parse_time)]
        until: Option<TimeArg>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let sink = if matches!(cli.command, Command::Serve | Command::Dashboard { .. }) {
        Sink::Stdout
    } else {
        Sink::Stderr
    };
    telemetry::init("info,sqlx=warn", sink);
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    match command {
        Command::Serve => {
            let secrets = SlackSecrets::from_env(&|k| std::env::var(k).ok())?;
            let app = Application::build(settings, secrets).await?;
            app.run_until(shutdown_signal()).await
        }
        Command::Import {
            dir,
            channel,
            template,
        } => {
            let style = Style::from_settings(&settings.postmortem, template.as_deref())?;
            let store = open(&settings).await?;
            let (id, draft) = cli::import(&store, &dir, &channel, &style).await?;
            eprintln!(
                "Imported #{channel} as incident #{id} into {}.",
                app::redact_url(&settings.database_url)
            );
            say(&format!("{draft}\n"))
        }
        Command::Postmortem {
            incident_id,
            template,
        } => {
            let style = Style::from_settings(&settings.postmortem, template.as_deref())?;
            let store = open(&settings).await?;
            let escalation = &settings.paging.escalation;
            let draft = cli::draft_markdown(&store, incident_id, escalation, &style).await?;
            say(&format!("{draft}\n"))
        }
        Command::Dashboard { listen } => {
            let server = warroom::web::DashboardServer::build(
                settings,
                listen,
                warroom::clock::Clock::new(),
            )
            .await?;
            server.run_until(shutdown_signal()).await
        }
        Command::Status => {
            let store = open(&settings).await?;
            say(&cli::status(&store).await?)
        }
        Command::Actions {
            open: open_only,
            owner,
        } => {
            let store = open(&settings).await?;
            say(&cli::actions(&store, open_only, owner.as_deref()).await?)
        }
        Command::Report { since, until } => {
            let window = cli::report_window(since, until, chrono::Utc::now())?;
            let store = open(&settings).await?;
            let escalation = &settings.paging.escalation;
            say(&cli::report(&store, window, escalation).await?)
        }
    }
}

/// Writes a command's output. A reader that went away (`warroom postmortem 1 | head`)
/// is not an error: the output was wanted only so far, as with any Unix tool.
fn say(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

async fn open(settings: &Settings) -> anyhow::Result<Store> {
    use anyhow::Context;
    Store::connect(&settings.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database at {}",
                app::redact_url(&settings.database_url)
            )
        })
}
