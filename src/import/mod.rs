//! Importing a past incident from a standard Slack workspace export: [`read_export`]
//! reads one channel (its details, people and messages) into domain values, and
//! [`incident_from`] derives the incident record from it. Reads files, writes nothing,
//! and reports bad input as an [`ImportError`] that names the file; it never panics.

mod export;

use crate::domain::{
    FileRef, Incident, MAX_TITLE_CHARS, Person, PersonKind, Severity, SlackTs, Status,
    TimelineEntry,
};
use crate::store::MarkSource;
use chrono::{DateTime, Utc};
use export::{RawChannel, RawMessage, RawUser, non_empty, read_json, read_optional_json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One channel of an export, as domain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedChannel {
    pub channel_id: String,
    pub name: String,
    pub created: DateTime<Utc>,
    pub creator: Option<String>,
    pub topic: Option<String>,
    pub purpose: Option<String>,
    pub members: Vec<String>,
    /// Everyone in `users.json`, plus bots that posted in the channel under a name.
    pub people: Vec<Person>,
    /// Sorted by time, then ts; `incident_id` is 0 until the incident is stored.
    /// Messages pinned here or given a 📌 are `marked_key`.
    pub entries: Vec<TimelineEntry>,
    /// Those marks one by one, in file order, to store as live events would have.
    pub key_marks: Vec<ImportedMark>,
}

/// A key-event mark an export shows on a message: a pin in this channel (`user_id`
/// `""`), or someone's 📌. The export gives no time for it; `at` is the message's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMark {
    pub ts: String,
    pub source: MarkSource,
    pub user_id: String,
    pub at: DateTime<Utc>,
}

impl ImportedChannel {
    /// The people keyed by user id, as [`crate::postmortem::build`] takes them.
    pub fn people_by_id(&self) -> HashMap<String, Person> {
        self.people
            .iter()
            .map(|p| (p.user_id.clone(), p.clone()))
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("export directory {} does not exist or is not a directory", .0.display())]
    MissingDir(PathBuf),
    #[error("{} is missing: is this the top level of an unzipped Slack export?", .0.display())]
    MissingUsers(PathBuf),
    #[error("no channels.json, groups.json or mpims.json in {}", .0.display())]
    MissingChannels(PathBuf),
    #[error(
        "channel `{wanted}` is not in {}; available channels: {}",
        .listed_in.display(),
        if available.is_empty() { "none".to_string() } else { available.join(", ") }
    )]
    ChannelNotFound {
        wanted: String,
        listed_in: PathBuf,
        available: Vec<String>,
    },
    #[error("could not read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `source` already says where on `line` parsing stopped.
    #[error("bad JSON in {}: {source}", path.display())]
    BadJson {
        path: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
    /// `message` counts from 1, in file order.
    #[error(
        "bad {field} `{value}` in {}, message {message}: expected seconds.micros, e.g. 1615281300.000100",
        path.display()
    )]
    BadTs {
        path: PathBuf,
        message: usize,
        field: &'static str,
        value: String,
    },
    #[error("bad `created` time {value} for channel `{channel}` in {}", path.display())]
    BadCreated {
        path: PathBuf,
        channel: String,
        value: i64,
    },
}

/// Message subtypes left out of the timeline. Joins and leaves are membership noise: a
/// war room collects dozens as people are paged in, they say nothing about what happened,
/// and keeping them would list everyone who merely looked in as a stakeholder.
const MEMBERSHIP_SUBTYPES: [&str; 4] =
    ["channel_join", "channel_leave", "group_join", "group_leave"];

/// Reads `channel` (its name, `#name` or id) from the export unzipped at `dir`.
pub fn read_export(dir: &Path, channel: &str) -> Result<ImportedChannel, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::MissingDir(dir.to_path_buf()));
    }
    let users_path = dir.join("users.json");
    if !users_path.is_file() {
        return Err(ImportError::MissingUsers(users_path));
    }
    let users: Vec<RawUser> = read_json(&users_path)?;
    let raw = find_channel(dir, channel)?;
    let name = raw.name.clone().unwrap_or_else(|| raw.id.clone());
    let channels_path = dir.join("channels.json");
    let created = match raw.created {
        None => DateTime::UNIX_EPOCH,
        Some(value) => {
            DateTime::from_timestamp(value, 0).ok_or_else(|| ImportError::BadCreated {
                path: channels_path,
                channel: name.clone(),
                value,
            })?
        }
    };

    let mut people: Vec<Person> = users.iter().map(person).collect();
    let mut entries = Vec::new();
    let mut key_marks = Vec::new();
    for path in day_files(&dir.join(&name))? {
        let messages: Vec<RawMessage> = read_json(&path)?;
        for (i, message) in messages.iter().enumerate() {
            if let Some(mut entry) = entry(message, &path, i + 1)? {
                let ts = entry.ts.clone().unwrap_or_default();
                for (source, user_id) in message.key_marks(&raw.id) {
                    entry.marked_key = true;
                    key_marks.push(ImportedMark {
                        ts: ts.clone(),
                        source,
                        user_id,
                        at: entry.at,
                    });
                }
                entries.push(entry);
            }
            add_bot(&mut people, message);
        }
    }
    entries.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.ts.cmp(&b.ts)));

    Ok(ImportedChannel {
        channel_id: raw.id,
        name,
        created,
        creator: non_empty(raw.creator.as_deref()),
        topic: non_empty(raw.topic.as_ref().and_then(|t| t.value.as_deref())),
        purpose: non_empty(raw.purpose.as_ref().and_then(|t| t.value.as_deref())),
        members: raw.members.unwrap_or_default(),
        people,
        entries,
        key_marks,
    })
}

/// The incident as far as an export can tell: closed, with no resolution yet (the team
/// writes that in the postmortem). Title from the purpose, else topic, else channel
/// name; severity from a `SEVn` prefix on the topic, else SEV3. No summary: a
/// channel's topic is a label set when the room opened, not the team's account of
/// what happened, so the draft composes its summary from the record instead.
pub fn incident_from(channel: &ImportedChannel) -> Incident {
    let title_source = channel
        .purpose
        .as_deref()
        .or(channel.topic.as_deref())
        .unwrap_or(&channel.name);
    let first = channel.entries.first();
    // The first message raised the alarm, so its author declared the incident; the
    // channel's creator ran it.
    let declared_by = channel
        .entries
        .iter()
        .find_map(|e| e.author_id.clone())
        .or_else(|| channel.creator.clone())
        .unwrap_or_else(|| "unknown".to_string());
    Incident {
        id: 0,
        title: title(title_source),
        severity: channel
            .topic
            .as_deref()
            .and_then(severity_prefix)
            .unwrap_or(Severity::SEV3),
        status: Status::Closed,
        // The purpose says what the channel is for; it is not the service affected.
        service: None,
        summary: None,
        lead: channel.creator.clone(),
        comms: None,
        scribe: None,
        declared_by,
        declared_at: first.map_or(channel.created, |e| e.at),
        identified_at: None,
        mitigated_at: None,
        resolved_at: None,
        closed_at: Some(channel.entries.last().map_or(channel.created, |e| e.at)),
        resolution: None,
        channel_id: Some(channel.channel_id.clone()),
        channel_name: Some(channel.name.clone()),
        drill: false,
    }
}

/// One line, at most [`MAX_TITLE_CHARS`], as a declared title would be.
fn title(source: &str) -> String {
    let one_line = source.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(MAX_TITLE_CHARS).collect()
}

/// `SEV1: app down` → SEV1. Only a leading `sevN` word counts, so a topic that merely
/// mentions a severity later on doesn't set it.
fn severity_prefix(topic: &str) -> Option<Severity> {
    let word: String = topic
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let is_sev = word.len() > 3 && word[..3].eq_ignore_ascii_case("sev");
    is_sev.then(|| Severity::parse(&word).ok()).flatten()
}

fn find_channel(dir: &Path, wanted: &str) -> Result<RawChannel, ImportError> {
    let key = wanted.trim().trim_start_matches('#');
    let mut listed = false;
    let mut available = Vec::new();
    for file in ["channels.json", "groups.json", "mpims.json"] {
        let Some(channels) = read_optional_json::<Vec<RawChannel>>(&dir.join(file))? else {
            continue;
        };
        listed = true;
        for c in channels {
            if c.id == key || c.name.as_deref() == Some(key) {
                return Ok(c);
            }
            available.push(c.name.unwrap_or(c.id));
        }
    }
    if !listed {
        return Err(ImportError::MissingChannels(dir.to_path_buf()));
    }
    available.sort();
    Err(ImportError::ChannelNotFound {
        wanted: wanted.to_string(),
        listed_in: dir.join("channels.json"),
        available,
    })
}

/// The channel's `YYYY-MM-DD.json` files in date order. Slack writes no folder for a
/// channel without messages, so a missing folder is an empty timeline, not an error.
fn day_files(channel_dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    if !channel_dir.is_dir() {
        return Ok(Vec::new());
    }
    let io_err = |source| ImportError::Io {
        path: channel_dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for item in std::fs::read_dir(channel_dir).map_err(io_err)? {
        let path = item.map_err(io_err)?.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    // The names are ISO dates, so name order is date order.
    files.sort();
    Ok(files)
}

fn person(user: &RawUser) -> Person {
    let profile = user.profile.as_ref();
    let name = crate::domain::display_name(
        [
            profile.and_then(|p| p.real_name.as_deref()),
            user.real_name.as_deref(),
            profile.and_then(|p| p.display_name.as_deref()),
            user.name.as_deref(),
        ],
        &user.id,
    );
    Person {
        user_id: user.id.clone(),
        name,
        title: non_empty(profile.and_then(|p| p.title.as_deref())),
        kind: if user.is_bot {
            PersonKind::Bot
        } else {
            PersonKind::Human
        },
    }
}

/// Bots aren't in `users.json`; keep the name they posted under so the timeline
/// reads "Grafana" rather than `B01ABC`.
fn add_bot(people: &mut Vec<Person>, message: &RawMessage) {
    let (None, Some(bot_id)) = (&message.user, &message.bot_id) else {
        return;
    };
    let name = message
        .bot_profile
        .as_ref()
        .and_then(|p| non_empty(p.name.as_deref()))
        .or_else(|| non_empty(message.username.as_deref()));
    if let Some(name) = name
        && !people.iter().any(|p| &p.user_id == bot_id)
    {
        people.push(Person {
            user_id: bot_id.clone(),
            name,
            title: None,
            kind: PersonKind::Bot,
        });
    }
}

/// The timeline entry for message number `index` (from 1) of `path`, or `None` for
/// what the timeline leaves out: non-messages and membership changes.
fn entry(
    message: &RawMessage,
    path: &Path,
    index: usize,
) -> Result<Option<TimelineEntry>, ImportError> {
    if message.kind.as_deref().is_some_and(|k| k != "message")
        || message
            .subtype
            .as_deref()
            .is_some_and(|s| MEMBERSHIP_SUBTYPES.contains(&s))
    {
        return Ok(None);
    }
    let ts_of = |field: &'static str, value: Option<&str>| {
        let value = value.unwrap_or("");
        SlackTs::parse(value).map_err(|_| ImportError::BadTs {
            path: path.to_path_buf(),
            message: index,
            field,
            value: value.to_string(),
        })
    };
    let ts = ts_of("ts", message.ts.as_deref())?;
    let thread_ts = match &message.thread_ts {
        Some(t) => Some(ts_of("thread_ts", Some(t))?),
        None => None,
    };
    let edited_at = match message.edited.as_ref().and_then(|e| e.ts.as_deref()) {
        Some(t) => Some(ts_of("edited.ts", Some(t))?.to_datetime()),
        None => None,
    };
    let files = message
        .files
        .iter()
        .flatten()
        .map(|f| {
            let id = f.id.clone().unwrap_or_default();
            FileRef {
                // Files past a free plan's history limit come with no name at all.
                name: non_empty(f.name.as_deref())
                    .or_else(|| non_empty(f.title.as_deref()))
                    .unwrap_or_else(|| id.clone()),
                id,
                permalink: non_empty(f.permalink.as_deref())
                    .or_else(|| non_empty(f.url_private.as_deref())),
            }
        })
        .collect();
    let author =
        non_empty(message.user.as_deref()).or_else(|| non_empty(message.bot_id.as_deref()));
    let text = message
        .text
        .as_deref()
        .unwrap_or_default()
        .replace('\0', "");
    let mut entry =
        TimelineEntry::message(0, ts.to_datetime(), author, text, ts.as_str().to_string());
    entry.thread_ts = thread_ts.map(|t| t.as_str().to_string());
    // An export holds only the final text of an edited message.
    entry.edited_at = edited_at;
    entry.files = files;
    Ok(Some(entry))
}

#[cfg(test)]
mod tests;
