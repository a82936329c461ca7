//! IRC text both ways. In: colours, bold and the other formatting codes are stripped
//! (the `irc` crate's `strip_formatting`), then any other control character, so the
//! timeline holds plain text. Out: a message is cut into PRIVMSG lines that fit
//! IRC's 512 bytes, on character boundaries, one line per line of the text.

use irc::proto::FormattedStringExt;

/// A whole IRC line, CRLF included (RFC 2812 §2.3).
pub const MAX_LINE_BYTES: usize = 512;

/// What the server adds when it relays our line to others (`:nick!user@host `);
/// reserved, since we cannot know our host as the server sees it.
const RELAY_PREFIX_RESERVE: usize = 100;

/// The text of an IRC message as the timeline keeps it.
pub fn plain(text: &str) -> String {
    text.strip_formatting()
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// `text` as PRIVMSG payloads for `channel`, each short enough that the relayed
/// line stays within 512 bytes; empty lines are dropped (IRC cannot send them).
pub fn privmsg_lines(channel: &str, text: &str) -> Vec<String> {
    // "PRIVMSG " + channel + " :" + payload + "\r\n"
    let budget = MAX_LINE_BYTES - RELAY_PREFIX_RESERVE - "PRIVMSG  :\r\n".len() - channel.len();
    let mut lines = Vec::new();
    for line in text.lines() {
        let line: String = line.chars().filter(|c| !c.is_control()).collect();
        let mut rest = line.trim_end();
        while !rest.is_empty() {
            let mut cut = rest.len().min(budget);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            lines.push(rest[..cut].to_string());
            rest = &rest[cut..];
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_bold_and_other_codes_are_stripped() {
        let cases = [
            ("\x02bold\x02 text", "bold text"),
            ("\x0304,12red on blue\x03 done", "red on blue done"),
            (
                "\x034red\x0f \x1ditalic\x1d \x1funder\x1f",
                "red italic under",
            ),
            ("bell\x07 and\ttab", "bell andtab"),
            ("plain", "plain"),
        ];
        for (raw, want) in cases {
            assert_eq!(plain(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn long_text_is_cut_on_char_boundaries_into_lines_that_fit() {
        let chan = "#warroom-inc-12";
        let text = "é".repeat(600) + "\nsecond line\n\n";
        let lines = privmsg_lines(chan, &text);
        assert!(lines.len() >= 4, "{}", lines.len());
        for l in &lines {
            let wire = format!(":{}!u@h PRIVMSG {chan} :{l}\r\n", "n".repeat(80));
            assert!(wire.len() <= MAX_LINE_BYTES, "{}", wire.len());
        }
        assert_eq!(lines.concat(), "é".repeat(600) + "second line");
        assert_eq!(lines.last().unwrap(), "second line");
    }

    #[test]
    fn control_characters_cannot_end_a_line_early() {
        let lines = privmsg_lines("#c", "one\rQUIT :bye");
        assert_eq!(lines, ["oneQUIT :bye"]);
    }
}
