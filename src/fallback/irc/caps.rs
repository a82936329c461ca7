//! IRCv3 capability negotiation at connect: the tags that make a captured line
//! better, asked for only when the server offers them.
//!
//! - `server-time` puts a `time` tag on each message: when it was said (see
//!   [`super::capture`]);
//! - `message-tags` lets the server send tags in general, and so the `msgid` tag of
//!   IRCv3 message-ids, which makes a line's key the same across a reconnect or a
//!   bouncer's replay.
//!
//! The client says `CAP LS 302` before `NICK`/`USER`, which holds registration until
//! it says `CAP END`. It asks (`CAP REQ`) for the wanted capabilities the server
//! lists (a `302` list may come in several lines, all but the last marked `*`), and
//! ends once the server answers `ACK` or `NAK`, or right away when it lists none of
//! them. A server without `CAP` answers `421` or registers us anyway (`001`); one
//! that never answers is given [`NEGOTIATION_LIMIT`], then told `CAP END`.
//! [`Negotiation`] is the state, pure; the session sends what it returns.

use irc::proto::{CapSubCommand, Command, Message, Response};
use std::time::Duration;

/// The capabilities asked for, when offered.
pub const WANTED: [&str; 2] = ["server-time", "message-tags"];

/// How long registration may wait on the server's answers before we end it.
pub const NEGOTIATION_LIMIT: Duration = Duration::from_secs(5);

/// What the session sends next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing yet.
    Wait,
    /// `CAP REQ :<caps>`.
    Request(Vec<String>),
    /// `CAP END`: registration goes on.
    End,
    /// Negotiation is over (ended, or the server never negotiated): nothing to send.
    Done,
}

#[derive(Debug, Default)]
pub struct Negotiation {
    /// The wanted capabilities listed so far (a `302` list comes in parts).
    offered: Vec<String>,
    requested: bool,
    done: bool,
    /// What the server acknowledged.
    pub enabled: Vec<String>,
}

impl Negotiation {
    /// Still waiting on the server: the session must end it by the limit.
    pub fn pending(&self) -> bool {
        !self.done
    }

    /// The step after `m`.
    pub fn on_message(&mut self, m: &Message) -> Step {
        if self.done {
            return Step::Done;
        }
        match &m.command {
            Command::Response(Response::RPL_WELCOME, _) => {
                // Registered without our CAP END: the server does not negotiate.
                self.done = true;
                Step::Done
            }
            Command::Response(Response::ERR_UNKNOWNCOMMAND, args)
                if args.get(1).is_some_and(|c| c.eq_ignore_ascii_case("CAP")) =>
            {
                self.done = true;
                Step::Done
            }
            _ => match cap_reply(&m.command) {
                Some((CapSubCommand::LS, more, caps)) if !self.requested => {
                    for cap in caps {
                        // In a `302` list a capability may carry a value: `sasl=PLAIN`.
                        let name = cap.split('=').next().unwrap_or_default();
                        if WANTED.contains(&name) && !self.offered.iter().any(|c| c == name) {
                            self.offered.push(name.to_string());
                        }
                    }
                    if more {
                        Step::Wait
                    } else if self.offered.is_empty() {
                        self.end()
                    } else {
                        self.requested = true;
                        Step::Request(self.offered.clone())
                    }
                }
                Some((CapSubCommand::ACK, _, caps)) if self.requested => {
                    self.enabled = caps.into_iter().map(|c| c.to_string()).collect();
                    self.end()
                }
                Some((CapSubCommand::NAK, _, _)) if self.requested => self.end(),
                _ => Step::Wait,
            },
        }
    }

    /// The limit passed with no end: end it.
    pub fn timed_out(&mut self) -> Step {
        if self.done { Step::Done } else { self.end() }
    }

    fn end(&mut self) -> Step {
        self.done = true;
        Step::End
    }
}

/// A server's `CAP <target> <sub> [*] :<caps>`: the subcommand, whether more lines
/// follow (`*`), and the capabilities. The `irc` crate parses `CAP` by position and
/// puts the list in its third or fourth field depending on the `*`, so both are read
/// here; anything else is `None`.
fn cap_reply(command: &Command) -> Option<(CapSubCommand, bool, Vec<&str>)> {
    let Command::CAP(Some(_target), sub, first, second) = command else {
        return None;
    };
    let (more, list) = match (first.as_deref(), second.as_deref()) {
        (Some("*"), Some(list)) => (true, list),
        (Some(list), None) => (false, list),
        (None, None) => (false, ""),
        _ => return None,
    };
    let sub = match sub {
        CapSubCommand::LS => CapSubCommand::LS,
        CapSubCommand::ACK => CapSubCommand::ACK,
        CapSubCommand::NAK => CapSubCommand::NAK,
        _ => return None,
    };
    Some((sub, more, list.split_whitespace().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(n: &mut Negotiation, raw: &str) -> Step {
        n.on_message(&raw.parse::<Message>().unwrap())
    }

    #[test]
    fn offered_capabilities_are_requested_and_the_ack_ends_negotiation() {
        let mut n = Negotiation::default();
        let step = feed(
            &mut n,
            ":irc.test CAP * LS :multi-prefix server-time sasl=PLAIN message-tags\r\n",
        );
        assert_eq!(
            step,
            Step::Request(vec!["server-time".into(), "message-tags".into()])
        );
        assert!(n.pending());
        let step = feed(
            &mut n,
            ":irc.test CAP warroom ACK :server-time message-tags\r\n",
        );
        assert_eq!(step, Step::End);
        assert_eq!(n.enabled, ["server-time", "message-tags"]);
        assert!(!n.pending());
    }

    #[test]
    fn a_list_in_several_lines_is_read_to_its_last_before_requesting() {
        let mut n = Negotiation::default();
        assert_eq!(
            feed(&mut n, ":irc.test CAP * LS * :server-time batch\r\n"),
            Step::Wait
        );
        assert_eq!(
            feed(
                &mut n,
                ":irc.test CAP * LS :message-tags=x echo-message\r\n"
            ),
            Step::Request(vec!["server-time".into(), "message-tags".into()])
        );
    }

    #[test]
    fn a_server_offering_none_of_them_or_refusing_them_is_told_cap_end() {
        let mut n = Negotiation::default();
        assert_eq!(
            feed(&mut n, ":irc.test CAP * LS :multi-prefix\r\n"),
            Step::End
        );
        let mut n = Negotiation::default();
        assert_eq!(feed(&mut n, ":irc.test CAP * LS :\r\n"), Step::End);
        let mut n = Negotiation::default();
        feed(&mut n, ":irc.test CAP * LS :server-time\r\n");
        assert_eq!(
            feed(&mut n, ":irc.test CAP * NAK :server-time\r\n"),
            Step::End
        );
        assert!(n.enabled.is_empty());
    }

    #[test]
    fn a_server_without_cap_ends_negotiation_without_a_cap_end() {
        let mut n = Negotiation::default();
        assert_eq!(
            feed(&mut n, ":irc.test 421 * CAP :Unknown command\r\n"),
            Step::Done
        );
        let mut n = Negotiation::default();
        assert_eq!(
            feed(&mut n, ":irc.test 001 warroom :Welcome\r\n"),
            Step::Done
        );
        assert_eq!(n.timed_out(), Step::Done);
    }

    #[test]
    fn a_server_that_never_answers_is_told_cap_end_once_at_the_limit() {
        let mut n = Negotiation::default();
        assert_eq!(
            feed(
                &mut n,
                ":irc.test NOTICE * :*** Looking up your hostname\r\n"
            ),
            Step::Wait
        );
        assert_eq!(n.timed_out(), Step::End);
        assert_eq!(n.timed_out(), Step::Done);
    }

    #[test]
    fn an_ack_nobody_asked_for_changes_nothing() {
        let mut n = Negotiation::default();
        assert_eq!(
            feed(&mut n, ":irc.test CAP * ACK :server-time\r\n"),
            Step::Wait
        );
        assert!(n.enabled.is_empty());
    }
}
