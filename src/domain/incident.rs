//! The incident and its lifecycle: a pure state machine. Commands become `Change`s,
//! `Incident::apply` checks them and returns the `SystemEvent`s to record. No I/O here.

use super::{IncidentTitle, Role, Severity, Status};
use chrono::{DateTime, Utc};

/// Who declares a Wheel of Misfortune replay when no person is named: shown as "a
/// Wheel of Misfortune replay", never as a mention.
pub const REPLAY_DECLARER: &str = "wheel-of-misfortune";

/// What marks a drill's messages, topic, summary and postmortem.
pub const DRILL_MARK: &str = "[DRILL] ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub service: Option<String>,
    pub summary: Option<String>,
    /// Slack user id of the incident commander (`lead` is its other name).
    pub lead: Option<String>,
    /// Who keeps stakeholders informed.
    pub comms: Option<String>,
    /// Who keeps the record.
    pub scribe: Option<String>,
    pub declared_by: String,
    pub declared_at: DateTime<Utc>,
    pub identified_at: Option<DateTime<Utc>>,
    /// When a fix was first in place: status monitoring, or resolved without it.
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub channel_id: Option<String>,
    pub channel_name: Option<String>,
    /// A practice incident. Set when it is declared and never changed: no `Change`
    /// touches it, so a drill cannot become a real incident, nor the other way round.
    pub drill: bool,
}

/// What a user asks to happen to an open incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Status {
        to: Status,
        note: Option<String>,
    },
    Severity(Severity),
    Role {
        role: Role,
        user: String,
    },
    /// The team's own summary; the last one set wins.
    Summary(String),
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
    RoleChanged {
        role: Role,
        from: Option<String>,
        to: String,
    },
    SummarySet(String),
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
    #[error("<@{1}> is already the {0}")]
    SameRole(Role, String),
    #[error("a summary needs some text")]
    EmptySummary,
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
            comms: None,
            scribe: None,
            declared_by: d.declared_by,
            declared_at: d.declared_at,
            identified_at: None,
            mitigated_at: None,
            resolved_at: None,
            closed_at: None,
            resolution: None,
            channel_id: None,
            channel_name: None,
            drill: false,
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
            Change::Role { role, user } => {
                let holder = self.role_mut(role);
                if holder.as_deref() == Some(user.as_str()) {
                    return Err(LifecycleError::SameRole(role, user));
                }
                let from = holder.replace(user.clone());
                Ok(vec![SystemEvent::RoleChanged {
                    role,
                    from,
                    to: user,
                }])
            }
            Change::Summary(text) => {
                let text = non_empty(text).ok_or(LifecycleError::EmptySummary)?;
                self.summary = Some(text.clone());
                Ok(vec![SystemEvent::SummarySet(text)])
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
                // Back from resolved: the incident is open again.
                self.resolved_at = None;
            }
            Status::Resolved => {
                self.resolved_at = Some(at);
            }
            // Going back to investigating or monitoring reopens a resolved incident.
            _ => self.resolved_at = None,
        }
        if to == Status::Resolved || to == Status::Monitoring {
            // Reaching a fix implies the cause was identified and the harm mitigated,
            // if nobody said so earlier.
            self.identified_at.get_or_insert(at);
            self.mitigated_at.get_or_insert(at);
        }
        let from = std::mem::replace(&mut self.status, to);
        Ok(SystemEvent::StatusChanged {
            from,
            to,
            note: note.and_then(non_empty),
        })
    }

    /// Who holds `role`, if anyone.
    pub fn role(&self, role: Role) -> Option<&str> {
        match role {
            Role::Commander => self.lead.as_deref(),
            Role::Comms => self.comms.as_deref(),
            Role::Scribe => self.scribe.as_deref(),
        }
    }

    fn role_mut(&mut self, role: Role) -> &mut Option<String> {
        match role {
            Role::Commander => &mut self.lead,
            Role::Comms => &mut self.comms,
            Role::Scribe => &mut self.scribe,
        }
    }

    /// Every role that is held, in [`Role::ALL`] order.
    pub fn roles(&self) -> Vec<(Role, &str)> {
        Role::ALL
            .into_iter()
            .filter_map(|r| self.role(r).map(|u| (r, u)))
            .collect()
    }

    /// `[DRILL] ` for a practice incident, else nothing: the mark every message
    /// Warroom posts about a drill starts with, so nobody mistakes it for the real
    /// thing.
    pub fn drill_mark(&self) -> &'static str {
        if self.drill { DRILL_MARK } else { "" }
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
    /// Whether this event is the incident becoming resolved (a status change to
    /// resolved; a close of an incident not yet resolved makes one first).
    pub fn resolves(&self) -> bool {
        matches!(
            self,
            SystemEvent::StatusChanged {
                to: Status::Resolved,
                ..
            }
        )
    }

    /// Whether this event reopens a resolved incident: its status goes from resolved
    /// back to one still being worked on.
    pub fn reopens(&self) -> bool {
        matches!(
            self,
            SystemEvent::StatusChanged {
                from: Status::Resolved,
                to,
                ..
            } if *to != Status::Resolved && *to != Status::Closed
        )
    }

    /// The stable name stored with the entry.
    pub fn kind(&self) -> &'static str {
        match self {
            SystemEvent::Declared { .. } => "declared",
            SystemEvent::StatusChanged { .. } => "status",
            SystemEvent::SeverityChanged { .. } => "severity",
            SystemEvent::RoleChanged { .. } => "role",
            SystemEvent::SummarySet(_) => "summary",
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
            SystemEvent::RoleChanged {
                role,
                from: Some(f),
                to,
            } => format!("{} changed from <@{f}> to <@{to}>", role.title()),
            SystemEvent::RoleChanged {
                role,
                from: None,
                to,
            } => {
                format!("{} set to <@{to}>", role.title())
            }
            SystemEvent::SummarySet(text) => format!("Summary: {text}"),
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
        assert_eq!(i.mitigated_at, None);
    }

    #[test]
    fn monitoring_records_the_mitigation_once_and_resolving_keeps_it() {
        let mut i = declared();
        let at = t0() + Duration::minutes(30);
        let monitoring = Change::Status {
            to: Status::Monitoring,
            note: None,
        };
        i.apply(monitoring, at).unwrap();
        i.apply(
            Change::Resolve("redeployed".into()),
            at + Duration::minutes(5),
        )
        .unwrap();
        assert_eq!(i.mitigated_at, Some(at));
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
    fn going_back_from_resolved_to_any_working_status_reopens_and_clears_the_resolve_time() {
        for to in [
            Status::Investigating,
            Status::Identified,
            Status::Monitoring,
        ] {
            let mut i = declared();
            let at = t0() + Duration::minutes(42);
            i.apply(Change::Resolve("rolled back".into()), at).unwrap();
            let events = i
                .apply(Change::Status { to, note: None }, at + Duration::minutes(5))
                .unwrap();
            assert_eq!(i.resolved_at, None, "back to {to}");
            assert!(events.iter().any(SystemEvent::reopens), "back to {to}");
        }
        let mut i = declared();
        let events = i
            .apply(
                Change::Status {
                    to: Status::Identified,
                    note: None,
                },
                t0(),
            )
            .unwrap();
        assert!(
            !events.iter().any(SystemEvent::reopens),
            "an incident never resolved does not reopen"
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
    fn changing_the_commander_reports_who_it_was() {
        let mut i = declared();
        let change = Change::Role {
            role: Role::Commander,
            user: "U2".into(),
        };
        let events = i.apply(change, t0()).unwrap();
        assert_eq!(
            events[0].describe(),
            "Commander changed from <@U1> to <@U2>"
        );
        assert_eq!(i.lead.as_deref(), Some("U2"));
    }

    #[test]
    fn roles_are_held_apart_and_the_same_holder_twice_is_refused() {
        let mut i = declared();
        let comms = |u: &str| Change::Role {
            role: Role::Comms,
            user: u.into(),
        };
        let events = i.apply(comms("U5"), t0()).unwrap();
        assert_eq!(events[0].describe(), "Comms set to <@U5>");
        assert_eq!(
            i.roles(),
            [(Role::Commander, "U1"), (Role::Comms, "U5")].to_vec()
        );
        assert_eq!(
            i.apply(comms("U5"), t0()),
            Err(LifecycleError::SameRole(Role::Comms, "U5".into()))
        );
    }

    #[test]
    fn the_last_summary_wins_and_a_blank_one_is_refused() {
        let mut i = declared();
        i.apply(Change::Summary("first".into()), t0()).unwrap();
        let events = i.apply(Change::Summary(" second ".into()), t0()).unwrap();
        assert_eq!(i.summary.as_deref(), Some("second"));
        assert_eq!(events, [SystemEvent::SummarySet("second".into())]);
        assert_eq!(
            i.apply(Change::Summary("  ".into()), t0()),
            Err(LifecycleError::EmptySummary)
        );
    }
}
