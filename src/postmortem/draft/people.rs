//! Who took part: everyone who spoke, declared, held a role or was paged, each once,
//! with their team (profile title) and roles, grouped by team for the reader.

use super::paging::answered;
use super::{PageFact, is_person};
use crate::domain::{Incident, Person, Role, TimelineEntry};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stakeholder {
    pub user_id: String,
    /// Display name, or the raw id when the person is unknown.
    pub name: String,
    /// Their team: the profile title, else the team they were paged through.
    pub title: Option<String>,
    /// The roles they hold now (Commander, Comms, Scribe).
    pub roles: Vec<Role>,
    /// How a paged person answered, e.g. `paged, acknowledged after 3m`.
    pub paging: Option<String>,
}

impl Stakeholder {
    /// `Susan Vega — Customer Support (Commander)`
    pub fn label(&self) -> String {
        let mut out = self.name.clone();
        if let Some(t) = &self.title {
            out.push_str(" — ");
            out.push_str(t);
        }
        if let Some(note) = self.note() {
            out.push_str(&format!(" ({note})"));
        }
        out
    }

    /// Roles and paging, as shown beside the name: `Commander, Scribe; paged, did
    /// not acknowledge`.
    pub fn note(&self) -> Option<String> {
        let roles: Vec<&str> = self.roles.iter().map(|r| r.title()).collect();
        let parts: Vec<String> = [
            (!roles.is_empty()).then(|| roles.join(", ")),
            self.paging.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Stakeholders who share a team, in order of the team's first appearance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team<'a> {
    /// `None` for people with no team on record; that group comes last.
    pub name: Option<&'a str>,
    pub members: Vec<&'a Stakeholder>,
}

impl super::Draft {
    /// The stakeholders grouped by team.
    pub fn teams(&self) -> Vec<Team<'_>> {
        let mut teams: Vec<Team<'_>> = Vec::new();
        let mut nameless = Vec::new();
        for s in &self.stakeholders {
            let Some(name) = s.title.as_deref() else {
                nameless.push(s);
                continue;
            };
            match teams.iter_mut().find(|t| t.name == Some(name)) {
                Some(team) => team.members.push(s),
                None => teams.push(Team {
                    name: Some(name),
                    members: vec![s],
                }),
            }
        }
        if !nameless.is_empty() {
            teams.push(Team {
                name: None,
                members: nameless,
            });
        }
        teams
    }
}

/// Everyone who took part, each once, in order of first appearance. The declarer
/// appears at `declared_at`, after anything posted at or before it; role holders, who
/// have no time of their own, come next if not seen already, then those paged.
pub(super) fn stakeholders(
    incident: &Incident,
    sorted: &[&TimelineEntry],
    pages: &[PageFact],
    people: &HashMap<String, Person>,
) -> Vec<Stakeholder> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut add = |id: &str, team: Option<&String>| {
        if is_person(id, people) && seen.insert(id.to_string()) {
            let person = people.get(id);
            out.push(Stakeholder {
                user_id: id.to_string(),
                name: person.map_or_else(|| id.to_string(), |p| p.name.clone()),
                title: person
                    .and_then(|p| p.title.clone())
                    .filter(|t| !t.trim().is_empty())
                    .or_else(|| team.cloned()),
                roles: roles_of(incident, id),
                paging: None,
            });
        }
    };
    let mut declarer_added = false;
    for entry in sorted {
        if !declarer_added && entry.at > incident.declared_at {
            add(&incident.declared_by, None);
            declarer_added = true;
        }
        if let Some(id) = &entry.author_id {
            add(id, None);
        }
    }
    add(&incident.declared_by, None);
    for (_, id) in incident.roles() {
        add(id, None);
    }
    for page in pages {
        add(&page.user_id, page.team.as_ref());
    }
    for page in pages {
        if let Some(s) = out.iter_mut().find(|s| s.user_id == page.user_id) {
            s.title = s.title.take().or_else(|| page.team.clone());
            s.paging.get_or_insert_with(|| answered(page));
        }
    }
    out
}

fn roles_of(incident: &Incident, id: &str) -> Vec<Role> {
    incident
        .roles()
        .into_iter()
        .filter(|(_, holder)| *holder == id)
        .map(|(role, _)| role)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{at, incident, msg, people};
    use super::*;
    use crate::postmortem::build;

    #[test]
    fn role_holders_are_stakeholders_with_their_roles_beside_their_name() {
        let mut inc = incident();
        inc.lead = Some("U1".into());
        inc.comms = Some("U2".into());
        inc.scribe = Some("U1".into());
        let draft = build(&inc, &[msg(at(9, 16), "U1", "on it")], &people());
        let labels: Vec<_> = draft.stakeholders.iter().map(Stakeholder::label).collect();
        assert_eq!(
            labels,
            [
                "Glen Hammer (Comms)",
                "Susan Vega — Customer Support (Commander, Scribe)"
            ]
        );
    }

    #[test]
    fn stakeholders_are_grouped_by_team_in_order_with_the_teamless_last() {
        let mut p = people();
        for (id, name, title) in [("U3", "Bob", "Ops"), ("U4", "Karen", "Customer Support")] {
            p.insert(
                id.into(),
                Person {
                    user_id: id.into(),
                    name: name.into(),
                    title: Some(title.into()),
                    kind: crate::domain::PersonKind::Human,
                },
            );
        }
        let entries = [
            msg(at(9, 16), "U1", "a"),
            msg(at(9, 17), "U3", "b"),
            msg(at(9, 18), "U4", "c"),
        ];
        let draft = build(&incident(), &entries, &p);
        let teams: Vec<(Option<&str>, Vec<&str>)> = draft
            .teams()
            .iter()
            .map(|t| (t.name, t.members.iter().map(|s| s.name.as_str()).collect()))
            .collect();
        assert_eq!(
            teams,
            [
                (Some("Customer Support"), vec!["Susan Vega", "Karen"]),
                (Some("Ops"), vec!["Bob"]),
                (None, vec!["Glen Hammer"]),
            ]
        );
    }
}
