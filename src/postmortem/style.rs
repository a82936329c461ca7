//! How drafts are written, as the config chose it: the Markdown template and the
//! phrases of the blameless review. Made once at startup, where a bad choice stops
//! the process with the setting's file and key and, for a template, the template's
//! file, line and reason.

use super::{BlamePhrase, Draft, Template, TemplateError, check_phrases, default_phrases};
use crate::config::{ConfigError, PostmortemSettings};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Style {
    pub template: Arc<Template>,
    pub phrases: Arc<[BlamePhrase]>,
}

impl Default for Style {
    /// The built-in `default` template and phrases.
    fn default() -> Self {
        Style {
            template: Arc::new(Template::builtin_default()),
            phrases: default_phrases().into(),
        }
    }
}

impl Style {
    /// Checks and loads what `settings` name; `template` (a command's `--template`)
    /// overrides the configured template.
    pub fn from_settings(
        settings: &PostmortemSettings,
        template: Option<&str>,
    ) -> Result<Style, ConfigError> {
        let phrases: Vec<BlamePhrase> = match &settings.blameless_phrases {
            None => default_phrases(),
            Some(list) => list
                .iter()
                .map(|p| BlamePhrase {
                    pattern: p.phrase.clone(),
                    question: p.question.clone(),
                })
                .collect(),
        };
        check_phrases(&phrases).map_err(|problem| ConfigError::Invalid {
            origin: settings.phrases_origin.clone(),
            key: "blameless_phrases".into(),
            problem,
        })?;
        let (choice, origin) = match template {
            Some(t) => (t, "the --template option".to_string()),
            None => (settings.template.as_str(), settings.template_origin.clone()),
        };
        let template = Template::load(choice).map_err(|e| ConfigError::Invalid {
            origin,
            key: "template".into(),
            problem: format!("cannot be used: {e}"),
        })?;
        Ok(Style {
            template: Arc::new(template),
            phrases: phrases.into(),
        })
    }

    /// The draft as Markdown in this style's template.
    pub fn render(&self, draft: &Draft) -> Result<String, TemplateError> {
        self.template.render(draft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::PhraseSetting;

    fn settings() -> PostmortemSettings {
        PostmortemSettings {
            template: "default".into(),
            template_origin: "config/default.toml [postmortem.template]".into(),
            blameless_phrases: None,
            phrases_origin: "config/default.toml [postmortem.blameless_phrases]".into(),
            github: None,
        }
    }

    #[test]
    fn without_settings_the_default_template_and_phrases_are_used() {
        let style = Style::from_settings(&PostmortemSettings::default(), None).unwrap();
        assert_eq!(style.template.file(), "config/postmortem/default.md.j2");
        assert_eq!(style.phrases.to_vec(), default_phrases());
    }

    #[test]
    fn configured_phrases_replace_the_defaults_and_a_template_option_wins() {
        let mut s = settings();
        s.blameless_phrases = Some(vec![PhraseSetting {
            phrase: "dropped the ball".into(),
            question: "What made it easy to miss?".into(),
        }]);
        let style = Style::from_settings(&s, Some("pagerduty")).unwrap();
        assert_eq!(style.phrases.len(), 1);
        assert_eq!(style.phrases[0].pattern, "dropped the ball");
        assert_eq!(style.template.file(), "config/postmortem/pagerduty.md.j2");
    }

    #[test]
    fn a_bad_phrase_names_the_file_the_key_and_the_phrase() {
        let mut s = settings();
        s.blameless_phrases = Some(vec![PhraseSetting {
            phrase: "blame".into(),
            question: " ".into(),
        }]);
        let err = Style::from_settings(&s, None).unwrap_err().to_string();
        assert_eq!(
            err,
            "config/default.toml [postmortem.blameless_phrases]: `blameless_phrases` \
             blame phrase 1 (`blame`) has no question"
        );
    }

    #[test]
    fn a_bad_template_names_the_setting_and_the_template_file_line_and_reason() {
        let dir = std::env::temp_dir().join(format!("warroom-style-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.md.j2");
        std::fs::write(&path, "# {{ title }}\n{{ title | shout }}\n").unwrap();
        let mut s = settings();
        s.template = path.display().to_string();
        let err = Style::from_settings(&s, None).unwrap_err().to_string();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            err.starts_with(
                "config/default.toml [postmortem.template]: `template` cannot be used: "
            ) && err.contains(&format!("{}:2: unknown filter", path.display())),
            "{err}"
        );
        let err = Style::from_settings(&settings(), Some("nope"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("the --template option: `template` cannot be used: nope: cannot read"),
            "{err}"
        );
    }
}
