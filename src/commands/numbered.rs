//! The numbers people type to correct what they captured: `action done 2`,
//! `impact drop #1`. The words that start a correction (`done`, `drop`, …) can also
//! start an ordinary sentence ("drop the old index"), so the rule is cautious: the
//! verb is a correction when a number follows it, a mistyped one when a lone word
//! follows it (`action done two`), and otherwise the start of the text.

/// What follows a correction verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// Nothing: which item was meant is missing.
    Missing,
    /// `2` or `#2`, and the words after it.
    Number(i64, &'a str),
    /// A lone word that is no number: a correction, mistyped.
    NotANumber(&'a str),
    /// Several words, the first no number: ordinary text that starts with the verb.
    Text,
}

/// Reads the words after a correction verb.
pub fn target(rest: &str) -> Target<'_> {
    let rest = rest.trim();
    if rest.is_empty() {
        return Target::Missing;
    }
    let (first, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    match item_number(first) {
        Some(n) => Target::Number(n, tail.trim()),
        None if tail.trim().is_empty() => Target::NotANumber(first),
        None => Target::Text,
    }
}

/// `2` or `#2` (at least 1); anything else, a huge number included, is none.
pub fn item_number(word: &str) -> Option<i64> {
    let digits = word.strip_prefix('#').unwrap_or(word);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|n| *n > 0).map(i64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_with_or_without_a_hash_names_an_item() {
        for (word, n) in [("2", Some(2)), ("#14", Some(14)), ("007", Some(7))] {
            assert_eq!(item_number(word), n, "{word}");
        }
        for word in [
            "0",
            "#",
            "-1",
            "+2",
            "two",
            "2a",
            "99999999999999999999",
            "²",
        ] {
            assert_eq!(item_number(word), None, "{word}");
        }
    }

    #[test]
    fn what_follows_a_verb_is_a_number_a_mistake_or_ordinary_text() {
        assert_eq!(target("  "), Target::Missing);
        assert_eq!(target("2"), Target::Number(2, ""));
        assert_eq!(target("#3  <@U1>"), Target::Number(3, "<@U1>"));
        assert_eq!(target("two"), Target::NotANumber("two"));
        assert_eq!(target("the old index"), Target::Text);
    }
}
