//! The timeline as the draft shows it: every entry in order, each marked when it is a
//! key event, with the versions an edited message had.

use super::display_name;
use crate::domain::{EntrySource, FileRef, Person, TimelineEntry};
use crate::postmortem::rich_text::RichText;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// One timeline entry, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub at: DateTime<Utc>,
    /// True on the first line and whenever the UTC date differs from the line before,
    /// so incidents that cross midnight stay readable with `HH:MM` times.
    pub starts_day: bool,
    pub author: String,
    pub system: bool,
    pub reply: bool,
    /// A key event: see [`TimelineEntry::is_key`].
    pub key: bool,
    /// The current (or, when deleted, last known) text.
    pub text: RichText,
    pub change: LineChange,
    pub files: Vec<FileRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LineChange {
    Unchanged,
    /// `earlier` holds every earlier version that was captured, oldest first, with the
    /// time it was written (possibly none: an export keeps only the final text).
    Edited {
        earlier: Vec<(DateTime<Utc>, RichText)>,
    },
    Deleted,
}

pub(super) fn timeline(sorted: &[&TimelineEntry], people: &HashMap<String, Person>) -> Vec<Line> {
    let mut lines = Vec::with_capacity(sorted.len());
    let mut previous_day = None;
    for entry in sorted {
        let day = entry.at.date_naive();
        let change = if entry.deleted_at.is_some() {
            LineChange::Deleted
        } else if entry.edited_at.is_some() || entry.previous_text.is_some() {
            LineChange::Edited {
                earlier: earlier_versions(entry, people),
            }
        } else {
            LineChange::Unchanged
        };
        lines.push(Line {
            at: entry.at,
            starts_day: previous_day != Some(day),
            author: author(entry, people),
            system: entry.is_system(),
            reply: entry.is_thread_reply(),
            key: entry.is_key(),
            text: RichText::parse(&entry.text, people),
            change,
            files: entry.files.clone(),
        });
        previous_day = Some(day);
    }
    lines
}

/// Who said it; on IRC, marked so: the mapped person's name, or the nick, then `(IRC)`.
pub(super) fn author(entry: &TimelineEntry, people: &HashMap<String, Person>) -> String {
    if entry.source == EntrySource::Irc {
        let who = match (&entry.author_id, &entry.author_nick) {
            (Some(id), _) => display_name(id, people),
            (None, Some(nick)) => nick.clone(),
            (None, None) => "unknown".to_string(),
        };
        return format!("{who} (IRC)");
    }
    match &entry.author_id {
        Some(id) => display_name(id, people),
        None if entry.is_system() => "Warroom".to_string(),
        None => "unknown".to_string(),
    }
}

/// The versions an edited entry had, oldest first. Rows written before versions were
/// kept know only the text before the latest edit, at an unknown time (the
/// message's own stands in).
fn earlier_versions(
    entry: &TimelineEntry,
    people: &HashMap<String, Person>,
) -> Vec<(DateTime<Utc>, RichText)> {
    if entry.versions.is_empty() {
        return super::rich(entry.previous_text.as_deref(), people)
            .map(|t| vec![(entry.at, t)])
            .unwrap_or_default();
    }
    entry
        .versions
        .iter()
        .map(|v| (v.at, RichText::parse(&v.text, people)))
        .collect()
}
