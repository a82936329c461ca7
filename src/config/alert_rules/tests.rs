use super::*;
use crate::config::test_env::{assert_hides, env_of, no_env};
use crate::domain::Severity;
use crate::domain::alert::{Alert, AlertStatus, Pairs, Source};
use secrecy::ExposeSecret;
use std::time::Duration;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/alerts.toml");
const SHIPPED_ESCALATION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/escalation.toml");
const ORIGIN: &str = "config/alerts.toml";
const AM_TOKEN: &str = "am-token-7f3a52c0d1";
const GRAFANA_TOKEN: &str = "grafana-token-0c7f3a";

/// Every key set, each to something other than its default. Bad cases are edits of it.
const FULL: &str = r#"
flap_window = "1h30m"
triage_channel = "C0TRIAGE01"
service_label = "service"

[sources.alertmanager]
token_env = "WARROOM_AM_TOKEN"
[sources.grafana]
token_env = "WARROOM_GRAFANA_TOKEN"

[severity]
label = "level"
default = "sev4"
[severity.map]
Critical = "sev1"
error = "sev2"

[runbooks]
HighErrorRate = "https://runbooks.example/high-error-rate"

[[rules]]
name = "shop-critical"
match = ['level = "critical"', 'team =~ "shop|payments"']
severity = "sev1"
service_label = "app"
title = "{{ labels.alertname }} on {{ labels.app }}"
policy = "app-down"
auto_resolve = true

[[rules]]
name = "disks-outside-the-sandbox"
match = ['env != sandbox', 'alertname =~ "Disk.*"']

[[rules]]
name = "everything-else"
"#;

/// Two policies, as the rules may name them.
const ESCALATION: &str = r#"
[teams.sre]
pocs = [{ slack = "U06SREONCL" }]
[[policies.app-down.levels]]
targets = ["team:sre"]
ack_timeout = "5m"
[[policies.sre-only.levels]]
targets = ["team:sre"]
ack_timeout = "30m"
"#;

const TOKENS: &[(&str, &str)] = &[
    ("WARROOM_AM_TOKEN", AM_TOKEN),
    ("WARROOM_GRAFANA_TOKEN", GRAFANA_TOKEN),
];

fn tokens() -> impl Fn(&str) -> Option<String> {
    env_of(TOKENS)
}

fn escalation() -> EscalationConfig {
    EscalationConfig::parse(ESCALATION, Path::new("escalation.toml"), &no_env).unwrap()
}

fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<AlertRules, AlertRulesError> {
    AlertRules::parse(text, Path::new(ORIGIN), env, &escalation())
}

fn pairs(items: &[(&str, &str)]) -> Pairs {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn firing(labels: &[(&str, &str)]) -> Alert {
    Alert {
        status: AlertStatus::Firing,
        labels: pairs(labels),
        annotations: Pairs::new(),
        starts_at: None,
        ends_at: None,
        generator_url: None,
        fingerprint: "f".into(),
        silence_url: None,
        dashboard_url: None,
        panel_url: None,
        values: None,
    }
}

fn matches(matcher: &str, labels: &[(&str, &str)]) -> bool {
    Matcher::parse(matcher).unwrap().matches(&pairs(labels))
}

/// The 1-based line of the first `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    text[..at].matches('\n').count() + 1
}

#[test]
fn the_shipped_example_file_loads_without_any_environment_variables() {
    let escalation = EscalationConfig::load(Path::new(SHIPPED_ESCALATION), &no_env).unwrap();
    let rules = AlertRules::load(Path::new(SHIPPED), &no_env, &escalation).unwrap();
    assert!(
        rules.sources.is_empty(),
        "sources need tokens, so they ship commented out"
    );
    assert_eq!(rules.flap_window, DEFAULT_FLAP_WINDOW);
    let names: Vec<&str> = rules.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["shop-down", "critical", "database-errors"]);

    let checkout = firing(&[
        ("alertname", "CheckoutErrors"),
        ("severity", "critical"),
        ("service", "checkout"),
    ]);
    let (rule, _) = rules.first_match(&[&checkout]).unwrap();
    assert_eq!(rule.name, "shop-down");
    assert_eq!(rule.policy.as_deref(), Some("app-down"));
    assert_eq!(
        rules.severity_of(Some(rule), &checkout.labels),
        Severity::SEV1
    );
}

#[test]
fn a_full_file_loads_every_key() {
    let rules = parse(FULL, &tokens()).unwrap();
    assert_eq!(rules.flap_window, Duration::from_secs(5400));
    assert_eq!(rules.triage_channel.as_deref(), Some("C0TRIAGE01"));
    let am = rules.auth(Source::Alertmanager).unwrap();
    assert_eq!(am.token_env, "WARROOM_AM_TOKEN");
    assert_eq!(am.token.expose_secret(), AM_TOKEN);
    let grafana = rules.auth(Source::Grafana).unwrap();
    assert_eq!(grafana.token.expose_secret(), GRAFANA_TOKEN);
    let shop = &rules.rules[0];
    assert_eq!(shop.policy.as_deref(), Some("app-down"));
    assert!(shop.auto_resolve);
    assert!(
        !rules.rules[1].auto_resolve,
        "auto_resolve defaults to false"
    );
    assert!(rules.rules[2].matchers.is_empty());
}

#[test]
fn the_first_rule_in_file_order_matching_a_firing_alert_declares() {
    let rules = parse(FULL, &tokens()).unwrap();
    let sandbox_disk = firing(&[("alertname", "DiskFull"), ("env", "sandbox")]);
    let prod_disk = firing(&[("alertname", "DiskFull"), ("env", "prod")]);
    let shop = firing(&[
        ("alertname", "HighErrorRate"),
        ("level", "critical"),
        ("team", "payments"),
        ("app", "storefront"),
        ("service", "web"),
    ]);
    let (rule, alert) = rules.first_match(&[&sandbox_disk, &shop]).unwrap();
    assert_eq!((rule.name.as_str(), alert), ("shop-critical", &shop));
    let (rule, alert) = rules.first_match(&[&sandbox_disk, &prod_disk]).unwrap();
    assert_eq!(
        (rule.name.as_str(), alert),
        ("disks-outside-the-sandbox", &prod_disk)
    );
    let (rule, _) = rules.first_match(&[&sandbox_disk]).unwrap();
    assert_eq!(
        rule.name, "everything-else",
        "no matchers match every alert"
    );
    assert!(rules.first_match(&[]).is_none());
}

#[test]
fn severity_service_title_and_runbook_come_from_the_rule_then_the_defaults() {
    let rules = parse(FULL, &tokens()).unwrap();
    let shop_rule = &rules.rules[0];
    let plain_rule = &rules.rules[2];
    let labels = pairs(&[
        ("alertname", "HighErrorRate"),
        ("level", " Error "),
        ("app", "storefront"),
        ("service", "web"),
    ]);

    assert_eq!(
        rules.severity_of(Some(shop_rule), &labels),
        Severity::SEV1,
        "fixed by the rule"
    );
    assert_eq!(
        rules.severity_of(Some(plain_rule), &labels),
        Severity::SEV2,
        "the level label, trimmed and in any case"
    );
    let critical = pairs(&[("level", "CRITICAL")]);
    assert_eq!(
        rules.severity_of(None, &critical),
        Severity::SEV1,
        "map keys ignore case"
    );
    let unmapped = pairs(&[("level", "page-me")]);
    assert_eq!(rules.severity_of(None, &unmapped), Severity::SEV4);
    assert_eq!(rules.severity_of(None, &Pairs::new()), Severity::SEV4);

    assert_eq!(
        rules.service_of(Some(shop_rule), &labels).as_deref(),
        Some("storefront")
    );
    assert_eq!(
        rules.service_of(Some(plain_rule), &labels).as_deref(),
        Some("web")
    );
    assert_eq!(rules.service_of(None, &Pairs::new()), None);

    let empty = Pairs::new();
    let summary = pairs(&[("summary", "Errors  above\n5%")]);
    let ctx = |annotations| TitleContext {
        labels: &labels,
        annotations,
        common_labels: &empty,
        group_labels: &empty,
        receiver: "warroom",
    };
    assert_eq!(
        rules.title_of(Some(shop_rule), &ctx(&empty)),
        "HighErrorRate on storefront"
    );
    assert_eq!(
        rules.title_of(Some(plain_rule), &ctx(&summary)),
        "Errors above 5%"
    );
    assert_eq!(rules.title_of(None, &ctx(&empty)), "HighErrorRate");

    assert_eq!(
        rules.runbook_for(&labels, &empty).as_deref(),
        Some("https://runbooks.example/high-error-rate")
    );
    let own = pairs(&[("runbook_url", "https://wiki.example/own")]);
    assert_eq!(
        rules.runbook_for(&labels, &own).as_deref(),
        Some("https://wiki.example/own")
    );
    assert_eq!(
        rules.runbook_for(&pairs(&[("alertname", "Other")]), &empty),
        None
    );
}

#[test]
fn an_empty_file_means_no_sources_no_rules_and_the_defaults() {
    let rules = parse("", &no_env).unwrap();
    let empty = AlertRules::empty();
    assert!(rules.sources.is_empty() && rules.rules.is_empty());
    assert_eq!(rules.flap_window, empty.flap_window);
    assert_eq!(rules.severity, empty.severity);
    assert_eq!(rules.service_label, "service");
    assert_eq!(rules.triage_channel, None);
}

#[test]
fn a_regex_matches_the_whole_value_only() {
    assert!(!matches(r#"team =~ "shop""#, &[("team", "shopfront")]));
    assert!(!matches(r#"team =~ "shop""#, &[("team", "myshop")]));
    assert!(matches(r#"team =~ "shop""#, &[("team", "shop")]));
    assert!(matches(
        r#"team =~ "shop|payments""#,
        &[("team", "payments")]
    ));
    assert!(matches(r#"team !~ "shop""#, &[("team", "shopfront")]));
    assert!(matches(r#"team =~ "shop.*""#, &[("team", "shopfront")]));
    // An alternation cannot slip out of the anchors.
    assert!(!matches(r#"team =~ "a|b""#, &[("team", "ab")]));
}

#[test]
fn a_missing_label_matches_as_the_empty_string() {
    assert!(
        matches(r#"team != "shop""#, &[]),
        "!= matches an alert without the label"
    );
    assert!(matches(r#"team = """#, &[]));
    assert!(!matches(r#"team = "shop""#, &[]));
    assert!(matches(r#"team =~ ".*""#, &[]));
    assert!(!matches(r#"team =~ ".+""#, &[]));
    assert!(matches(r#"team !~ ".+""#, &[]));
    assert!(!matches(r#"team != """#, &[]));
}

#[test]
fn matchers_read_quotes_escapes_and_bare_words_as_alertmanager_does() {
    for (written, label, op, value) in [
        (
            r#"severity="critical""#,
            "severity",
            MatchOp::Equal,
            "critical",
        ),
        (
            r#"  severity  !=  "critical"  "#,
            "severity",
            MatchOp::NotEqual,
            "critical",
        ),
        (r#"code =~ "5\\d\\d""#, "code", MatchOp::Regex, r"5\d\d"),
        (
            r#"msg = "say \"hi\"""#,
            "msg",
            MatchOp::Equal,
            r#"say "hi""#,
        ),
        (r#"msg = "a\nb""#, "msg", MatchOp::Equal, "a\nb"),
        (r#"msg = "a, b""#, "msg", MatchOp::Equal, "a, b"),
        (
            "severity = critical",
            "severity",
            MatchOp::Equal,
            "critical",
        ),
        (
            "team!~shop|payments",
            "team",
            MatchOp::NotRegex,
            "shop|payments",
        ),
        ("_env=prod", "_env", MatchOp::Equal, "prod"),
    ] {
        let m = Matcher::parse(written).unwrap_or_else(|e| panic!("{written}: {e}"));
        assert_eq!(
            (m.label.as_str(), m.op, m.value.as_str()),
            (label, op, value),
            "{written}"
        );
    }
    assert!(matches(r#"code =~ "5\\d\\d""#, &[("code", "503")]));
    assert!(!matches(r#"code =~ "5\\d\\d""#, &[("code", "5xx")]));
}

#[test]
fn a_bad_matcher_says_what_form_is_expected_and_what_is_wrong() {
    for (written, why) in [
        (r#"severity == "critical""#, "`==` is not an operator"),
        (r#"severity "critical""#, "no operator after `severity`"),
        (r#"team-name = "shop""#, "`team-name` is not a label name"),
        (r#"1team = "shop""#, "`1team` is not a label name"),
        (r#"= "shop""#, "does not start with a label name"),
        (r#"team = "shop"#, "the closing double quote is missing"),
        (r#"team = "sh"op""#, "`op\"` follows the closing quote"),
        (
            r#"team = "shop", env = "prod""#,
            "one matcher per list entry",
        ),
        (r#"code =~ "5\d""#, r"`\d` is not an escape"),
        ("team = shop front", "`shop front` needs double quotes"),
        ("team =", "no value after the operator"),
        (r#"{team = "shop"}"#, "is not a label name"),
    ] {
        let err = Matcher::parse(written).unwrap_err();
        assert!(err.contains(MATCHER_FORM), "{written}: {err}");
        assert!(err.contains(why), "{written}: says {why:?}: {err}");
    }
    let err = Matcher::parse(r#"team =~ "shop[""#).unwrap_err();
    assert!(
        err.contains("has a bad regex `shop[`: unclosed character class"),
        "{err}"
    );
}

/// Edits that break FULL: (replace this, by this; the text on the line the problem is
/// on, its key, what the reason says).
const BAD_EDITS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "title =",
        "titel =",
        "titel",
        "rules[0].titel",
        "unknown field `titel`",
    ),
    (
        "\"1h30m\"",
        "\"5\"",
        "flap_window",
        "flap_window",
        "needs a unit",
    ),
    (
        "\"1h30m\"",
        "\"200h\"",
        "flap_window",
        "flap_window",
        "at most 168h",
    ),
    (
        "\"1h30m\"",
        "15",
        "flap_window",
        "flap_window",
        "invalid type: integer",
    ),
    (
        "\"C0TRIAGE01\"",
        "\"#general\"",
        "#general",
        "triage_channel",
        "must be a channel id",
    ),
    (
        "\"C0TRIAGE01\"",
        "\"D0123ABCD\"",
        "D0123",
        "triage_channel",
        "got `D0123ABCD`",
    ),
    (
        "[sources.grafana]",
        "[sources.prometheus]",
        "[sources.prometheus]",
        "sources.prometheus",
        "is not a source Warroom takes (use alertmanager or grafana)",
    ),
    (
        "error = \"sev2\"",
        "error = \"sev5\"",
        "sev5",
        "severity.map.error",
        "got `sev5`",
    ),
    (
        "error = \"sev2\"",
        "error = \"sev2\"\nCRITICAL = \"sev2\"",
        "CRITICAL",
        "severity.map.CRITICAL",
        "maps `critical` a second time (label values ignore case)",
    ),
    (
        "severity = \"sev1\"",
        "severity = \"urgent\"",
        "urgent",
        "rules[0].severity",
        "`urgent`",
    ),
    (
        "\"sev4\"",
        "\"high\"",
        "high",
        "severity.default",
        "got `high`",
    ),
    (
        "label = \"level\"",
        "label = \"le vel\"",
        "le vel",
        "severity.label",
        "must be a label name (letters, digits and _, not starting with a digit), got `le vel`",
    ),
    (
        "\"service\"",
        "\"\"",
        "service_label",
        "service_label",
        "must be a label name",
    ),
    (
        "\"https://runbooks",
        "\"runbooks",
        "HighErrorRate =",
        "runbooks.HighErrorRate",
        "must be an http(s) URL, got `runbooks.example/high-error-rate`",
    ),
    (
        "\"everything-else\"",
        "\" \"",
        "\" \"",
        "rules[2].name",
        "must not be empty",
    ),
    (
        "name = \"everything-else\"",
        "auto_resolve = false",
        "[[rules]]\nauto_resolve",
        "rules[2].name",
        "is missing: every rule needs a name",
    ),
    (
        "'level = \"critical\"'",
        "'level == \"critical\"'",
        "level ==",
        "rules[0].match[0]",
        "is not a matcher (`label = \"value\"` with =, !=, =~ or !~",
    ),
    (
        "shop|payments",
        "shop[|payments",
        "shop[",
        "rules[0].match[1]",
        "has a bad regex `shop[|payments`: unclosed character class",
    ),
    (
        "labels.app }}",
        "labels.app",
        "title =",
        "rules[0].title",
        "is not a valid template",
    ),
    (
        "\"app-down\"",
        "\"app-dwn\"",
        "app-dwn",
        "rules[0].policy",
        "names policy `app-dwn`, which the escalation file does not define \
         (known policies: app-down, sre-only)",
    ),
    (
        "\"app\"",
        "\"app name\"",
        "app name",
        "rules[0].service_label",
        "must be a label name",
    ),
    (
        "auto_resolve = true",
        "auto_resolve = 1",
        "auto_resolve",
        "rules[0].auto_resolve",
        "integer",
    ),
];

/// Fails unless `err` starts with the file's name, then names `line`, `key` and `reason`.
fn assert_names(err: &str, line: usize, key: &str, reason: &str) {
    assert!(err.starts_with(ORIGIN), "names the file: {err}");
    assert!(
        err.contains(&format!("line {line}")),
        "names line {line}: {err}"
    );
    assert!(err.contains(&format!("`{key}`")), "names `{key}`: {err}");
    assert!(err.contains(reason), "says {reason:?}: {err}");
}

#[test]
fn each_bad_file_names_the_file_the_line_the_key_and_the_reason() {
    for (from, to, on_line, key, reason) in BAD_EDITS {
        assert!(FULL.contains(from), "{from}");
        let text = FULL.replacen(from, to, 1);
        let err = parse(&text, &tokens()).unwrap_err().to_string();
        assert_names(&err, line_of(&text, on_line), key, reason);
    }
}

#[test]
fn a_token_variable_unset_or_blank_is_named_with_the_key_naming_it() {
    let blank = [
        ("WARROOM_AM_TOKEN", AM_TOKEN),
        ("WARROOM_GRAFANA_TOKEN", " \t"),
    ];
    for (env, var, key) in [
        (
            &TOKENS[1..],
            "WARROOM_AM_TOKEN",
            "sources.alertmanager.token_env",
        ),
        (
            &blank[..],
            "WARROOM_GRAFANA_TOKEN",
            "sources.grafana.token_env",
        ),
    ] {
        let err = parse(FULL, &env_of(env)).unwrap_err().to_string();
        let reason = format!("names environment variable {var}, which is not set");
        assert_names(&err, line_of(FULL, var), key, &reason);
    }
}

#[test]
fn a_rule_name_written_twice_points_at_the_first() {
    let text = FULL.replace("\"everything-else\"", "\"shop-critical\"");
    let err = parse(&text, &tokens()).unwrap_err().to_string();
    let first = line_of(&text, "\"shop-critical\"");
    let again = text.rfind("\"shop-critical\"").unwrap();
    let again = text[..again].matches('\n').count() + 1;
    assert!(
        err.ends_with(&format!(
            "line {again}: `rules[2].name` names rule `shop-critical` a second time \
             (first on line {first})"
        )),
        "{err}"
    );
}

#[test]
fn every_problem_is_listed_at_once_each_on_its_line() {
    let text = FULL
        .replace("\"sev2\"", "\"sev9\"")
        .replace("\"app-down\"", "\"nope\"");
    let shown = parse(&text, &no_env).unwrap_err().to_string();
    let mut lines = shown.lines();
    assert_eq!(
        lines.next(),
        Some(format!("{ORIGIN} has 4 problems:").as_str())
    );
    for ((key, on), listed) in [
        ("sources.alertmanager.token_env", "\"WARROOM_AM_TOKEN\""),
        ("sources.grafana.token_env", "\"WARROOM_GRAFANA_TOKEN\""),
        ("severity.map.error", "sev9"),
        ("rules[0].policy", "nope"),
    ]
    .into_iter()
    .zip(lines)
    {
        let start = format!("  line {}: `{key}` ", line_of(&text, on));
        assert!(listed.starts_with(&start), "{start:?} in {shown}");
    }
}

#[test]
fn a_token_never_appears_in_an_error_or_debug_output() {
    let rules = parse(FULL, &tokens()).unwrap();
    let shown = format!("{rules:?}");
    assert_hides(&shown, &[AM_TOKEN, GRAFANA_TOKEN]);
    assert!(shown.contains("WARROOM_AM_TOKEN"), "{shown}");

    // A token pasted where the variable's name goes, and valid tokens in a file with
    // other problems.
    let pasted = FULL.replace("\"WARROOM_AM_TOKEN\"", &format!("\"{AM_TOKEN}\""));
    let other_problems = FULL
        .replace("\"1h30m\"", "\"soon\"")
        .replace("\"sev4\"", "\"sev0\"");
    for text in [pasted, other_problems] {
        let err = parse(&text, &tokens()).unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert_hides(&shown, &[AM_TOKEN, GRAFANA_TOKEN]);
        }
    }
}
