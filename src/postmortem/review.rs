//! The blameless review: a note for the postmortem's author that points at phrases in
//! captured text that look at people rather than systems ("Glen broke it", "human
//! error"), each with a systems question to ask instead. It quotes; it never changes
//! anyone's words.
//!
//! A phrase is plain text, not a regex, matched case-insensitively with one rule for
//! its edges: where a phrase begins or ends with a letter or digit, that end must sit
//! on a word boundary in the text. So `broke` finds "Glen broke it" and "<@U03GHAMMER>
//! broke it" but not "broker", "broken" or "unbroken", and `his fault` does not find
//! "this fault". A phrase that begins with an apostrophe therefore attaches to the word
//! before it: `'s fault` finds "Bob's fault" and "<@U1>'s fault". Curly apostrophes
//! count as straight ones and a space matches any run of whitespace.

use serde::Deserialize;

/// A configured phrase may be at most this long, in characters.
pub const MAX_PHRASE_CHARS: usize = 60;
/// A flag's quote is at most this long, in characters, ellipses included.
pub const MAX_QUOTE_CHARS: usize = 120;
/// A quote is cut at a space when one is this close to where the count says to cut.
const NEAR: usize = 15;

/// One phrase to look for and the question to ask instead. In the config it is written
/// `{ phrase = "...", question = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlamePhrase {
    #[serde(rename = "phrase")]
    pub pattern: String,
    pub question: String,
}

/// One place the review points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The matched text as written (its case, its apostrophe).
    pub phrase: String,
    /// The words around it, on one line, with `…` where the text was cut.
    pub quote: String,
    pub question: String,
    /// Whatever the caller labelled the text with, e.g. "Glen Hammer at 10:10".
    pub source: String,
}

const FAULT: &str = "Which conditions in our systems made this failure possible?";
const BROKE: &str = "What change reached production, and how did our process let it through?";
const SHOULD: &str = "What made the right action hard to see or do at the time?";
const SHOULD_NOT: &str =
    "What made this action look reasonable at the time, and what could have warned against it?";
const HUMAN_ERROR: &str = "Which safeguard or check would have caught this before production?";
const SLIP: &str =
    "What about the tools or the situation made this slip easy to make and hard to notice?";
const WHO: &str = "How did our process let this reach production?";
const BLAME: &str = "What in our systems, rather than in a person, made this outcome possible?";
const NEGLIGENT: &str = "Which guardrail was missing that made the risky path the easy one?";
const SKIPPED: &str = "What made this step easy to skip: was it slow, unclear or not enforced?";
const SKILL: &str = "What knowledge or support was missing, and how do we make it easy to get?";

/// The phrases the review looks for unless the config gives its own list.
pub fn default_phrases() -> Vec<BlamePhrase> {
    [
        ("'s fault", FAULT),
        ("fault of", FAULT),
        ("his fault", FAULT),
        ("her fault", FAULT),
        ("their fault", FAULT),
        ("your fault", FAULT),
        ("my fault", FAULT),
        ("broke", BROKE),
        ("should have", SHOULD),
        ("should've", SHOULD),
        ("shouldn't have", SHOULD_NOT),
        ("should not have", SHOULD_NOT),
        ("human error", HUMAN_ERROR),
        ("careless", SLIP),
        ("screwed up", SLIP),
        ("messed up", SLIP),
        ("who did this", WHO),
        ("blame", BLAME),
        ("blamed", BLAME),
        ("blaming", BLAME),
        ("negligent", NEGLIGENT),
        ("negligence", NEGLIGENT),
        ("didn't bother", SKIPPED),
        ("did not bother", SKIPPED),
        ("incompetent", SKILL),
    ]
    .into_iter()
    .map(|(pattern, question)| BlamePhrase {
        pattern: pattern.into(),
        question: question.into(),
    })
    .collect()
}

/// Flags every phrase found in each text: at most one flag per phrase per text (its
/// first occurrence), texts in input order and, within a text, in reading order.
pub fn review<'a>(
    texts: impl IntoIterator<Item = (String, &'a str)>,
    phrases: &[BlamePhrase],
) -> Vec<Flag> {
    let chars = |p: &BlamePhrase| normalise(p.pattern.trim()).into_iter().map(|(c, _)| c);
    let patterns: Vec<Vec<char>> = phrases.iter().map(|p| chars(p).collect()).collect();
    let anchors: Vec<Vec<String>> = patterns.iter().map(|p| anchors(p)).collect();
    let mut lower = String::new();
    let mut flags = Vec::new();
    for (source, text) in texts {
        // Most texts hold no phrase at all: a substring check on the lowered text
        // rules them out before the exact match below is run.
        lowered(text, &mut lower);
        let holds = |i: &usize| anchors[*i].iter().all(|a| lower.contains(a.as_str()));
        let maybe: Vec<usize> = (0..patterns.len()).filter(holds).collect();
        if maybe.is_empty() {
            continue;
        }
        let norm = normalise(text);
        let mut found: Vec<(usize, usize, usize)> = maybe
            .into_iter()
            .filter_map(|i| find(&norm, &patterns[i]).map(|(start, end)| (start, i, end)))
            .collect();
        found.sort_unstable();
        flags.extend(found.into_iter().map(|(start, i, end)| Flag {
            phrase: text[start..end].to_string(),
            quote: quote(text, start, end),
            question: phrases[i].question.clone(),
            source: source.clone(),
        }));
    }
    flags
}

/// The runs of letters and digits in a normalised pattern, longest first. A text can
/// match the pattern only if its lowered form holds every run: normalising changes
/// only case, apostrophes and whitespace, none of which is inside a run. None (so
/// every text is a candidate) when the pattern has no letters or digits.
fn anchors(pattern: &[char]) -> Vec<String> {
    let mut runs: Vec<String> = pattern
        .split(|c| !c.is_alphanumeric())
        .filter(|run| !run.is_empty())
        .map(|run| run.iter().collect())
        .collect();
    runs.sort_by_key(|run: &String| std::cmp::Reverse(run.len()));
    runs
}

/// `text` lowered char by char, as [`normalise`] lowers it, into `out`.
fn lowered(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
    } else {
        out.extend(text.chars().flat_map(char::to_lowercase));
    }
}

/// Reads a phrase list written on its own, as
/// `phrases = [{ phrase = "...", question = "..." }, ...]` (or `[[phrases]]` tables),
/// and checks it. A settings file can instead hold `Vec<BlamePhrase>` under its own
/// key and call [`check_phrases`].
pub fn parse_phrases(toml_text: &str) -> Result<Vec<BlamePhrase>, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct List {
        phrases: Vec<BlamePhrase>,
    }
    let list: List = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    check_phrases(&list.phrases)?;
    Ok(list.phrases)
}

/// Every phrase has words to find (at most [`MAX_PHRASE_CHARS`]) and a question.
pub fn check_phrases(phrases: &[BlamePhrase]) -> Result<(), String> {
    for (n, p) in phrases.iter().enumerate().map(|(i, p)| (i + 1, p)) {
        let pattern = p.pattern.trim();
        let problem = if !pattern.chars().any(char::is_alphanumeric) {
            Some("has no words to look for".to_string())
        } else if pattern.chars().count() > MAX_PHRASE_CHARS {
            Some(format!("is longer than {MAX_PHRASE_CHARS} characters"))
        } else if p.question.trim().is_empty() {
            Some("has no question".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(format!("blame phrase {n} (`{pattern}`) {problem}"));
        }
    }
    Ok(())
}

/// The text as matched: lower case, straight apostrophes, each run of whitespace one
/// space; every char keeps the byte range of the char it came from.
fn normalise(text: &str) -> Vec<(char, (usize, usize))> {
    let mut out: Vec<(char, (usize, usize))> = Vec::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let at = (i, i + c.len_utf8());
        match c {
            c if c.is_whitespace() => {
                if out.last().is_none_or(|(prev, _)| *prev != ' ') {
                    out.push((' ', at));
                }
            }
            '\u{2019}' | '\u{2018}' | '\u{02BC}' => out.push(('\'', at)),
            c => out.extend(c.to_lowercase().map(|l| (l, at))),
        }
    }
    out
}

/// The byte range in the original text of the first match of `pattern`.
fn find(text: &[(char, (usize, usize))], pattern: &[char]) -> Option<(usize, usize)> {
    let (first, last) = (pattern.first()?, pattern.last()?);
    let is_word = |k: usize| text.get(k).is_some_and(|(c, _)| c.is_alphanumeric());
    (0..=text.len().checked_sub(pattern.len())?)
        .find(|&k| {
            let end = k + pattern.len();
            text[k..end].iter().map(|(c, _)| c).eq(pattern)
                && !(first.is_alphanumeric() && k > 0 && is_word(k - 1))
                && !(last.is_alphanumeric() && is_word(end))
        })
        .map(|k| (text[k].1.0, text[k + pattern.len() - 1].1.1))
}

/// At most [`MAX_QUOTE_CHARS`] characters of `text` around bytes `start..end`, on one
/// line, cut at a space where one is near and marked `…` where cut.
fn quote(text: &str, start: usize, end: usize) -> String {
    // The text as shown: chars with their byte offsets, whitespace runs one space.
    let lead = text.len() - text.trim_start().len();
    let mut chars: Vec<(usize, char)> = Vec::new();
    for (i, c) in text.trim().char_indices() {
        if !c.is_whitespace() {
            chars.push((lead + i, c));
        } else if chars.last().is_some_and(|(_, prev)| *prev != ' ') {
            chars.push((lead + i, ' '));
        }
    }
    let n = chars.len();
    let (mut from, mut to) = (0, n);
    if n > MAX_QUOTE_CHARS {
        let budget = MAX_QUOTE_CHARS - 2; // room for an ellipsis either side
        let ms = chars.partition_point(|(i, _)| *i < start);
        let me = chars.partition_point(|(i, _)| *i < end);
        let spare = budget.saturating_sub(me - ms);
        from = ms.saturating_sub(spare / 2).min(n - budget);
        to = (from + budget).min(n);
        let space = |j: &usize| chars[*j].1 == ' ';
        if from > 0 {
            from = (from..ms.min(from + NEAR))
                .find(space)
                .map_or(from, |j| j + 1);
        }
        if to < n {
            to = (me.max(to - NEAR)..to).rev().find(space).unwrap_or(to);
        }
    }
    let cut = |yes: bool| if yes { "…" } else { "" };
    let body: String = chars[from..to].iter().map(|(_, c)| c).collect();
    format!("{}{}{}", cut(from > 0), body, cut(to < n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(text: &str) -> Vec<Flag> {
        review([("Glen at 10:10".to_string(), text)], &default_phrases())
    }

    fn flagged(text: &str) -> Vec<String> {
        flags(text).into_iter().map(|f| f.phrase).collect()
    }

    #[test]
    fn phrases_that_point_at_people_are_flagged_as_written() {
        for (text, phrase) in [
            ("Glen broke the deploy", "broke"),
            ("<@U03GHAMMER> broke it", "broke"),
            ("It was Bob's fault", "'s fault"),
            ("It was Bob\u{2019}s fault", "\u{2019}s fault"),
            ("<@U03GHAMMER>\u{2019}s fault again", "\u{2019}s fault"),
            ("It is the fault of the DBA", "fault of"),
            ("Totally HIS fault.", "HIS fault"),
            ("Their fault, not ours", "Their fault"),
            ("HUMAN ERROR, plain and simple", "HUMAN ERROR"),
            ("She should have checked", "should have"),
            ("She should\n  have checked", "should\n  have"),
            (
                "He shouldn\u{2019}t have pushed on Friday",
                "shouldn\u{2019}t have",
            ),
            ("We should not have merged it", "should not have"),
            ("Who did this?", "Who did this"),
            ("Someone was careless", "careless"),
            ("Don't blame me", "blame"),
            ("Ops got blamed", "blamed"),
            ("That was negligent", "negligent"),
            ("Infra screwed up", "screwed up"),
            ("They didn't bother to test", "didn't bother"),
            ("Frankly incompetent", "incompetent"),
        ] {
            assert_eq!(flagged(text), [phrase], "{text}");
        }
    }

    #[test]
    fn words_that_only_contain_a_phrase_are_not_flagged() {
        for text in [
            "The broker restarted",
            "An unbroken chain of retries",
            "The disk is broken",
            "Breakfast is at nine",
            "We should check the logs",
            "We should roll back, and have a look later",
            "Let's keep this blameless",
            "This fault was injected on purpose",
            "Another fault appeared in the default config",
            "Who did the rollback? Nobody yet",
        ] {
            assert_eq!(flagged(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn a_flag_carries_the_question_the_quote_and_the_source() {
        let expected = Flag {
            phrase: "human error".into(),
            quote: "Honestly, human error.".into(),
            question: "Which safeguard or check would have caught this before production?".into(),
            source: "Glen at 10:10".into(),
        };
        assert_eq!(flags("  Honestly,\n\nhuman error.  "), [expected]);
    }

    #[test]
    fn each_phrase_is_flagged_once_per_text_and_flags_follow_the_texts() {
        let texts = [
            ("first", "Glen broke it, then Bob broke it. Human error."),
            ("second", "Nothing to see"),
            ("third", "Who did this? It should have been caught."),
        ];
        let got: Vec<String> = review(texts.map(|(s, t)| (s.to_string(), t)), &default_phrases())
            .into_iter()
            .map(|f| format!("{}: {}", f.source, f.phrase))
            .collect();
        let want = [
            "first: broke",
            "first: Human error",
            "third: Who did this",
            "third: should have",
        ];
        assert_eq!(got, want);
    }

    /// The first flag's quote, checked against the length limit.
    fn quote_of(text: &str) -> String {
        let quote = flags(text).remove(0).quote;
        assert!(quote.chars().count() <= MAX_QUOTE_CHARS, "{quote}");
        quote
    }

    #[test]
    fn a_long_text_is_quoted_around_the_phrase_and_cut_at_spaces() {
        let quote = quote_of(&format!(
            "{}Glen broke it. {}",
            "word ".repeat(40),
            "more ".repeat(40)
        ));
        assert!(
            quote.starts_with("…word ") && quote.ends_with(" more…"),
            "{quote}"
        );
        assert!(quote.contains("Glen broke it."), "{quote}");
    }

    #[test]
    fn a_phrase_at_the_start_of_a_long_text_is_cut_only_after() {
        let quote = quote_of(&format!(
            "Human error again: {}",
            "the same thing ".repeat(20)
        ));
        assert!(quote.starts_with("Human error again: the same") && quote.ends_with('…'));
    }

    #[test]
    fn quotes_of_multi_byte_text_are_cut_between_characters() {
        let (ja, restart) = ("デプロイが失敗した".repeat(20), "再起動".repeat(40));
        for text in [
            format!("{}Glen broke it{}", "🔥".repeat(100), "🚒".repeat(100)),
            format!("{ja} Glen broke it {restart}"),
        ] {
            let quote = quote_of(&text);
            assert!(quote.starts_with('…') && quote.ends_with('…'), "{quote}");
            assert!(quote.contains("Glen broke it"), "{quote}");
        }
    }

    #[test]
    fn a_phrase_without_words_or_question_or_too_long_is_refused_and_the_defaults_pass() {
        let phrase = |p: &str, q: &str| BlamePhrase {
            pattern: p.into(),
            question: q.into(),
        };
        let long = "a".repeat(61);
        for (bad, problem) in [
            (phrase("", "Why?"), "has no words to look for"),
            (phrase(" ... ", "Why?"), "has no words to look for"),
            (phrase("blame", "  "), "has no question"),
            (phrase(&long, "Why?"), "is longer than 60 characters"),
        ] {
            let err = check_phrases(&[phrase("ok", "Why?"), bad]).unwrap_err();
            assert!(
                err.starts_with("blame phrase 2 ") && err.ends_with(problem),
                "{err}"
            );
        }
        assert_eq!(check_phrases(&[phrase(&long[1..], "Why?")]), Ok(()));
        assert_eq!(check_phrases(&default_phrases()), Ok(()));
    }

    #[test]
    fn phrases_are_found_in_texts_of_any_case_script_and_spacing() {
        let phrases = [BlamePhrase {
            pattern: "ΣΦΑΛΜΑ of".into(),
            question: "?".into(),
        }];
        let texts = ["το σφαλμα  OF", "no match here", "ΣΦΑΛΜΑ\tof x"];
        let got: Vec<String> = review(texts.map(|t| ("s".to_string(), t)), &phrases)
            .into_iter()
            .map(|f| f.phrase)
            .collect();
        assert_eq!(got, ["σφαλμα  OF", "ΣΦΑΛΜΑ\tof"]);
    }

    #[test]
    fn a_phrase_list_is_read_from_toml() {
        let text = r#"phrases = [{ phrase = "dropped the ball", question = "Why?" }]"#;
        let phrases = parse_phrases(text).unwrap();
        assert_eq!(phrases[0].pattern, "dropped the ball");
        let got = review([("s".to_string(), "Ops Dropped  the ball")], &phrases);
        assert_eq!(got[0].phrase, "Dropped  the ball");
    }

    #[test]
    fn a_phrase_list_with_a_wrong_key_or_a_bad_phrase_is_refused() {
        for (text, says) in [
            (
                r#"phrases = [{ pattern = "x" }]"#,
                "unknown field `pattern`",
            ),
            (
                r#"phrases = [{ phrase = "x", question = "" }]"#,
                "has no question",
            ),
            (r#"phrase = []"#, "unknown field `phrase`"),
        ] {
            let err = parse_phrases(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
