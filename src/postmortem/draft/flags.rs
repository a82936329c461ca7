//! The blameless review of everything the team wrote down: messages, notes, the
//! summary, impact statements, action items and the resolution. Each flag names its
//! source (who, and when) so the author can find it; nobody's words are changed.

use super::{Draft, Facts, Line, moment};
use crate::domain::{EntryKind, TimelineEntry};
use crate::postmortem::review::{Flag, review as find_flags};
use std::borrow::Cow;

/// System entries that carry the team's words: a note, a status change's note.
const WORDED_KINDS: [&str; 2] = ["note", "status"];

pub(super) fn review(facts: &Facts<'_>, sorted: &[&TimelineEntry], draft: &Draft) -> Vec<Flag> {
    let declared = facts.incident.declared_at;
    // Sources are written out only for the texts that are flagged: a long incident
    // has many messages and few flags.
    let mut texts: Vec<(Source<'_>, Cow<'_, str>)> = Vec::new();
    for (entry, line) in sorted.iter().zip(&draft.timeline) {
        let worded = match &entry.kind {
            EntryKind::Message => entry.deleted_at.is_none(),
            EntryKind::System(kind) => WORDED_KINDS.contains(&kind.as_str()),
        };
        if worded {
            texts.push((Source::Line(line), line.text.plain_cow()));
        }
    }
    if !draft.summary.generated {
        texts.push((
            Source::Named("the summary".into()),
            draft.summary.text.plain_cow(),
        ));
    }
    for group in &draft.impact.groups {
        for s in &group.statements {
            let source = format!(
                "impact statement {}, {} at {}",
                s.seq,
                s.author,
                moment(s.at, declared)
            );
            texts.push((Source::Named(source), s.text.plain_cow()));
        }
    }
    for a in &draft.actions {
        let source = format!("action item {}", a.seq);
        texts.push((Source::Named(source), a.text.plain_cow()));
    }
    if let Some(resolution) = &draft.resolution {
        texts.push((
            Source::Named("the resolution".into()),
            resolution.plain_cow(),
        ));
    }
    let mut flags = find_flags(
        texts
            .iter()
            .enumerate()
            .map(|(i, (_, text))| (i.to_string(), text.as_ref())),
        facts.phrases,
    );
    for flag in &mut flags {
        if let Some((source, _)) = flag.source.parse::<usize>().ok().and_then(|i| texts.get(i)) {
            flag.source = match source {
                Source::Line(line) => format!("{} at {}", line.author, moment(line.at, declared)),
                Source::Named(name) => name.clone(),
            };
        }
    }
    flags
}

enum Source<'a> {
    Line(&'a Line),
    Named(String),
}
