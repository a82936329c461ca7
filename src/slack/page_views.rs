//! The page DM: one message paging a person for one incident or several at once, a
//! section per page with its own Acknowledge button beside it (the button's value
//! is the page id). It is always rendered whole from the pages it carries, so the first post,
//! the update that links each war room once it exists, and the update after an ack
//! all say the same thing about every page, and an ack of one page leaves the other
//! pages' buttons in place.

use super::mrkdwn::echo;
use super::views::ACK_ACTION_ID;
use crate::domain::{Incident, clip};
use crate::store::PageRecord;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The most pages one DM carries: a header and a section a page (its button beside
/// it) stay within Slack's 50 blocks a message. More waiting pages go in the next DM.
pub const MAX_PAGES_PER_DM: usize = 49;

/// What a page's section says before its ack line, within Slack's 3000 characters
/// a section.
const MAX_SECTION: usize = 2900;
/// How much of the fallback text (what notifications show) to keep.
const MAX_FALLBACK: usize = 1000;

/// The DM carrying `pages` (each with its incident, in the order shown):
/// `(fallback text, blocks)`.
pub fn page_dm(pages: &[(Incident, PageRecord)]) -> (String, Value) {
    page_dm_with(pages, &BTreeMap::new())
}

/// [`page_dm`], where `irc` gives, by incident id, its open fallback war room on IRC
/// (`#channel on host:port`): each such page says where to go if Slack fails.
pub fn page_dm_with(
    pages: &[(Incident, PageRecord)],
    irc: &BTreeMap<i64, String>,
) -> (String, Value) {
    let waiting: Vec<&(Incident, PageRecord)> =
        pages.iter().filter(|(_, p)| p.acked_at.is_none()).collect();
    let text = fallback(pages, &waiting);
    let mut incidents: Vec<i64> = pages.iter().map(|(i, _)| i.id).collect();
    incidents.dedup();
    let mut header = match incidents.len() {
        0 | 1 => "🚨 You are paged".to_string(),
        n => format!("🚨 You are paged for {n} incidents"),
    };
    if pages.iter().all(|(i, _)| i.drill) && !pages.is_empty() {
        header = format!("🧯 DRILL: {} (practice)", header.trim_start_matches("🚨 "));
    }
    let mut blocks =
        vec![json!({"type": "header", "text": {"type": "plain_text", "text": clip(&header, 150)}})];
    for (incident, page) in pages.iter().take(MAX_PAGES_PER_DM) {
        let mut block = json!({"type": "section", "block_id": format!("page-{}", page.id),
            "text": {"type": "mrkdwn", "text": section(incident, page, irc.get(&incident.id))}});
        if page.acked_at.is_none() {
            block["accessory"] = json!({"type": "button", "action_id": ACK_ACTION_ID,
                "style": "primary", "value": page.id.to_string(),
                "text": {"type": "plain_text", "text": "Acknowledge"}});
        }
        blocks.push(block);
    }
    (text, Value::Array(blocks))
}

/// What notifications show: the pages still waiting for an ack.
fn fallback(pages: &[(Incident, PageRecord)], waiting: &[&(Incident, PageRecord)]) -> String {
    let text = match waiting {
        [] if pages.is_empty() => ":rotating_light: You were paged".to_string(),
        [] => ":white_check_mark: Every page here is acknowledged".to_string(),
        [(i, _)] => format!(":rotating_light: You are paged: {}", line(i)),
        many => {
            let all: Vec<String> = many.iter().map(|(i, _)| line(i)).collect();
            format!(
                ":rotating_light: You are paged for {} incidents: {}",
                many.len(),
                all.join("; ")
            )
        }
    };
    clip(&text, MAX_FALLBACK)
}

/// The notice that follows pages added to an earlier page DM by an update (which
/// rings no phone): one line naming them, pointing up to their buttons. Its text is
/// what the phone shows, so it names the incidents first.
pub fn page_notice(pages: &[(Incident, PageRecord)]) -> String {
    let mut dms: Vec<(&Option<String>, &Option<String>)> = pages
        .iter()
        .map(|(_, p)| (&p.dm_channel, &p.dm_ts))
        .collect();
    dms.dedup();
    let (lead, tail) = match (pages.len(), dms.len()) {
        (1, _) => (
            "Also paged".to_string(),
            "Its Acknowledge button is in the page message above.",
        ),
        (n, 1) => (
            format!("Also paged for {n} incidents"),
            "Their Acknowledge buttons are in the page message above.",
        ),
        (n, _) => (
            format!("Also paged for {n} incidents"),
            "Their Acknowledge buttons are in the page messages above.",
        ),
    };
    let all: Vec<String> = pages.iter().map(|(i, _)| line(i)).collect();
    let head = clip(
        &format!(":rotating_light: {lead}: {}.", all.join("; ")),
        MAX_FALLBACK - tail.len() - 1,
    );
    format!("{head} {tail}")
}

fn line(i: &Incident) -> String {
    format!(
        "{}{} incident #{}: {}",
        i.drill_mark(),
        i.severity,
        i.id,
        echo(&i.title)
    )
}

/// One page: what, how bad, where, why and by whom.
fn section(i: &Incident, page: &PageRecord, irc: Option<&String>) -> String {
    let room = i
        .channel_id
        .as_deref()
        .map(|c| format!("<#{c}>"))
        .unwrap_or_else(|| "its war room (opening now)".into());
    let mut body = format!(
        "{}*{}* incident #{}: *{}*\nStatus: {}. Join {room}.",
        i.drill_mark(),
        i.severity,
        i.id,
        echo(&i.title),
        i.status
    );
    if let Some(place) = irc {
        body.push_str(&format!(
            "\nIf Slack fails, the war room continues on IRC: {}.",
            echo(place)
        ));
    }
    if let Some(note) = &page.note {
        // One quoted line per line of the note, so it cannot leave the quote.
        for line in echo(note).lines() {
            body.push_str(&format!("\n> {line}"));
        }
    }
    if let Some(by) = &page.paged_by {
        body.push_str(&format!("\nPaged by <@{by}>."));
    }
    let mut body = clip(&body, MAX_SECTION);
    if page.acked_at.is_some() {
        body.push('\n');
        body.push_str(&acknowledged(page));
    }
    body
}

/// Who acknowledged: a Slack user is mentioned; a name from a provider is echoed.
fn acknowledged(page: &PageRecord) -> String {
    let by = match page.acked_by.as_deref() {
        Some(u) if crate::domain::is_slack_id(u, crate::domain::IdKind::User) => {
            format!(" by <@{u}>")
        }
        Some(name) => format!(" by {}", echo(name)),
        None => String::new(),
    };
    format!(":white_check_mark: Acknowledged{by}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Declaration, IncidentTitle, Severity};
    use chrono::Utc;

    fn incident(id: i64, title: &str, channel: Option<&str>) -> Incident {
        let (mut i, _) = Incident::declare(Declaration {
            title: IncidentTitle::parse(title).unwrap(),
            severity: Severity::SEV1,
            service: None,
            summary: None,
            declared_by: "U1".into(),
            declared_at: Utc::now(),
        });
        i.id = id;
        i.channel_id = channel.map(str::to_string);
        i
    }

    fn page(id: i64, incident_id: i64) -> PageRecord {
        PageRecord {
            id,
            incident_id,
            user_id: "U0SRE".into(),
            team_id: None,
            level: Some(0),
            note: None,
            paged_by: None,
            paged_at: Utc::now(),
            acked_at: None,
            acked_by: None,
            ack_source: None,
            dm_channel: None,
            dm_ts: None,
        }
    }

    fn buttons(blocks: &Value) -> Vec<String> {
        blocks
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b.get("accessory"))
            .filter(|e| e["action_id"] == ACK_ACTION_ID)
            .map(|e| e["value"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn one_dm_pages_for_several_incidents_with_a_button_each() {
        let pages = [
            (incident(3, "Checkout down", Some("C0ROOM3")), page(30, 3)),
            (incident(4, "Search <!here> slow", None), page(40, 4)),
        ];
        let (text, blocks) = page_dm(&pages);
        assert_eq!(buttons(&blocks), ["30", "40"]);
        let shown = blocks.to_string();
        assert!(shown.contains("<#C0ROOM3>"), "{shown}");
        assert!(shown.contains("its war room (opening now)"), "{shown}");
        assert!(!shown.contains("<!here>"), "titles are escaped: {shown}");
        assert!(shown.contains("for 2 incidents"), "{shown}");
        assert!(
            text.contains("incident #3: Checkout down") && text.contains("incident #4"),
            "{text}"
        );
    }

    #[test]
    fn an_acknowledged_page_loses_its_button_and_the_others_keep_theirs() {
        let mut acked = page(30, 3);
        acked.acked_at = Some(Utc::now());
        acked.acked_by = Some("U0SRE".into());
        let pages = [
            (incident(3, "Checkout down", None), acked),
            (incident(4, "Search slow", None), page(40, 4)),
        ];
        let (text, blocks) = page_dm(&pages);
        assert_eq!(buttons(&blocks), ["40"]);
        assert!(blocks.to_string().contains("Acknowledged by <@U0SRE>"));
        assert!(
            text.contains("incident #4") && !text.contains("#3"),
            "{text}"
        );
    }

    #[test]
    fn a_notice_names_each_new_page_and_points_up_to_its_button() {
        let mut a = page(30, 3);
        a.dm_ts = Some("1.1".into());
        let mut b = page(40, 4);
        b.dm_ts = Some("1.1".into());
        let one = page_notice(&[(incident(3, "Checkout <!here> down", None), a.clone())]);
        assert!(one.contains("incident #3: Checkout"), "{one}");
        assert!(!one.contains("<!here>"), "titles are escaped: {one}");
        assert!(one.ends_with("Its Acknowledge button is in the page message above."));
        let two = page_notice(&[
            (incident(3, "Checkout down", None), a),
            (incident(4, "Search slow", None), b.clone()),
        ]);
        assert!(two.contains("for 2 incidents") && two.contains("#4: Search slow"));
        assert!(two.ends_with("in the page message above."), "{two}");
        let many: Vec<(Incident, PageRecord)> = (1..=200)
            .map(|n| {
                (
                    incident(n, &"Long outage title ".repeat(4), None),
                    b.clone(),
                )
            })
            .collect();
        let long = page_notice(&many);
        assert!(long.chars().count() <= MAX_FALLBACK, "{}", long.len());
        assert!(long.ends_with("above."), "the pointer survives the clip");
    }

    #[test]
    fn a_dm_never_carries_more_blocks_than_slack_takes() {
        let pages: Vec<(Incident, PageRecord)> = (1..=MAX_PAGES_PER_DM as i64 + 5)
            .map(|n| (incident(n, "Outage", None), page(n, n)))
            .collect();
        let (_, blocks) = page_dm(&pages);
        assert!(blocks.as_array().unwrap().len() <= 50);
    }
}
