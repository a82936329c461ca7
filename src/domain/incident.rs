//! The incident and its lifecycle: a pure state machine. Commands become `Change`s,
//! `Incident::apply` checks them and returns the `SystemEvent`s to record. No I/O here.

use super::{IncidentTitle, Severity, Status};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub service: Option<String>,
    pub summary: Option<String>,
    /// Slack user id of the incident lead.
    pub lead: Option<String>,
    pub declared_by: String,
    pub declared_at: DateTime<Utc>,
    pub identified_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub channel_id: Option<String>,
    pub channel_name: Option<String>,
}

/// What a user asks to happen to an open incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Status { to: Status, note: Option<String> },
    Severity(Severity),
    Lead(String),
    Note(String),
    Resolve(String),
    Close,
}

/// What did happen; each becomes a system entry in the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemEvent {
    Declared {
        title: String,
        severity: Severity,
    },
    StatusChanged {
        from: Status,
        to: Status,
        note: Option<String>,
    },
    SeverityChanged {
        from: Severity,
        to: Severity,
    },
    LeadChanged {
        from: Option<String>,
        to: String,
    },
    Note(String),
    Resolved(String),
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("incident #{0} is already closed")]
    AlreadyClosed(i64),
    #[error("the status is already {0}")]
    SameStatus(Status),
    #[error("the severity is already {0}")]
    SameSeverity(Severity),
    #[error("<@{0}> is already the lead")]
    SameLead(String),
    #[error("a note needs some text")]
    EmptyNote,
    #[error("say what fixed it: `/incident resolve <what fixed it>`")]
    EmptyResolution,
}

pub struct Declaration {
    pub title: IncidentTitle,
    pub severity: Severity,
    pub service: Option<String>,
    pub summary: Option<String>,
    pub declared_by: String,
    pub declared_at: DateTime<Utc>,
}

impl Incident {
    /// A new incident, not yet stored (`id` 0) and without a channel.
    pub fn declare(d: Declaration) -> (Self, SystemEvent) {
        let event = SystemEvent::Declared {
            title: d.title.to_string(),
            severity: d.severity,
        };
        let incident = Incident {
            id: 0,
            title: d.title.to_string(),
            severity: d.severity,
            status: Status::Investigating,
            service: d.service,
            summary: d.summary,
            lead: Some(d.declared_by.clone()),
            declared_by: d.declared_by,
            declared_at: d.declared_at,
            identified_at: None,
            resolved_at: None,
            closed_at: None,
            resolution: None,
            channel_id: None,
            channel_name: None,
        };
        (incident, event)
    }

    pub fn apply(
        &mut self,
        change: Change,
        at: DateTime<Utc>,
    ) -> Result<Vec<SystemEvent>, LifecycleError> {
        if self.status == Status::Closed {
            return Err(LifecycleError::AlreadyClosed(self.id));
        }
        match change {
            Change::Status { to, note } => self.set_status(to, note, at).map(|e| vec![e]),
            Change::Severity(to) => {
                if to == self.severity {
                    return Err(LifecycleError::SameSeverity(to));
                }
                let from = std::mem::replace(&mut self.severity, to);
                Ok(vec![SystemEvent::SeverityChanged { from, to }])
            }
            Change::Lead(to) => {
                if self.lead.as_deref() == Some(to.as_str()) {
                    return Err(LifecycleError::SameLead(to));
                }
                let from = self.lead.replace(to.clone());
                Ok(vec![SystemEvent::LeadChanged { from, to }])
            }
            Change::Note(text) => {
                let text = non_empty(text).ok_or(LifecycleError::EmptyNote)?;
                Ok(vec![SystemEvent::Note(text)])
            }
            Change::Resolve(text) => {
                let text = non_empty(text).ok_or(LifecycleError::EmptyResolution)?;
                self.resolution = Some(text.clone());
                let mut events = Vec::new();
                if self.status != Status::Resolved {
                    events.push(self.set_status(Status::Resolved, None, at)?);
                }
                events.push(SystemEvent::Resolved(text));
                Ok(events)
            }
            Change::Close => {
                let mut events = Vec::new();
                if self.status != Status::Resolved {
                    events.push(self.set_status(Status::Resolved, None, at)?);
                }
                self.status = Status::Closed;
                self.closed_at = Some(at);
                events.push(SystemEvent::Closed);
                Ok(events)
            }
        }
    }

    fn set_status(
        &mut self,
        to: Status,
        note: Option<String>,
        at: DateTime<Utc>,
    ) -> Result<SystemEvent, LifecycleError> {
        if to == self.status {
            return Err(LifecycleError::SameStatus(to));
        }
        match to {
            Status::Identified => {
                self.identified_at.get_or_insert(at);
            }
            Status::Resolved => {
                self.resolved_at = Some(at);
            }
            // Going back to investigating or monitoring reopens a resolved incident.
            _ => self.resolved_at = None,
        }
        if to == Status::Resolved || to == Status::Monitoring {
            // Reaching a fix implies the cause was identified, if nobody said so.
            self.identified_at.get_or_insert(at);
        }
        let from = std::mem::replace(&mut self.status, to);
        Ok(SystemEvent::StatusChanged {
            from,
            to,
            note: note.and_then(non_empty),
        })
    }

    /// Total duration: declared until closed (or resolved, or `now` while still open).
    pub fn end(&self) -> Option<DateTime<Utc>> {
        self.closed_at.or(self.resolved_at)
    }
}

fn non_empty(text: String) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

impl SystemEvent {
    /// The stable name stored with the entry.
    pub fn kind(&self) -> &'static str {
        match self {
            SystemEvent::Declared { .. } => "declared",
            SystemEvent::StatusChanged { .. } => "status",
            SystemEvent::SeverityChanged { .. } => "severity",
            SystemEvent::LeadChanged { .. } => "lead",
            SystemEvent::Note(_) => "note",
            SystemEvent::Resolved(_) => "resolved",
            SystemEvent::Closed => "closed",
        }
    }

    /// One line for the timeline, in plain words.
    pub fn describe(&self) -> String {
        match self {
            SystemEvent::Declared { title, severity } => {
                format!("Incident declared: {title} ({severity})")
            }
            SystemEvent::StatusChanged { from, to, note } => match note {
                Some(n) => format!("Status changed from {from} to {to}: {n}"),
                None => format!("Status changed from {from} to {to}"),
            },
            SystemEvent::SeverityChanged { from, to } => {
                format!("Severity changed from {from} to {to}")
            }
            SystemEvent::LeadChanged { from: Some(f), to } => {
                format!("Lead changed from <@{f}> to <@{to}>")
            }
            SystemEvent::LeadChanged { from: None, to } => format!("Lead set to <@{to}>"),
            SystemEvent::Note(text) => format!("Note: {text}"),
            SystemEvent::Resolved(text) => format!("Resolved: {text}"),
            SystemEvent::Closed => "Incident closed".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
    }

    fn declared() -> Incident {
        let (mut i, _) = Incident::declare(Declaration {
            title: IncidentTitle::parse("Checkout down").unwrap(),
            severity: Severity::SEV2,
            service: None,
            summary: None,
            declared_by: "U1".into(),
            declared_at: t0(),
        });
        i.id = 7;
        i
    }

    #[test]
    fn a_declared_incident_is_investigating_and_led_by_its_declarer() {
        let i = declared();
        assert_eq!(i.status, Status::Investigating);
        assert_eq!(i.lead.as_deref(), Some("U1"));
    }

    #[test]
    fn identifying_records_the_time_once() {
        let mut i = declared();
        let at = t0() + Duration::minutes(10);
        i.apply(
            Change::Status {
                to: Status::Identified,
                note: None,
            },
            at,
        )
        .unwrap();
        i.apply(
            Change::Status {
                to: Status::Investigating,
                note: None,
            },
            at + Duration::minutes(1),
        )
        .unwrap();
        i.apply(
            Change::Status {
                to: Status::Identified,
                note: None,
            },
            at + Duration::minutes(2),
        )
        .unwrap();
        assert_eq!(i.identified_at, Some(at));
    }

    #[test]
    fn setting_the_same_status_or_severity_is_refused() {
        let mut i = declared();
        let same_status = Change::Status {
            to: Status::Investigating,
            note: None,
        };
        assert_eq!(
            i.apply(same_status, t0()),
            Err(LifecycleError::SameStatus(Status::Investigating))
        );
        assert_eq!(
            i.apply(Change::Severity(Severity::SEV2), t0()),
            Err(LifecycleError::SameSeverity(Severity::SEV2))
        );
    }

    #[test]
    fn resolving_sets_status_resolution_and_time() {
        let mut i = declared();
        let at = t0() + Duration::minutes(42);
        let events = i
            .apply(Change::Resolve("rolled back the deploy".into()), at)
            .unwrap();
        assert_eq!(i.status, Status::Resolved);
        assert_eq!(i.resolved_at, Some(at));
        assert_eq!(i.resolution.as_deref(), Some("rolled back the deploy"));
        assert_eq!(
            events.last(),
            Some(&SystemEvent::Resolved("rolled back the deploy".into()))
        );
    }

    #[test]
    fn resolving_with_no_text_is_refused_and_changes_nothing() {
        let mut i = declared();
        let before = i.clone();
        assert_eq!(
            i.apply(Change::Resolve("  ".into()), t0()),
            Err(LifecycleError::EmptyResolution)
        );
        assert_eq!(i, before);
    }

    #[test]
    fn closing_an_unresolved_incident_resolves_it_at_the_same_time() {
        let mut i = declared();
        let at = t0() + Duration::hours(1);
        let events = i.apply(Change::Close, at).unwrap();
        assert_eq!(i.status, Status::Closed);
        assert_eq!((i.resolved_at, i.closed_at), (Some(at), Some(at)));
        assert_eq!(events.len(), 2);
    }

    #[test]
    fn nothing_can_change_a_closed_incident_including_closing_again() {
        let mut i = declared();
        i.apply(Change::Close, t0()).unwrap();
        for change in [
            Change::Close,
            Change::Note("late".into()),
            Change::Severity(Severity::SEV1),
        ] {
            assert_eq!(i.apply(change, t0()), Err(LifecycleError::AlreadyClosed(7)));
        }
    }

    #[test]
    fn changing_the_lead_reports_who_it_was() {
        let mut i = declared();
        let events = i.apply(Change::Lead("U2".into()), t0()).unwrap();
        assert_eq!(events[0].describe(), "Lead changed from <@U1> to <@U2>");
    }
}
