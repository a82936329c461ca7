//! One incident's record, taken through the real lifecycle ([`Incident::apply`]) so
//! its times and system entries are what the app itself would have stored:
//! severities 1–4, pages and their acks (time to acknowledge), escalation when nobody
//! answers, status changes up to the resolution and the close (time to resolve), a
//! few war-room messages, action items and impact statements. A step later than
//! `now` never happens, so incidents declared lately are still open.

use super::history::{Action, Impact, Message, Page, Planned, SystemLine};
use super::synth::{self, Rng, capped};
use chrono::{DateTime, Duration, Utc};
use warroom::domain::{
    Change, Declaration, Incident, IncidentTitle, Role, Severity, SlackTs, Status,
    war_room_channel_name,
};

/// Median time to resolve by severity (SEV1 first), in seconds.
const MTTR_MEDIAN: [f64; 4] = [50.0 * 60.0, 2.0 * 3600.0, 5.0 * 3600.0, 14.0 * 3600.0];
/// Median time to acknowledge a page by severity, in seconds.
const MTTA_MEDIAN: [f64; 4] = [45.0, 60.0, 90.0, 120.0];
/// How long a page waits before the next level is paged.
const ESCALATION_TIMEOUT: i64 = 5 * 60;

/// A severity drawn as in a typical year: few SEV1s, mostly SEV3 and SEV4.
fn severity(rng: &mut Rng) -> Severity {
    let u = rng.unit();
    let level = if u < 0.04 {
        1
    } else if u < 0.18 {
        2
    } else if u < 0.55 {
        3
    } else {
        4
    };
    Severity::from_level(level).expect("1 to 4")
}

/// Builds an incident's record step by step, each step kept only if it happened
/// before `now`.
pub(super) struct Builder<'a> {
    pub rng: &'a mut Rng,
    pub now: DateTime<Utc>,
    pub p: Planned,
}

impl<'a> Builder<'a> {
    /// Incident `n`, declared (war room `CDASH<n>`) with `what` = (service, title,
    /// severity).
    pub fn declared(
        rng: &'a mut Rng,
        now: DateTime<Utc>,
        n: usize,
        what: (&str, &str, Severity),
        declared_by: &str,
        declared_at: DateTime<Utc>,
    ) -> Builder<'a> {
        let (service, title, severity) = what;
        let title = IncidentTitle::parse(title).expect("a valid title");
        let (mut incident, declared) = Incident::declare(Declaration {
            title: title.clone(),
            severity,
            service: Some(service.to_string()),
            summary: None,
            declared_by: declared_by.to_string(),
            declared_at,
        });
        incident.channel_id = Some(format!("CDASH{n:06}"));
        incident.channel_name = Some(war_room_channel_name(&title, declared_at));
        let mut b = Builder {
            rng,
            now,
            p: Planned {
                incident,
                system: Vec::new(),
                messages: Vec::new(),
                pages: Vec::new(),
                actions: Vec::new(),
                impacts: Vec::new(),
                pins: Vec::new(),
            },
        };
        b.line(
            declared_at,
            declared.kind(),
            Some(declared_by),
            declared.describe(),
        );
        b
    }

    /// Applies `change` at `at` through the lifecycle, recording its system entries;
    /// `false` (and nothing recorded) when `at` is still to come.
    pub fn apply(&mut self, change: Change, at: DateTime<Utc>, author: Option<&str>) -> bool {
        if at > self.now || self.p.incident.status == Status::Closed {
            return false;
        }
        let events = self
            .p
            .incident
            .apply(change, at)
            .expect("the planned lifecycle is valid");
        for e in events {
            self.line(at, e.kind(), author, e.describe());
        }
        true
    }

    pub fn line(
        &mut self,
        at: DateTime<Utc>,
        kind: &'static str,
        author: Option<&str>,
        text: String,
    ) {
        self.p.system.push(SystemLine {
            at,
            kind,
            author: author.map(str::to_string),
            text,
        });
    }

    /// Pages the on-call of `team` (and the next level if nobody answers in time).
    pub fn page(&mut self, team: &'static str, at: DateTime<Utc>, mtta: f64) {
        let week = (at.timestamp() / (7 * 86_400)) as usize;
        let mut level = 0;
        let mut paged_at = at;
        loop {
            let user = synth::member(team, week + level as usize);
            self.line(
                paged_at,
                "page",
                None,
                format!("Paged <@{user}> ({team}), escalation level {}", level + 1),
            );
            let answers = level > 0 || self.rng.chance(0.93);
            let delay = self.rng.lognormal(mtta, 0.7);
            let late = delay.num_seconds() >= ESCALATION_TIMEOUT;
            let ack_at = paged_at + delay;
            let acked = answers && !(late && level == 0) && ack_at <= self.now;
            let ack = acked.then(|| (ack_at, user.clone()));
            if let Some((t, by)) = &ack {
                let after = warroom::paging::engine::humanize(delay.to_std().unwrap_or_default());
                self.line(
                    *t,
                    "ack",
                    Some(by),
                    format!("<@{by}> acknowledged the page to <@{user}> via the Slack button, {after} after it was sent"),
                );
            }
            self.p.pages.push(Page {
                level,
                user,
                team,
                at: paged_at,
                ack,
            });
            let next = paged_at + Duration::seconds(ESCALATION_TIMEOUT);
            if acked || level == 2 || next > self.now {
                return;
            }
            level += 1;
            paged_at = next;
        }
    }
}

/// Incident `n` of the history, declared at `declared_at`, as it stands at `now`.
pub fn incident(
    rng: &mut Rng,
    n: usize,
    declared_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Planned {
    let (service, team) = *rng.pick(&synth::SERVICES);
    let severity = severity(rng);
    let sev = usize::from(severity.level()) - 1;
    let title = synth::title(rng, service);
    let declared_by = synth::member(team, rng.below(0, 8));
    let mut b = Builder::declared(
        rng,
        now,
        n,
        (service, &title, severity),
        &declared_by,
        declared_at,
    );
    // SEV1–3 page the owning team; a SEV4 does now and then.
    if sev < 3 || b.rng.chance(0.3) {
        b.page(team, declared_at + Duration::seconds(2), MTTA_MEDIAN[sev]);
    }
    let ttr = b.rng.lognormal(MTTR_MEDIAN[sev], 0.9);
    let at =
        |f: f64| declared_at + Duration::milliseconds((ttr.num_milliseconds() as f64 * f) as i64);
    if b.rng.chance(0.3) {
        let comms = synth::user(b.rng.below(0, synth::PEOPLE));
        if comms != declared_by {
            b.apply(
                Change::Role {
                    role: Role::Comms,
                    user: comms,
                },
                at(0.05),
                Some(&declared_by),
            );
        }
    }
    if b.rng.chance(0.08) {
        let to = Severity::from_level(if sev == 0 { 2 } else { sev as i64 }).expect("1 to 4");
        b.apply(Change::Severity(to), at(0.1), Some(&declared_by));
    }
    if b.rng.chance(0.7) {
        let text = format!("{} is degraded; {} is working on it", service, team);
        b.apply(Change::Summary(text), at(0.15), Some(&declared_by));
    }
    messages(&mut b, declared_at, at(1.0), team);
    let identified = |s: Status| Change::Status { to: s, note: None };
    if b.rng.chance(0.8) {
        b.apply(identified(Status::Identified), at(0.35), Some(&declared_by));
    }
    if b.rng.chance(0.6) {
        b.apply(identified(Status::Monitoring), at(0.75), Some(&declared_by));
    }
    let resolution = synth::resolution(b.rng);
    if b.apply(Change::Resolve(resolution), at(1.0), Some(&declared_by)) {
        let closed_at = at(1.0) + b.rng.lognormal(2.0 * 86_400.0, 0.7);
        if b.apply(Change::Close, closed_at, Some(&declared_by)) {
            follow_ups(&mut b, sev, team, closed_at);
        }
    }
    b.p
}

/// Two to eight messages between the declaration and the resolution (or now).
fn messages(b: &mut Builder<'_>, from: DateTime<Utc>, until: DateTime<Utc>, team: &str) {
    let until = until.min(b.now);
    let span = (until - from).num_milliseconds().max(1000);
    let n = b.rng.below(2, 9);
    for k in 0..n {
        let offset = span * (k as i64 + 1) / (n as i64 + 1);
        // A distinct microsecond per message keeps each `ts` unique in the channel.
        let at = from + Duration::milliseconds(offset) + Duration::microseconds(k as i64);
        let ts = SlackTs::from_datetime(at).as_str().to_string();
        let thread_ts = match b.p.messages.last() {
            Some(prev) if b.rng.chance(0.2) => {
                Some(prev.thread_ts.clone().unwrap_or(prev.ts.clone()))
            }
            _ => None,
        };
        let edit = b.rng.chance(0.05).then(|| {
            (
                capped(at, Duration::seconds(40), b.now),
                synth::chatter(b.rng),
            )
        });
        b.p.messages.push(Message {
            at,
            author: synth::member(team, b.rng.below(0, 8)),
            text: synth::chatter(b.rng),
            ts,
            thread_ts,
            edit,
            deleted_at: None,
            files: Vec::new(),
        });
    }
    if let Some(first) = b.p.messages.first()
        && b.rng.chance(0.25)
    {
        b.p.pins.push(first.ts.clone());
    }
}

/// After the close: action items (most SEV1/2, a few others) and impact statements.
fn follow_ups(b: &mut Builder<'_>, sev: usize, team: &str, closed_at: DateTime<Utc>) {
    let resolved_at = b.p.incident.resolved_at.unwrap_or(closed_at);
    let items = if sev < 2 {
        b.rng.below(1, 4)
    } else if b.rng.chance(0.12) {
        1
    } else {
        0
    };
    for k in 0..items {
        let created_at = resolved_at + Duration::minutes(10 + k as i64);
        let due = (closed_at + Duration::days(14)).date_naive();
        let done = closed_at + Duration::days(10) < b.now && b.rng.chance(0.75);
        let status = if done {
            "done"
        } else if b.rng.chance(0.05) {
            "dropped"
        } else {
            "open"
        };
        b.p.actions.push(Action {
            text: format!("Follow-up {}: {}", k + 1, synth::chatter(b.rng)),
            owner: synth::member(team, b.rng.below(0, 8)),
            due,
            status,
            created_by: b.p.incident.declared_by.clone(),
            created_at,
            updated_at: if done {
                capped(created_at, Duration::days(9), b.now)
            } else {
                created_at
            },
        });
    }
    if sev < 2 {
        for (category, text) in [
            ("customers", "Some customers saw errors at checkout"),
            ("business", "Orders were delayed during the incident"),
        ]
        .into_iter()
        .take(b.rng.below(1, 3))
        {
            b.p.impacts.push(Impact {
                category,
                text: text.to_string(),
                author: b.p.incident.declared_by.clone(),
                at: resolved_at + Duration::minutes(5),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn an_old_incident_is_closed_with_its_times_in_lifecycle_order() {
        let mut rng = Rng::new(1);
        for n in 0..200 {
            let p = incident(&mut rng, n, now() - Duration::days(300), now());
            let i = &p.incident;
            assert_eq!(i.status, Status::Closed, "#{n}");
            let resolved = i.resolved_at.expect("resolved");
            assert!(i.declared_at < resolved && resolved <= i.closed_at.unwrap());
            assert!(i.resolution.is_some());
            assert!(
                p.system
                    .iter()
                    .all(|l| l.at >= i.declared_at && l.at <= now())
            );
            assert!(p.messages.iter().all(|m| m.at <= resolved));
            assert!((2..=8).contains(&p.messages.len()));
        }
    }

    #[test]
    fn pages_are_acked_after_they_are_sent_and_escalate_when_nobody_answers() {
        let mut rng = Rng::new(2);
        let (mut acked, mut escalated) = (0, 0);
        for n in 0..500 {
            let p = incident(&mut rng, n, now() - Duration::days(30), now());
            for page in &p.pages {
                if let Some((at, _)) = &page.ack {
                    assert!(*at > page.at);
                    acked += 1;
                }
            }
            escalated += p.pages.iter().filter(|pg| pg.level > 0).count();
        }
        assert!(acked > 300, "{acked} acked");
        assert!(escalated > 0, "no page ever escalated");
    }

    #[test]
    fn an_incident_declared_a_minute_ago_is_still_open_and_records_nothing_later() {
        let mut rng = Rng::new(3);
        for n in 0..50 {
            let p = incident(&mut rng, n, now() - Duration::minutes(1), now());
            assert_ne!(p.incident.status, Status::Closed);
            assert!(p.incident.resolved_at.is_none());
            assert!(p.system.iter().all(|l| l.at <= now()));
            assert!(
                p.pages
                    .iter()
                    .all(|pg| pg.ack.as_ref().is_none_or(|(t, _)| *t <= now()))
            );
        }
    }

    #[test]
    fn message_ts_values_are_unique_in_their_channel_and_threads_point_back() {
        let mut rng = Rng::new(4);
        let p = incident(&mut rng, 0, now() - Duration::days(3), now());
        let mut seen = std::collections::HashSet::new();
        for m in &p.messages {
            assert!(seen.insert(m.ts.clone()), "ts {} twice", m.ts);
            if let Some(t) = &m.thread_ts {
                assert!(seen.contains(t), "reply to an unknown parent {t}");
            }
        }
    }
}
