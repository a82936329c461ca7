//! The dashboard's HTML templates, compiled into the binary (`include_str!`), so it
//! needs no files at runtime and runs from any directory. Every template name ends in
//! `.html`, which turns on minijinja's HTML auto-escaping: text from Slack, incident
//! titles and query values render as text, never as markup.

use minijinja::Environment;
use serde::Serialize;
use std::sync::LazyLock;

const TEMPLATES: [(&str, &str); 11] = [
    ("base.html", include_str!("templates/base.html")),
    ("error.html", include_str!("templates/error.html")),
    ("login.html", include_str!("templates/login.html")),
    ("pager.html", include_str!("templates/pager.html")),
    ("report.html", include_str!("templates/report.html")),
    ("list.html", include_str!("templates/list.html")),
    ("incident.html", include_str!("templates/incident.html")),
    ("entry.html", include_str!("templates/entry.html")),
    (
        "pages_table.html",
        include_str!("templates/pages_table.html"),
    ),
    ("trends.html", include_str!("templates/trends.html")),
    ("chart.html", include_str!("templates/chart.html")),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(environment);

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A typo in a template is a bug: fail the render instead of printing nothing.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            // Built in, and compiled by the tests below: this cannot happen in a
            // tested build. Rendering then fails with a clear error instead.
            tracing::error!(template = name, error = %e, "a dashboard template does not compile");
        }
    }
    env
}

/// Renders template `name` with `ctx`.
pub fn render(name: &str, ctx: &impl Serialize) -> Result<String, minijinja::Error> {
    ENV.get_template(name)?
        .render(minijinja::Value::from(minijinja::value::Serde(ctx)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for (name, _) in TEMPLATES {
            assert!(ENV.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn html_templates_escape_text_and_attributes() {
        let hostile = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)>"#;
        let mut env = environment();
        env.add_template("probe.html", "{{ text }}<a title=\"{{ text }}\"></a>")
            .unwrap();
        let html = env
            .get_template("probe.html")
            .unwrap()
            .render(minijinja::context! { text => hostile })
            .unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert_eq!(
            html.matches('"').count(),
            2,
            "only the template's own quotes: {html}"
        );
        assert!(
            html.starts_with("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;&quot;&gt;&lt;img"),
            "{html}"
        );
    }
}
