//! Which alerts declare incidents: `config/alerts.toml` (see the commented example
//! shipped there), from bytes to [`AlertRules`]. Like the escalation file it is
//! strict: an unknown key, a bad matcher, regex or template, or a policy the
//! escalation file does not have stops startup with the file, line, key and reason.
//! Tokens never sit in the file: it names the environment variable holding each.

mod model;

pub use model::{
    AlertRules, DEFAULT_FLAP_WINDOW, MatchOp, Matcher, Rule, SeverityMapping, SourceAuth,
    TitleContext, TitleTemplate,
};
