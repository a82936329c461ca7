//! The Markdown file's layout is a template (Jinja2 syntax, rendered by minijinja).
//! Three ship inside the binary, so the offline commands work from any directory:
//! `default`, `google-sre` and `pagerduty` (their sources are the files under
//! `config/postmortem/`). A team can point at its own file instead.
//!
//! A template is checked when it is loaded: it must compile, and it must render two
//! sample drafts (one with every section filled, one with nothing captured), so a
//! syntax error, an unknown filter or a misspelt field stops startup with the file,
//! the line and the reason instead of failing when an incident closes.

use super::context::Context;
use crate::postmortem::draft::Draft;
use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use std::path::Path;

/// The built-in templates by name, with the file each was written as.
pub const BUILTIN_TEMPLATES: [(&str, &str, &str); 3] = [
    (
        "default",
        "config/postmortem/default.md.j2",
        include_str!("../../../config/postmortem/default.md.j2"),
    ),
    (
        "google-sre",
        "config/postmortem/google-sre.md.j2",
        include_str!("../../../config/postmortem/google-sre.md.j2"),
    ),
    (
        "pagerduty",
        "config/postmortem/pagerduty.md.j2",
        include_str!("../../../config/postmortem/pagerduty.md.j2"),
    ),
];

/// A template that compiled and rendered the sample drafts.
#[derive(Debug)]
pub struct Template {
    env: Environment<'static>,
    /// The file it came from, as errors name it.
    file: String,
}

/// What is wrong with a template, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {reason}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct TemplateError {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

impl Template {
    /// A built-in template by name, or the file at `choice` otherwise.
    pub fn load(choice: &str) -> Result<Template, TemplateError> {
        let choice = choice.trim();
        if let Some((_, file, source)) = BUILTIN_TEMPLATES.iter().find(|(n, ..)| *n == choice) {
            return Template::from_source(file, source.to_string());
        }
        let path = Path::new(choice);
        let source = std::fs::read_to_string(path).map_err(|e| TemplateError {
            file: path.display().to_string(),
            line: None,
            reason: format!(
                "cannot read the template ({e}); use a file path or one of: {}",
                builtin_names()
            ),
        })?;
        Template::from_source(&path.display().to_string(), source)
    }

    /// The `default` template, which the tests prove loads.
    pub fn builtin_default() -> Template {
        let (_, file, source) = BUILTIN_TEMPLATES[0];
        match Template::from_source(file, source.to_string()) {
            Ok(t) => t,
            Err(e) => unreachable!("the built-in default template is tested: {e}"),
        }
    }

    /// Compiles `source` and checks that it renders the sample drafts.
    pub fn from_source(file: &str, source: String) -> Result<Template, TemplateError> {
        let mut env = Environment::new();
        // Block tags may sit on lines of their own without leaving blank lines.
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| error(file, &e))?;
        env.set_syntax(syntax);
        // Every string in the context is already safe Markdown.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        // A misspelt field is an error at load time, not an empty gap in a postmortem.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_template_owned(file.to_string(), source)
            .map_err(|e| error(file, &e))?;
        let template = Template {
            env,
            file: file.to_string(),
        };
        for sample in super::probe::samples() {
            template.render(&sample)?;
        }
        Ok(template)
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn render(&self, draft: &Draft) -> Result<String, TemplateError> {
        let template = self
            .env
            .get_template(&self.file)
            .map_err(|e| error(&self.file, &e))?;
        let context = minijinja::Value::from(minijinja::value::Serde(Context::of(draft)));
        template.render(context).map_err(|e| error(&self.file, &e))
    }
}

fn builtin_names() -> String {
    let names: Vec<&str> = BUILTIN_TEMPLATES.iter().map(|(n, ..)| *n).collect();
    names.join(", ")
}

fn error(file: &str, e: &minijinja::Error) -> TemplateError {
    let mut reason = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        reason.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    TemplateError {
        file: file.to_string(),
        line: e.line(),
        reason,
    }
}
