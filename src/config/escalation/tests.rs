use super::*;
use crate::config::test_env::{assert_hides, env_of, no_env};
use secrecy::ExposeSecret;
use std::time::Duration;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/escalation.toml");
const ORIGIN: &str = "config/escalation.toml";
const PD_KEY: &str = "e93facc04764012d7bfb002500d5d1a6";
const OG_KEY: &str = "0c7f3a52-opsgenie-api-key";

/// A test-only config with every provider switched on.
const ALL_PROVIDERS: &str = r#"
[providers.pagerduty]
events_url = "http://127.0.0.1:9/pd/"
[providers.opsgenie]
api_url = "https://api.eu.opsgenie.com"
api_key_env = "OPSGENIE_API_KEY"

[teams.sre]
name = "SRE on call"
pocs = [{ slack = "U06SREONCL", name = "On-call SRE" }]
pagerduty_routing_key_env = "WARROOM_PD_KEY_SRE"

[teams.ops]
pocs = [{ slack = "U03GHAMMER" }]
opsgenie_team = "ops"

[teams.support]
name = "Customer Support"
webhook_url = "https://hooks.internal.example/support"

[policies.app-down]
repeat_last = 1
[[policies.app-down.levels]]
targets = ["team:sre", "user:U01SVEGA00"]
ack_timeout = "90s"
[[policies.app-down.levels]]
targets = ["team:ops", "team:support"]
ack_timeout = "1h30m"

[routing.severity]
SEV1 = "app-down"
[routing.service]
Storefront = "ops"
"#;

/// The smallest valid config; bad cases are edits of it.
const BASE: &str = r#"
[teams.sre]
name = "SRE"
pocs = [{ slack = "U06SREONCL" }]

[policies.app-down]
[[policies.app-down.levels]]
targets = ["team:sre"]
ack_timeout = "5m"

[routing.severity]
sev1 = "app-down"
"#;

fn parse(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<EscalationConfig, EscalationConfigError> {
    EscalationConfig::parse(text, Path::new(ORIGIN), env)
}

fn shipped() -> EscalationConfig {
    EscalationConfig::load(Path::new(SHIPPED), &no_env).unwrap()
}

fn full_env() -> impl Fn(&str) -> Option<String> {
    env_of(&[("WARROOM_PD_KEY_SRE", PD_KEY), ("OPSGENIE_API_KEY", OG_KEY)])
}

#[test]
fn the_shipped_example_file_loads_without_any_environment_variables() {
    let config = shipped();
    assert_eq!(
        config.known_team_ids(),
        [
            "dba",
            "dev",
            "managers",
            "networking",
            "ops",
            "sre",
            "support"
        ]
    );
    assert!(config.teams.values().all(|t| t.pagerduty.is_none()));
    assert_eq!(
        config.providers.pagerduty_events_url,
        DEFAULT_PAGERDUTY_EVENTS_URL
    );
}

#[test]
fn the_shipped_example_names_the_people_in_the_app_outage_export() {
    let config = shipped();
    let users = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/slack-export-app-outage/users.json"
    ))
    .expect("the sample export ships in examples/");
    let users: Vec<serde_json::Value> = serde_json::from_str(&users).unwrap();
    for user in users {
        let id = user["id"].as_str().unwrap();
        assert!(
            config
                .teams
                .values()
                .any(|t| t.pocs.iter().any(|p| p.slack_user == id)),
            "{id} is in no team"
        );
    }
}

#[test]
fn sev1_routes_to_app_down_whose_level_one_is_the_sre() {
    let config = shipped();
    let policy = config.policy_for(1).unwrap();
    assert_eq!(policy.id, "app-down");
    let first = policy.level(0).unwrap();
    assert_eq!(first.targets, [Target::Team("sre".into())]);
    assert_eq!(first.ack_timeout, Duration::from_secs(300));
    let sre = config.team("sre").unwrap();
    assert_eq!(sre.pocs[0].slack_user, "U06SREONCL");
    assert_eq!(config.policy_for(2).unwrap().id, "app-down");
}

#[test]
fn app_down_level_two_reaches_everyone_on_the_sop_contact_list() {
    let config = shipped();
    let second = config.policy_for(1).unwrap().level(1).unwrap();
    for team in ["support", "networking", "ops", "dba", "dev"] {
        assert!(
            second.targets.contains(&Target::Team(team.into())),
            "{team}"
        );
    }
}

#[test]
fn sev3_and_sev4_page_only_the_sre() {
    let config = shipped();
    for sev in [3, 4] {
        let policy = config.policy_for(sev).unwrap();
        assert_eq!(policy.levels.len(), 1);
        assert_eq!(policy.levels[0].targets, [Target::Team("sre".into())]);
    }
    assert!(config.policy_for(5).is_none());
}

#[test]
fn services_route_to_their_owning_team_ignoring_case() {
    let config = shipped();
    let team = |s: &str| config.team_for_service(s).map(|t| t.id.as_str());
    assert_eq!(team("storefront"), Some("dev"));
    assert_eq!(team(" Checkout "), Some("dev"));
    assert_eq!(team("DATABASE"), Some("dba"));
    assert_eq!(team("network"), Some("networking"));
    assert_eq!(team("mainframe"), None);
}

#[test]
fn a_policy_repeats_its_last_level_repeat_last_more_times_then_stops() {
    let policy = shipped().policy_for(1).unwrap().clone();
    assert_eq!(policy.repeat_last, 2);
    assert_eq!(policy.total_levels(), 5);
    let managers = [Target::Team("managers".into())];
    for index in 2..5 {
        assert_eq!(policy.level(index).unwrap().targets, managers, "{index}");
    }
    assert!(policy.level(5).is_none());
    assert!(policy.level(usize::MAX).is_none());
}

#[test]
fn a_policy_without_repeats_stops_after_its_last_level() {
    let policy = Policy {
        id: "p".into(),
        levels: vec![Level {
            targets: vec![Target::User("U06SREONCL".into())],
            ack_timeout: Duration::from_secs(60),
        }],
        repeat_last: 0,
    };
    assert_eq!(policy.total_levels(), 1);
    assert!(policy.level(0).is_some());
    assert!(policy.level(1).is_none());
    let empty = Policy {
        levels: vec![],
        repeat_last: 3,
        ..policy
    };
    assert_eq!(empty.total_levels(), 0);
    assert!(empty.level(0).is_none());
}

#[test]
fn durations_are_written_in_hours_minutes_and_seconds() {
    for (input, secs) in [
        ("90s", 90),
        ("5m", 300),
        ("1h", 3600),
        ("1h30m", 5400),
        ("1h30m15s", 5415),
        ("0h5m", 300),
        (" 2m ", 120),
    ] {
        assert_eq!(
            parse_duration(input),
            Ok(Duration::from_secs(secs)),
            "{input}"
        );
    }
}

#[test]
fn zero_negative_unitless_and_garbage_durations_are_refused() {
    for (input, reason) in [
        ("0s", "longer than zero"),
        ("0h0m", "longer than zero"),
        ("-5m", "negative"),
        ("5", "needs a unit"),
        ("1h30", "needs a unit"),
        ("", "like 90s"),
        ("soon", "like 90s"),
        ("5 m", "like 90s"),
        ("5min", "like 90s"),
        ("1.5h", "like 90s"),
        ("30m1h", "in that order"),
        ("5m5m", "in that order"),
        ("99999999999999999999h", "like 90s"),
        ("9999999999999999h", "too long"),
    ] {
        let err = parse_duration(input).unwrap_err();
        assert!(err.to_string().contains(reason), "{input}: {err}");
    }
}

#[test]
fn targets_parse_and_display_back() {
    for text in ["team:sre", "user:U06SREONCL", "user:W0123ABC"] {
        assert_eq!(Target::parse(text).unwrap().to_string(), text);
    }
    assert_eq!(
        Target::parse(" team : dba ").unwrap(),
        Target::Team("dba".into())
    );
    for bad in [
        "sre",
        "team:",
        "user:bob",
        "user:u06sreoncl",
        "group:sre",
        "team:a.b",
    ] {
        assert!(Target::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn every_provider_loads_with_secrets_from_the_injected_environment() {
    let config = parse(ALL_PROVIDERS, &full_env()).unwrap();
    let sre = config.team("sre").unwrap();
    let pd = sre.pagerduty.as_ref().unwrap();
    assert_eq!(pd.routing_key_env, "WARROOM_PD_KEY_SRE");
    assert_eq!(pd.routing_key.expose_secret(), PD_KEY);
    let ops = config.team("ops").unwrap();
    assert_eq!(ops.name, "ops", "name defaults to the id");
    assert_eq!(ops.opsgenie, Some(OpsgenieTarget { team: "ops".into() }));
    let support = config.team("support").unwrap();
    assert!(support.pocs.is_empty());
    assert_eq!(
        support.webhook.as_ref().unwrap().url,
        "https://hooks.internal.example/support"
    );
    let providers = &config.providers;
    assert_eq!(providers.pagerduty_events_url, "http://127.0.0.1:9/pd");
    assert_eq!(providers.opsgenie_api_url, "https://api.eu.opsgenie.com");
    assert_eq!(
        providers.opsgenie_api_key.as_ref().unwrap().expose_secret(),
        OG_KEY
    );
    let policy = config.policy_for(1).unwrap();
    assert_eq!(
        policy.levels[0].targets[1],
        Target::User("U01SVEGA00".into())
    );
    assert_eq!(policy.levels[1].ack_timeout, Duration::from_secs(5400));
    assert_eq!(config.team_for_service("storefront").unwrap().id, "ops");
}

#[test]
fn an_empty_config_pages_nobody() {
    for config in [EscalationConfig::empty(), parse("", &no_env).unwrap()] {
        assert!(config.known_team_ids().is_empty());
        assert!(config.policy_for(1).is_none());
        assert!(config.team_for_service("storefront").is_none());
    }
}

/// (edit of BASE, extra env, expected key, expected reason)
type BadCase = (
    String,
    Vec<(&'static str, &'static str)>,
    &'static str,
    &'static str,
);

fn bad_cases() -> Vec<BadCase> {
    let edit = |from: &str, to: &str| {
        assert!(BASE.contains(from), "{from}");
        BASE.replacen(from, to, 1)
    };
    let add = |extra: &str| format!("{BASE}\n{extra}");
    let sre_pager = |line: &str| edit("name = \"SRE\"", &format!("name = \"SRE\"\n{line}"));
    vec![
        (
            edit("name =", "nmae ="),
            vec![],
            "teams.sre.nmae",
            "unknown field `nmae`",
        ),
        (
            edit("\"5m\"", "\"5m"),
            vec![],
            "policies.app-down.levels[0].ack_timeout",
            "line 9",
        ),
        (
            edit("[routing.severity]", "[routing.severity"),
            vec![],
            "routing.severity",
            "line 11, column 18",
        ),
        (
            edit("\"5m\"", "5"),
            vec![],
            "policies.app-down.levels[0].ack_timeout",
            "invalid type: integer",
        ),
        (
            edit(
                "[policies.app-down]",
                "[policies.app-down]\nrepeat_last = -1",
            ),
            vec![],
            "policies.app-down.repeat_last",
            "invalid value",
        ),
        (
            edit("\"team:sre\"", "\"team:sre\", \"team:dbaa\""),
            vec![],
            "policies.app-down.levels[0].targets[1]",
            "team `dbaa`, which is not defined (known teams: sre)",
        ),
        (
            edit("\"5m\"", "\"0s\""),
            vec![],
            "policies.app-down.levels[0].ack_timeout",
            "longer than zero, got `0s`",
        ),
        (
            edit("\"5m\"", "\"-5m\""),
            vec![],
            "policies.app-down.levels[0].ack_timeout",
            "negative, got `-5m`",
        ),
        (
            edit("\"5m\"", "\"100000000000h\""),
            vec![],
            "policies.app-down.levels[0].ack_timeout",
            "at most 168h (7 days), got `100000000000h`",
        ),
        (
            edit("\"5m\"", "\"five\""),
            vec![],
            "policies.app-down.levels[0].ack_timeout",
            "like 90s, 5m, 1h or 1h30m",
        ),
        (
            edit("\"5m\"", "\"5\""),
            vec![],
            "policies.app-down.levels[0].ack_timeout",
            "needs a unit",
        ),
        (
            sre_pager("pagerduty_routing_key_env = \"WARROOM_PD_KEY_SRE\""),
            vec![],
            "teams.sre.pagerduty_routing_key_env",
            "environment variable WARROOM_PD_KEY_SRE, which is not set",
        ),
        (
            sre_pager("pagerduty_routing_key_env = \"WARROOM_PD_KEY_SRE\""),
            vec![("WARROOM_PD_KEY_SRE", "short-secret")],
            "teams.sre.pagerduty_routing_key_env",
            "holds 12 characters; a PagerDuty Events v2 routing key has exactly 32",
        ),
        (
            sre_pager("pagerduty_routing_key_env = \"e93facc04764012d7bfb002500d5d1a6\""),
            vec![],
            "teams.sre.pagerduty_routing_key_env",
            "must be the name of an environment variable",
        ),
        (
            sre_pager("opsgenie_team = \"sre\""),
            vec![],
            "teams.sre.opsgenie_team",
            "needs an Opsgenie API key: set providers.opsgenie.api_key_env",
        ),
        (
            add("[providers.opsgenie]\napi_key_env = \"OPSGENIE_API_KEY\""),
            vec![],
            "providers.opsgenie.api_key_env",
            "OPSGENIE_API_KEY, which is not set",
        ),
        (
            edit("U06SREONCL", "bob"),
            vec![],
            "teams.sre.pocs[0].slack",
            "must be a Slack user id like U06SREONCL",
        ),
        (
            edit("U06SREONCL", "C06SREONCL"),
            vec![],
            "teams.sre.pocs[0].slack",
            "got `C06SREONCL`",
        ),
        (
            edit("\"team:sre\"", "\"user:bob\""),
            vec![],
            "policies.app-down.levels[0].targets[0]",
            "must be `team:<team id>` or `user:<Slack user id",
        ),
        (
            add("[policies.empty]\nrepeat_last = 1"),
            vec![],
            "policies.empty.levels",
            "is empty: a policy needs at least one",
        ),
        (
            edit("targets = [\"team:sre\"]", "targets = []"),
            vec![],
            "policies.app-down.levels[0].targets",
            "is empty: a level must page at least one",
        ),
        (
            edit("sev1 = \"app-down\"", "sev1 = \"app-dwn\""),
            vec![],
            "routing.severity.sev1",
            "policy `app-dwn`, which is not defined (known policies: app-down)",
        ),
        (
            add("[routing.service]\nstorefront = \"dev\""),
            vec![],
            "routing.service.storefront",
            "team `dev`, which is not defined (known teams: sre)",
        ),
        (
            edit("sev1 =", "sev5 ="),
            vec![],
            "routing.severity.sev5",
            "is not a severity: use sev1, sev2, sev3 or sev4",
        ),
        (
            edit("sev1 =", "sevs1 ="),
            vec![],
            "routing.severity.sevs1",
            "is not a severity",
        ),
        (
            edit("sev1 =", "critical ="),
            vec![],
            "routing.severity.critical",
            "is not a severity",
        ),
        (
            sre_pager("webhook_url = \"ftp://hooks.example/sre\""),
            vec![],
            "teams.sre.webhook_url",
            "must be an http:// or https:// URL, got `ftp://hooks.example/sre`",
        ),
        (
            add("[teams.ghost]\nname = \"Ghost team\""),
            vec![],
            "teams.ghost",
            "has no pocs and no pager",
        ),
        (
            add("[providers.pagerduty]\nevents_url = \"events.pagerduty.com\""),
            vec![],
            "providers.pagerduty.events_url",
            "must be an http(s) URL",
        ),
        (
            add("[teams.\"on call\"]\npocs = [{ slack = \"U06SREONCL\" }]"),
            vec![],
            "teams.\"on call\"",
            "is not a usable team id",
        ),
    ]
}

#[test]
fn bad_configs_name_the_file_the_key_and_the_reason() {
    for (text, env, key, reason) in bad_cases() {
        let err = parse(&text, &env_of(&env)).unwrap_err().to_string();
        assert!(err.starts_with(ORIGIN), "names the file: {err}");
        assert!(err.contains(&format!("`{key}")), "names `{key}`: {err}");
        assert!(err.contains(reason), "says {reason:?}: {err}");
    }
}

#[test]
fn every_problem_is_reported_at_once_with_its_line() {
    let text = BASE
        .replace("U06SREONCL", "bob")
        .replace("\"5m\"", "\"0s\"");
    let Err(EscalationConfigError::Invalid { file, problems }) = parse(&text, &no_env) else {
        panic!("expected Invalid");
    };
    assert_eq!(file, Path::new(ORIGIN));
    let found: Vec<(&str, Option<usize>)> =
        problems.iter().map(|p| (p.key.as_str(), p.line)).collect();
    assert_eq!(
        found,
        [
            ("teams.sre.pocs[0].slack", Some(4)),
            ("policies.app-down.levels[0].ack_timeout", Some(9)),
        ]
    );
    let shown = EscalationConfigError::Invalid { file, problems }.to_string();
    assert!(shown.contains("has 2 problems"), "{shown}");
}

#[test]
fn an_unreadable_file_is_named() {
    let missing = Path::new("/nonexistent/escalation.toml");
    let err = EscalationConfig::load(missing, &no_env).unwrap_err();
    assert!(matches!(err, EscalationConfigError::Unreadable { .. }));
    assert!(
        err.to_string().contains("/nonexistent/escalation.toml"),
        "{err}"
    );
}

#[test]
fn a_routing_key_never_appears_in_an_error_or_debug_output() {
    let config = parse(ALL_PROVIDERS, &full_env()).unwrap();
    let shown = format!("{config:?}");
    assert_hides(&shown, &[PD_KEY, OG_KEY]);
    assert!(shown.contains("WARROOM_PD_KEY_SRE"), "{shown}");

    // A key of the wrong length, a key pasted where the variable name goes, and a
    // valid key in a file with another problem.
    let wrong_length = env_of(&[("WARROOM_PD_KEY_SRE", "abcdefabcdefabcdef-wrong-length")]);
    let pasted = ALL_PROVIDERS.replace("\"WARROOM_PD_KEY_SRE\"", &format!("\"{PD_KEY}\""));
    let other_problem = ALL_PROVIDERS.replace("\"90s\"", "\"0s\"");
    for (text, env) in [
        (
            ALL_PROVIDERS.to_string(),
            &wrong_length as &dyn Fn(&str) -> Option<String>,
        ),
        (pasted, &full_env()),
        (other_problem, &full_env()),
    ] {
        let err = parse(&text, env).unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert_hides(&shown, &[PD_KEY, "wrong-length", OG_KEY]);
        }
    }
}
