//! Who a page reaches: a level's (or a manual page's) targets become the people to
//! DM and the teams whose providers to trigger. Pure.

use crate::config::escalation::{EscalationConfig, Target};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callee {
    pub user_id: String,
    /// The team they are paged through, or their own team for a direct page.
    pub team_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Each person once, in the order the targets name them.
    pub callees: Vec<Callee>,
    /// Teams whose providers (PagerDuty, Opsgenie, webhook) this page triggers.
    pub teams: Vec<String>,
}

pub fn plan(config: &EscalationConfig, targets: &[Target]) -> Plan {
    let mut plan = Plan::default();
    for target in targets {
        match target {
            Target::Team(team_id) => {
                let Some(team) = config.team(team_id) else {
                    continue;
                };
                for poc in &team.pocs {
                    plan.add(&poc.slack_user, Some(team_id));
                }
                plan.add_team(team_id);
            }
            Target::User(user) => {
                let team = config
                    .teams
                    .values()
                    .find(|t| t.pocs.iter().any(|p| &p.slack_user == user));
                plan.add(user, team.map(|t| t.id.as_str()));
                if let Some(team) = team {
                    plan.add_team(&team.id);
                }
            }
        }
    }
    plan
}

impl Plan {
    fn add(&mut self, user: &str, team: Option<&str>) {
        if !self.callees.iter().any(|c| c.user_id == user) {
            self.callees.push(Callee {
                user_id: user.to_string(),
                team_id: team.map(str::to_string),
            });
        }
    }

    fn add_team(&mut self, team: &str) {
        if !self.teams.iter().any(|t| t == team) {
            self.teams.push(team.to_string());
        }
    }
}
