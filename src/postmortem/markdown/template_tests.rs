//! The three built-in templates and a team's own: what each shows for a fully
//! captured incident, that captured text cannot change any template's structure,
//! and that a bad template is refused with its file, line and reason.

use super::*;
use crate::postmortem::{Captured, RESOLUTION_PROMPT, ROOT_CAUSE_PROMPT};

fn captured_markdown(template: &str) -> String {
    let draft = Captured::new().draft();
    Template::load(template)
        .and_then(|t| t.render(&draft))
        .unwrap_or_else(|e| panic!("{template}: {e}"))
}

#[test]
fn the_default_template_shows_every_captured_section() {
    let md = captured_markdown("default");
    for part in [
        "_Generated from the record; edit freely._",
        "| Team | People |\n|---|---|\n| Customer Support | Susan Vega (Comms; paged, acknowledged after 2m) |\n| No team on record | Glen Hammer (Scribe), U3 (Commander) |\n",
        "## Key events\n\n- 09:15 _[system]_ **Glen Hammer**: Incident declared: Checkout down! (SEV2)\n- 09:20 **Susan Vega**: Checkout returns 500s since the v42 deploy\n- 10:00 _[system]_ **Glen Hammer**: Resolved: Rolled back deploy v42.\n",
        "**Business**\n\n- Orders stopped for 45m _(Susan Vega, 10:01)_\n",
        "**Other**\n\n- Support answered 40 tickets _(Susan Vega, 10:04)_\n",
        "| open | Canary deploys for checkout | Susan Vega | 2021-03-16 |  |\n",
        "| done | Write the rollback runbook | Susan Vega | 2021-03-16 | [#7](https://github.com/acme/shop/issues/7) |\n",
        "- **Time to first acknowledgement:** 3m (at 2021-03-09 09:18 UTC)",
        "- **Time to mitigated:** 35m (at 2021-03-09 09:50 UTC)",
        "- **Pages sent:** 1\n- **Highest escalation level reached:** level 1\n",
        "## Resolution\n\nRolled back deploy v42.\n",
        "## Blameless review",
        "- “Glen broke it, human error” (Glen Hammer at 09:40): What change reached production",
        "  - _earlier, 09:21:_ Rolling bakc\n",
    ] {
        assert!(md.contains(part), "{part:?} missing:\n{md}");
    }
    assert!(
        md.find("## Blameless review") < md.find("## Incident timeline"),
        "the review comes before the full timeline"
    );
}

#[test]
fn a_fully_captured_incident_leaves_only_the_root_cause_to_write() {
    let md = captured_markdown("default");
    assert!(md.contains(ROOT_CAUSE_PROMPT), "{md}");
    for prompt in [
        RESOLUTION_PROMPT,
        crate::postmortem::ACTION_PLAN_PROMPT,
        crate::postmortem::IMPACT_PROMPT,
        KEY_EVENTS_NOTE,
    ] {
        assert!(!md.contains(prompt), "{prompt} left in:\n{md}");
    }
    assert_eq!(md.matches("To fill in").count(), 1, "{md}");
}

#[test]
fn the_google_template_fills_detection_from_facts_and_asks_the_lessons() {
    let md = captured_markdown("google-sre");
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## Summary",
            "## Impact",
            "## Root Causes",
            "## Trigger",
            "## Resolution",
            "## Detection",
            "## Action Items",
            "## Lessons Learned",
            "## Blameless review",
            "## Timeline",
            "## Response metrics",
        ]
    );
    assert!(
        md.contains(
            "## Detection\n\nDeclared by Glen Hammer at 2021-03-09 09:15 UTC. The first page was \
         acknowledged at 2021-03-09 09:18 UTC, 3m after the declaration.\n"
        ),
        "{md}"
    );
    for prompt in [
        WENT_WELL_PROMPT,
        WENT_WRONG_PROMPT,
        LUCKY_PROMPT,
        TRIGGER_PROMPT,
    ] {
        assert!(md.contains(prompt), "{prompt}");
    }
}

#[test]
fn the_pagerduty_template_has_its_sections_in_order() {
    let md = captured_markdown("pagerduty");
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## Overview",
            "## What Happened",
            "## Contributing Factors",
            "## Resolution",
            "## Impact",
            "## Timeline",
            "## Action Items",
            "## Blameless review",
        ]
    );
}

#[test]
fn without_flags_the_blameless_review_is_left_out() {
    let mut captured = Captured::new();
    captured.entries.retain(|e| !e.text.contains("broke"));
    let draft = captured.draft();
    assert!(draft.review.is_empty());
    for (name, ..) in BUILTIN_TEMPLATES {
        let md = Template::load(name).unwrap().render(&draft).unwrap();
        assert!(!md.contains("Blameless review"), "{name}:\n{md}");
    }
}

/// A hostile line in every field the team can fill in.
fn hostile() -> Captured {
    const H: &str = "x | y\n# Heading\n- [ ] task\n> quoted\n```\n&lt;img src=x&gt; <javascript:alert(1)|click>";
    let mut c = Captured::new();
    c.incident.title = "Down | # | *x*".into();
    c.incident.summary = Some(format!("{H} blame"));
    c.incident.resolution = Some(H.into());
    c.incident.service = Some("a | b".into());
    for e in &mut c.entries {
        e.text = format!("{H} broke");
        e.marked_key = true;
    }
    for s in &mut c.impacts {
        s.text = H.into();
    }
    for a in &mut c.actions {
        a.text = H.into();
        a.issue_url = Some("https://x/a|b) (c".into());
    }
    c.people.get_mut("U1").unwrap().name = "Sue | *x* [y](z)".into();
    c.people.get_mut("U1").unwrap().title = Some("Ops | Dev".into());
    c
}

#[test]
fn captured_text_cannot_change_the_structure_of_any_template() {
    let c = hostile();
    let draft = c.draft();
    assert!(!draft.review.is_empty() && !draft.summary.generated);
    for (name, ..) in BUILTIN_TEMPLATES {
        let md = Template::load(name).unwrap().render(&draft).unwrap();
        assert!(
            !md.contains("<img") && !md.contains("](javascript:"),
            "{name}:\n{md}"
        );
        let mut columns = None;
        for line in md.lines() {
            let body = line.trim_start();
            assert!(
                !(body.starts_with('>') || body.starts_with("```") || body.starts_with("- [ ]")),
                "{name}: text opened a block: {line:?}\n{md}"
            );
            if body.starts_with('#') {
                assert!(
                    !body.contains("Heading")
                        && (body.starts_with("## ")
                            || body.starts_with("# Postmortem: ")
                            || body.starts_with("### ")),
                    "{name}: text made a heading: {line:?}"
                );
            }
            // Every row of a table has as many cells as its header.
            if line.starts_with('|') {
                let cells = line.replace("\\|", "").matches('|').count();
                match columns {
                    None => columns = Some(cells),
                    Some(n) => assert_eq!(cells, n, "{name}: a cell broke out: {line:?}"),
                }
            } else {
                columns = None;
            }
        }
    }
}

#[test]
fn a_bad_template_is_refused_with_its_file_line_and_reason() {
    for (source, line, reason) in [
        (
            "# {{ title }}\n\n{% for a in actions %}\n{{ a.text }}\n",
            4,
            "syntax error",
        ),
        ("# {{ title }}\n{{ title | shout }}\n", 2, "unknown filter"),
        ("# {{ title }}\n\n\n{{ summary.txt }}\n", 4, "undefined"),
        (
            "{% for a in actions %}{{ a.owner | upper | nope }}{% endfor %}",
            1,
            "unknown filter",
        ),
    ] {
        let err = Template::from_source("teams/ours.md.j2", source.into()).unwrap_err();
        assert_eq!(
            (err.file.as_str(), err.line),
            ("teams/ours.md.j2", Some(line)),
            "{source}: {err}"
        );
        assert!(err.reason.contains(reason), "{source}: {err}");
        assert!(
            err.to_string()
                .starts_with(&format!("teams/ours.md.j2:{line}: ")),
            "{err}"
        );
    }
}

#[test]
fn a_template_that_is_not_a_file_or_a_built_in_name_says_which_names_exist() {
    let err = Template::load("/nonexistent/pm.md.j2").unwrap_err();
    assert_eq!(err.file, "/nonexistent/pm.md.j2");
    assert!(
        err.reason.contains("cannot read") && err.reason.contains("default, google-sre, pagerduty"),
        "{err}"
    );
}

#[test]
fn a_team_template_from_a_file_renders_with_the_same_fields() {
    let dir = std::env::temp_dir().join(format!("warroom-tpl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ours.md.j2");
    let source = "# {{ title }}\n{% for a in actions if a.open %}- {{ a.text }} ({{ a.owner }})\n{% endfor %}";
    std::fs::write(&path, source).unwrap();
    let template = Template::load(path.to_str().unwrap()).unwrap();
    let md = template.render(&Captured::new().draft()).unwrap();
    assert_eq!(
        md,
        "# Postmortem: Checkout down!\n- Canary deploys for checkout (Susan Vega)\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}
