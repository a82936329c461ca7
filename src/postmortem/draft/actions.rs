//! The action plan: every item the team recorded, open ones first, each with its
//! owner by name, due date, status and, when one was filed, its issue.

use super::display_name;
use crate::domain::{ActionItem, ActionStatus, Person, plan_order};
use crate::postmortem::rich_text::RichText;
use chrono::NaiveDate;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// The number the team used for it (`action done 2`).
    pub seq: i64,
    pub text: RichText,
    /// The owner's name (the raw id when unknown); `None` when nobody owns it yet.
    pub owner: Option<String>,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    /// Only `http(s)` URLs: anything else is left out rather than linked.
    pub issue_url: Option<String>,
}

impl Action {
    /// `2021-03-16`
    pub fn due_date(&self) -> Option<String> {
        self.due.map(|d| d.format("%Y-%m-%d").to_string())
    }
}

pub(super) fn actions(items: &[ActionItem], people: &HashMap<String, Person>) -> Vec<Action> {
    let mut items = items.to_vec();
    plan_order(&mut items);
    items
        .into_iter()
        .map(|item| Action {
            seq: item.seq,
            text: RichText::parse(&item.text, people),
            owner: item.owner_id.as_deref().map(|id| display_name(id, people)),
            due: item.due,
            status: item.status,
            issue_url: item.issue_url.filter(|u| is_web_url(u)),
        })
        .collect()
}

fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{action as item, incident, people};
    use super::*;
    use crate::postmortem::Facts;

    #[test]
    fn open_items_come_first_with_owner_names_dates_and_safe_issue_links() {
        let mut done = item(1, "Write the runbook", ActionStatus::Done);
        done.issue_url = Some("https://github.com/acme/shop/issues/7".into());
        let mut open = item(2, "Canary deploys", ActionStatus::Open);
        open.owner_id = Some("U404".into());
        open.issue_url = Some("javascript:alert(1)".into());
        let mut unowned = item(3, "Add a DB replica", ActionStatus::Open);
        unowned.owner_id = None;
        unowned.due = None;
        let items = [done, open, unowned, item(4, "x", ActionStatus::Dropped)];
        let (inc, people) = (incident(), people());
        let mut facts = Facts::new(&inc, &[], &people);
        facts.actions = &items;
        let plan = facts.build().actions;
        let order: Vec<i64> = plan.iter().map(|a| a.seq).collect();
        assert_eq!(order, [2, 3, 1, 4]);
        assert_eq!(plan[0].owner.as_deref(), Some("U404"));
        assert_eq!(plan[0].issue_url, None, "a script URL is not a link");
        assert_eq!(plan[1].owner, None);
        assert_eq!(plan[1].due_date(), None);
        assert_eq!(plan[2].owner.as_deref(), Some("Susan Vega"));
        assert_eq!(plan[2].due_date().as_deref(), Some("2021-03-16"));
        assert_eq!(
            plan[2].issue_url.as_deref(),
            Some("https://github.com/acme/shop/issues/7")
        );
    }
}
