//! The `warroom` binary: parses the command line, loads config, sets up logging and
//! hands over to the library.

use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use warroom::app::{Application, shutdown_signal};
use warroom::config::{Settings, SlackSecrets};
use warroom::drills::{ReplayPlan, Speed};
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
    /// The Wheel of Misfortune: replay a past incident from a Slack export into a new
    /// drill war room, as the bot, each message attributed to its author by name, at
    /// the chosen speed. It posts to Slack, so it needs SLACK_BOT_TOKEN; run `warroom
    /// serve` beside it so the team can work the drill. (A drill without a replay is
    /// declared in Slack: /incident drill <title> [sevN].)
    Drill {
        /// The export's folder (with users.json and channels.json).
        #[arg(long, value_name = "EXPORT_DIR")]
        replay: Option<PathBuf>,
        /// The channel to replay, by name.
        #[arg(long, value_name = "NAME")]
        channel: Option<String>,
        /// How much faster than real time: the gaps between messages are divided by it
        /// (0.1 to 1000). Slack takes about one message a second per channel, so a
        /// faster pace than that runs late, never out of order.
        #[arg(long, default_value = "10", value_name = "N", value_parser = parse_speed)]
        speed: Speed,
        /// Who runs the drill: a Slack user id such as U02BSPARRO, made its commander
        /// and invited to the war room.
        #[arg(long, value_name = "USER_ID", value_parser = cli::parse_owner)]
        lead: Option<String>,
    },
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
    /// The fallback war room on IRC, on the database alone (no Slack credentials: Slack
    /// may be what is down). The running `warroom serve` joins or leaves the channel.
    Fallback {
        #[command(subcommand)]
        action: FallbackAction,
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

#[derive(Subcommand)]
enum FallbackAction {
    /// Open the incident's fallback war room on IRC ([fallback.irc] must be set).
    Open {
        /// The incident number.
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        incident_id: i64,
    },
    /// Close it (closing the incident closes it too); [fallback.irc] may be unset.
    Close {
        /// The incident number.
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        incident_id: i64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // A replay's usage errors (exit 2, naming the flag) come before anything opens.
    let plan = match &cli.command {
        Command::Drill {
            replay, channel, ..
        } => Some(replay_plan(replay.as_deref(), channel.as_deref())),
        _ => None,
    };
    let sink = if matches!(cli.command, Command::Serve | Command::Dashboard { .. }) {
        Sink::Stdout
    } else {
        Sink::Stderr
    };
    telemetry::init("info,sqlx=warn", sink);
    match run(cli.command, plan).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, plan: Option<ReplayPlan>) -> anyhow::Result<()> {
    let mut settings = Settings::from_env()?;
    match command {
        Command::Drill { speed, lead, .. } => {
            let plan = plan.ok_or_else(|| anyhow::anyhow!("the replay was not read"))?;
            let secrets = drill_secrets()?;
            // Only the outbox runs: no port is served, so none may clash with `serve`.
            settings.listen = ([127, 0, 0, 1], 0).into();
            let app = Application::build_beside_serve(settings, secrets).await?;
            eprintln!(
                "Replaying {} messages of #{} at {}x into a new drill…",
                plan.lines.len(),
                plan.channel,
                speed.get()
            );
            let id = app.replay_drill(&plan, speed, lead.as_deref()).await?;
            eprintln!("Replayed into drill #{id}.");
            Ok(())
        }
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
        Command::Fallback { action } => {
            let (incident_id, open_it) = match action {
                FallbackAction::Open { incident_id } => (incident_id, true),
                FallbackAction::Close { incident_id } => (incident_id, false),
            };
            let store = open(&settings).await?;
            let outcome = warroom::commands::fallback::offline(
                &store,
                &settings.fallback,
                incident_id,
                open_it,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            store.close().await;
            use warroom::commands::fallback::Outcome;
            match &outcome {
                Outcome::Refused(why) => anyhow::bail!("{why}"),
                Outcome::Opened { .. } => say(&format!(
                    "{}\nThe running `warroom serve` joins the channel, and tells the Slack war room once Slack answers.\n",
                    outcome.describe(incident_id)
                )),
                Outcome::Closed { .. } if settings.fallback.irc.is_none() => say(&format!(
                    "{}\nIt is closed in the database. This configuration has no [fallback.irc], so a `warroom serve` running with it is in no IRC channel; one still configured for IRC leaves it.\n",
                    outcome.describe(incident_id)
                )),
                Outcome::Closed { .. } => say(&format!(
                    "{}\nThe running `warroom serve` leaves the channel.\n",
                    outcome.describe(incident_id)
                )),
                _ => say(&format!("{}\n", outcome.describe(incident_id))),
            }
        }
        Command::Report { since, until } => {
            let window = cli::report_window(since, until, chrono::Utc::now())?;
            let store = open(&settings).await?;
            let escalation = &settings.paging.escalation;
            say(&cli::report(&store, window, escalation).await?)
        }
    }
}

fn parse_speed(raw: &str) -> Result<Speed, String> {
    Speed::parse(raw)
}

/// The replay `warroom drill` was asked for, or a usage error naming the flag at
/// fault (clap's exit status 2).
fn replay_plan(dir: Option<&std::path::Path>, channel: Option<&str>) -> ReplayPlan {
    use clap::error::ErrorKind;
    let usage =
        |kind: ErrorKind, message: String| -> ! { Cli::command().error(kind, message).exit() };
    let Some(dir) = dir else {
        usage(
            ErrorKind::MissingRequiredArgument,
            "`warroom drill` replays an export: --replay <EXPORT_DIR> --channel <NAME> [--speed 10]. \
             To declare a drill without a replay, use Slack: /incident drill <title> [sevN]"
                .into(),
        )
    };
    let Some(channel) = channel else {
        usage(
            ErrorKind::MissingRequiredArgument,
            "--channel <NAME> is required: which channel of the export to replay".into(),
        )
    };
    match warroom::import::read_export(dir, channel) {
        Ok(exported) if exported.entries.is_empty() => usage(
            ErrorKind::InvalidValue,
            format!("--channel {channel}: the export holds no messages for it to replay"),
        ),
        Ok(exported) => ReplayPlan::from_export(&exported),
        Err(e @ warroom::import::ImportError::ChannelNotFound { .. }) => {
            usage(ErrorKind::InvalidValue, format!("--channel: {e}"))
        }
        Err(e) => usage(
            ErrorKind::InvalidValue,
            format!("--replay {}: not a Slack export: {e}", dir.display()),
        ),
    }
}

/// The bot token a replay posts with. Only the token: the replay takes no requests
/// from Slack, so it has no signing secret to check them with.
fn drill_secrets() -> anyhow::Result<SlackSecrets> {
    let token = std::env::var("SLACK_BOT_TOKEN").unwrap_or_default();
    if token.trim().is_empty() {
        anyhow::bail!(
            "warroom drill posts to Slack: set SLACK_BOT_TOKEN to the bot token (xoxb-…) `warroom serve` uses"
        );
    }
    if !token.starts_with("xoxb-") {
        anyhow::bail!("SLACK_BOT_TOKEN must be a bot token starting with xoxb-");
    }
    Ok(SlackSecrets {
        bot_token: token.into(),
        signing_secret: String::new().into(),
        app_token: None,
    })
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
