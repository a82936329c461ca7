//! Renders a [`Draft`] as a complete Markdown document (the `.md` attachment), laid
//! out by a [`Template`]. Captured text is made safe in [`escape`] before any
//! template sees it, so no template, built-in or a team's own, can let a message
//! change the file's structure.

mod context;
mod escape;
mod probe;
mod template;

#[cfg(test)]
mod template_tests;
#[cfg(test)]
mod tests;

pub use context::{
    DETECTION_PROMPT, KEY_EVENTS_NOTE, LUCKY_PROMPT, REVIEW_NOTE, TRIGGER_PROMPT, WENT_WELL_PROMPT,
    WENT_WRONG_PROMPT,
};
pub use template::{BUILTIN_TEMPLATES, Template, TemplateError};

use super::draft::Draft;
use std::sync::LazyLock;

static DEFAULT: LazyLock<Template> = LazyLock::new(Template::builtin_default);

/// The draft in the built-in `default` layout.
pub fn render_markdown(draft: &Draft) -> String {
    match DEFAULT.render(draft) {
        Ok(markdown) => markdown,
        // The default template renders every draft: its fields are all present.
        Err(e) => unreachable!("the built-in default template failed: {e}"),
    }
}
