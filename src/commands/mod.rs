//! `/incident` slash commands: parse the text into a typed [`Command`], then apply it.
//! Every path answers: bad input gets an ephemeral usage message, never a silent drop.
//! One file per subcommand; war-room changes share [`war_room::apply`], and captures
//! outside the state machine (impact, action items) lock the incident the same way.

mod ack;
pub mod action;
mod close;
pub mod declare;
mod delivery;
pub mod drill;
pub mod fallback;
mod help;
mod impact;
mod lead;
mod list;
mod note;
mod numbered;
mod page;
mod report;
mod resolve;
mod role;
mod sev;
mod status;
mod summary;
mod update;
mod war_room;

pub use declare::{DeclareArgs, DeclaredVia, declare, start_escalation};
pub use delivery::Delivery;
pub use update::on_resolved as resolve_status_page;
pub use war_room::{NOT_A_WAR_ROOM, count_resolution, incident_of, lock_incident_of};

use crate::error::AppError;
use crate::state::AppState;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

const MAX_URL_LEN: usize = 2_048;
const MAX_NAME_CHARS: usize = 255;
/// The longest command text handled; longer gets a usage answer, not an error.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// A slash command as Slack posts it (form-encoded).
#[derive(Debug, Clone, Deserialize)]
pub struct SlashCommand {
    pub command: String,
    #[serde(default)]
    pub text: String,
    pub channel_id: String,
    #[serde(default)]
    pub channel_name: String,
    pub user_id: String,
    #[serde(default)]
    pub user_name: String,
    #[serde(default)]
    pub team_id: String,
    #[serde(default)]
    pub response_url: String,
    #[serde(default)]
    pub trigger_id: String,
    /// The Socket Mode envelope it came in, so it runs once (not part of Slack's form).
    #[serde(skip)]
    pub delivery: Delivery,
    /// The incident it is about, when the transport knows it without a Slack channel
    /// (IRC: a war room opened while Slack was down may have none). Set, it wins over
    /// `channel_id` ([`war_room::incident_of`]). Never from Slack's form.
    #[serde(skip)]
    pub incident_id: Option<i64>,
}

impl SlashCommand {
    pub fn from_form(body: &str) -> Result<Self, String> {
        serde_urlencoded::from_str::<Self>(body)
            .map_err(|e| format!("not a slash command form: {e}"))?
            .checked()
    }

    /// The command as it may be handled: ids of Slack's shape and size (else the
    /// reason to answer 400), and text without NUL bytes.
    pub fn checked(self) -> Result<Self, String> {
        use crate::domain::{IdKind, is_key, is_slack_id};
        if !is_slack_id(&self.user_id, IdKind::User) {
            return Err("user_id is not a Slack user id".into());
        }
        if !is_slack_id(&self.channel_id, IdKind::Channel) {
            return Err("channel_id is not a Slack channel id".into());
        }
        if !self.team_id.is_empty() && !is_slack_id(&self.team_id, IdKind::Team) {
            return Err("team_id is not a Slack team id".into());
        }
        if !self.trigger_id.is_empty() && !is_key(&self.trigger_id) {
            return Err("trigger_id is not a trigger id".into());
        }
        if self.response_url.len() > MAX_URL_LEN
            || [&self.command, &self.user_name, &self.channel_name]
                .iter()
                .any(|f| f.chars().count() > MAX_NAME_CHARS)
        {
            return Err("a field is longer than Slack sends".into());
        }
        Ok(self.cleaned())
    }

    /// Without NUL bytes, which PostgreSQL cannot store (and nobody types): the text
    /// is kept, just without them, on both backends alike.
    pub fn cleaned(mut self) -> Self {
        for field in [&mut self.text, &mut self.user_name, &mut self.channel_name] {
            if field.contains('\0') {
                *field = field.replace('\0', "");
            }
        }
        self
    }
}

/// The immediate answer to a command, sent as the HTTP response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Only the person who typed the command sees it.
    Ephemeral(String),
    /// Everyone in the channel sees it, under the command.
    InChannel(String),
    /// Nothing to say now (e.g. a modal is opening).
    Empty,
}

impl Reply {
    /// The reply as Slack takes it. Replies quote what people typed (titles, notes,
    /// unknown words), so the text is escaped here, once, for every command.
    pub fn to_json(&self) -> Option<Value> {
        let echo = crate::slack::mrkdwn::echo;
        match self {
            Reply::Ephemeral(text) => {
                Some(json!({"response_type": "ephemeral", "text": echo(text)}))
            }
            Reply::InChannel(text) => {
                Some(json!({"response_type": "in_channel", "text": echo(text)}))
            }
            Reply::Empty => None,
        }
    }

    pub fn to_answer(&self) -> crate::slack::Answer {
        match self.to_json() {
            Some(json) => crate::slack::Answer::Json(json),
            None => crate::slack::Answer::Empty,
        }
    }

    /// The reply an answer carries (the inverse of [`Reply::to_answer`]).
    pub fn from_answer(answer: &crate::slack::Answer) -> Reply {
        let crate::slack::Answer::Json(json) = answer else {
            return Reply::Empty;
        };
        let text = json["text"].as_str().unwrap_or_default().to_string();
        match json["response_type"].as_str() {
            Some("in_channel") => Reply::InChannel(text),
            _ => Reply::Ephemeral(text),
        }
    }

    /// A usage error: what was wrong, then how to say it.
    pub fn usage(problem: &str, usage: &str) -> Reply {
        Reply::Ephemeral(format!(":warning: {problem}\nUsage: `{usage}`"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Declare(Option<DeclareArgs>),
    /// `drill <title> [sevN]`: a practice incident.
    Drill(DeclareArgs),
    Status(status::StatusArgs),
    Sev(sev::SevArgs),
    /// `role …`, and `lead @user` (the commander).
    Role(role::RoleArgs),
    Summary(summary::SummaryArgs),
    Impact(impact::ImpactArgs),
    Action(action::ActionArgs),
    Note(note::NoteArgs),
    Update(update::UpdateArgs),
    Page(page::PageArgs),
    Ack,
    Resolve(resolve::ResolveArgs),
    Close,
    /// `fallback [close]`: the war room's fallback on IRC.
    Fallback(fallback::FallbackArgs),
    List,
    Report(report::ReportArgs),
    Help,
    Unknown(String),
}

impl Command {
    /// Splits off the subcommand word and lets that subcommand parse the rest.
    /// `today` (UTC) resolves relative due dates (`due fri`).
    pub fn parse(text: &str, today: NaiveDate) -> Result<Command, Reply> {
        let text = text.trim();
        let (word, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let rest = rest.trim();
        Ok(match word.to_ascii_lowercase().as_str() {
            "declare" | "new" | "start" => Command::Declare(declare::parse(rest)?),
            "drill" => Command::Drill(drill::parse(rest)?),
            "status" => Command::Status(status::parse(rest)?),
            "sev" | "severity" => Command::Sev(sev::parse(rest)?),
            "lead" => Command::Role(lead::parse(rest)?),
            "role" => Command::Role(role::parse(rest)?),
            "summary" => Command::Summary(summary::parse(rest)?),
            "impact" => Command::Impact(impact::parse(rest)?),
            "action" => Command::Action(action::parse(rest, today)?),
            "actions" => Command::Action(action::ActionArgs::List),
            "note" => Command::Note(note::parse(rest)?),
            "update" => Command::Update(update::parse(rest)?),
            "page" => Command::Page(page::parse(rest)?),
            "ack" | "acknowledge" => Command::Ack,
            "resolve" => Command::Resolve(resolve::parse(rest)?),
            "close" => Command::Close,
            "fallback" => Command::Fallback(fallback::parse(rest)?),
            "list" => Command::List,
            "report" => Command::Report(report::parse(rest)?),
            "help" | "" => Command::Help,
            other => Command::Unknown(other.to_string()),
        })
    }
}

/// Runs a slash command and returns the answer for the transport to send back.
pub async fn answer(
    state: &AppState,
    cmd: &SlashCommand,
) -> Result<crate::slack::Answer, AppError> {
    let answer = dispatch(state, cmd).await?.to_answer();
    cmd.delivery
        .record_if_not_yet(&state.store, &answer)
        .await?;
    Ok(answer)
}

/// Runs a slash command and returns what to answer.
#[tracing::instrument(skip_all, fields(user = %cmd.user_id, channel = %cmd.channel_id))]
pub async fn dispatch(state: &AppState, cmd: &SlashCommand) -> Result<Reply, AppError> {
    if cmd.text.chars().count() > MAX_TEXT_CHARS {
        return Ok(Reply::Ephemeral(format!(
            ":warning: That is longer than the {MAX_TEXT_CHARS} characters a command takes. Say it in the war room, or shorten it."
        )));
    }
    let today = state.clock.now().date_naive();
    let command = match Command::parse(&cmd.text, today) {
        Ok(c) => c,
        Err(reply) => return Ok(reply),
    };
    match command {
        Command::Declare(Some(args)) => declare::run(state, cmd, args).await,
        Command::Declare(None) => declare::open_modal(state, cmd),
        Command::Drill(args) => drill::run(state, cmd, args).await,
        Command::Status(a) => war_room::apply(state, cmd, a.into_change()).await,
        Command::Sev(a) => war_room::apply(state, cmd, a.into_change()).await,
        Command::Role(a) => war_room::apply(state, cmd, a.into_change()).await,
        Command::Summary(a) => war_room::apply(state, cmd, a.into_change()).await,
        Command::Impact(a) => impact::run(state, cmd, a).await,
        Command::Action(a) => action::run(state, cmd, a).await,
        Command::Note(a) => war_room::apply(state, cmd, a.into_change()).await,
        Command::Update(a) => update::run(state, cmd, a).await,
        Command::Resolve(a) => war_room::apply(state, cmd, a.into_change()).await,
        Command::Page(a) => page::run(state, cmd, a).await,
        Command::Ack => ack::run(state, cmd).await,
        Command::Close => close::run(state, cmd).await,
        Command::Fallback(a) => fallback::run(state, cmd, a).await,
        Command::List => list::run(state).await,
        Command::Report(a) => report::run(state, a).await,
        Command::Help => Ok(help::reply(None)),
        Command::Unknown(word) => Ok(help::reply(Some(&word))),
    }
}
