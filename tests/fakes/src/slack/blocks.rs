//! Block Kit checks, strict enough to catch what Slack rejects most often.

use serde_json::Value;

pub(crate) const MAX_MESSAGE_BLOCKS: usize = 50;
pub(crate) const MAX_MODAL_BLOCKS: usize = 100;
const MAX_SECTION_TEXT: usize = 3000;
const MAX_SECTION_FIELDS: usize = 10;
const MAX_FIELD_TEXT: usize = 2000;
const MAX_HEADER_TEXT: usize = 150;

const KNOWN_BLOCK_TYPES: &[&str] = &[
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "table",
    "video",
];

/// Validates a parsed `blocks` value. `Err` holds the Slack error code:
/// `invalid_blocks_format` when it is not an array, `invalid_blocks` otherwise.
pub(crate) fn validate(blocks: &Value, max_blocks: usize) -> Result<(), &'static str> {
    let items = blocks.as_array().ok_or("invalid_blocks_format")?;
    if items.len() > max_blocks {
        return Err("invalid_blocks");
    }
    for block in items {
        validate_block(block).map_err(|_| "invalid_blocks")?;
    }
    Ok(())
}

fn validate_block(block: &Value) -> Result<(), ()> {
    let kind = block.get("type").and_then(Value::as_str).ok_or(())?;
    if !KNOWN_BLOCK_TYPES.contains(&kind) {
        return Err(());
    }
    match kind {
        "section" => {
            let text = block.get("text");
            let fields = block.get("fields");
            if text.is_none() && fields.is_none() {
                return Err(());
            }
            if let Some(t) = text {
                text_object(t, MAX_SECTION_TEXT, false)?;
            }
            if let Some(f) = fields {
                let f = f.as_array().ok_or(())?;
                if f.is_empty() || f.len() > MAX_SECTION_FIELDS {
                    return Err(());
                }
                for field in f {
                    text_object(field, MAX_FIELD_TEXT, false)?;
                }
            }
            Ok(())
        }
        "header" => text_object(block.get("text").ok_or(())?, MAX_HEADER_TEXT, true),
        "context" => {
            let elements = block.get("elements").and_then(Value::as_array).ok_or(())?;
            if elements.is_empty() || elements.len() > 10 {
                return Err(());
            }
            Ok(())
        }
        "actions" => {
            let elements = block.get("elements").and_then(Value::as_array).ok_or(())?;
            if elements.is_empty() || elements.len() > 25 {
                return Err(());
            }
            Ok(())
        }
        "markdown" => {
            let text = block.get("text").and_then(Value::as_str).ok_or(())?;
            if text.chars().count() > 12_000 {
                return Err(());
            }
            Ok(())
        }
        "input" => {
            text_object(block.get("label").ok_or(())?, 2000, true)?;
            let element = block.get("element").filter(|e| e.is_object()).ok_or(())?;
            super::elements::input_element(element)
        }
        _ => Ok(()),
    }
}

/// A text object: `{"type":"plain_text"|"mrkdwn","text":...}` within `max` chars.
fn text_object(value: &Value, max: usize, plain_only: bool) -> Result<(), ()> {
    let kind = value.get("type").and_then(Value::as_str).ok_or(())?;
    let ok_kind = kind == "plain_text" || (!plain_only && kind == "mrkdwn");
    if !ok_kind {
        return Err(());
    }
    let text = value.get("text").and_then(Value::as_str).ok_or(())?;
    let len = text.chars().count();
    if len == 0 || len > max {
        return Err(());
    }
    Ok(())
}

/// The text of a view's title/submit/close object, if it has one.
pub(crate) fn plain_text_len(value: Option<&Value>) -> Option<usize> {
    value
        .and_then(|v| v.get("text"))
        .and_then(Value::as_str)
        .map(|s| s.chars().count())
}
