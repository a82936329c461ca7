//! What to send: a stream of Slack `message` events (new messages, thread replies,
//! edits, redelivered duplicates) spread over war-room channels, and afterwards what
//! the store should hold for the events the server acknowledged.
//!
//! Every run has its own tag (in event ids and texts) and its own `ts` range (from the
//! wall clock in microseconds), so runs against the same database never collide and
//! verification only looks at this run's rows.

use anyhow::{Context, bail};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use warroom_fakes::payloads;

/// Relative weights of the event kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mix {
    pub new: u32,
    pub reply: u32,
    pub edit: u32,
    pub dup: u32,
}

impl Default for Mix {
    fn default() -> Self {
        Mix {
            new: 70,
            reply: 15,
            edit: 10,
            dup: 5,
        }
    }
}

impl std::str::FromStr for Mix {
    type Err = anyhow::Error;

    /// `new=70,reply=15,edit=10,dup=5`; kinds left out weigh 0.
    fn from_str(s: &str) -> anyhow::Result<Mix> {
        let mut mix = Mix {
            new: 0,
            reply: 0,
            edit: 0,
            dup: 0,
        };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .with_context(|| format!("`{part}`: expected kind=weight"))?;
            let v: u32 = v
                .trim()
                .parse()
                .with_context(|| format!("`{part}`: weight must be a whole number"))?;
            match k.trim() {
                "new" => mix.new = v,
                "reply" => mix.reply = v,
                "edit" => mix.edit = v,
                "dup" => mix.dup = v,
                other => bail!("unknown kind `{other}` (new, reply, edit, dup)"),
            }
        }
        if mix.new == 0 {
            bail!(
                "the mix needs new messages (new=…>0): replies, edits and duplicates refer to them"
            );
        }
        Ok(mix)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    New,
    Reply,
    Edit,
    Dup,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::New, Kind::Reply, Kind::Edit, Kind::Dup];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::New => "new",
            Kind::Reply => "reply",
            Kind::Edit => "edit",
            Kind::Dup => "dup",
        }
    }
}

/// A message (top-level or reply) as generated.
#[derive(Debug, Clone, Copy)]
struct Msg {
    channel: u32,
    ts_seq: u64,
    /// The thread parent's `ts_seq`, for a reply.
    parent: Option<u64>,
    user: u32,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    New(u32),
    Edit {
        msg: u32,
        edit_ts_seq: u64,
    },
    /// A redelivery of an earlier (non-duplicate) event: same id, same body.
    Dup(u32),
}

/// Everything needed to render one event's body outside the generator's lock.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Index of this delivery in the run.
    pub index: u32,
    pub kind: Kind,
    /// Index of the event whose id and body are sent (differs for a duplicate).
    original: u32,
    msg_index: u32,
    msg: Msg,
    edit_ts_seq: Option<u64>,
}

/// Identity of one run: its tag and where its `ts` range starts.
#[derive(Debug, Clone)]
pub struct Run {
    pub tag: String,
    base_micros: i64,
    channels: Arc<Vec<String>>,
}

impl Run {
    pub fn new(channels: Vec<String>) -> Run {
        let base_micros = chrono::Utc::now().timestamp_micros();
        Run {
            tag: format!("{:x}", base_micros % 0xff_ffff_ffff),
            base_micros,
            channels: Arc::new(channels),
        }
    }

    pub fn channels(&self) -> &[String] {
        &self.channels
    }

    /// Slack's `ts` (`secs.micros`) for a sequence number of this run.
    pub fn ts(&self, seq: u64) -> String {
        let us = self.base_micros + seq as i64;
        format!(
            "{}.{:06}",
            us.div_euclid(1_000_000),
            us.rem_euclid(1_000_000)
        )
    }

    fn user(&self, n: u32) -> String {
        format!("U0BENCH{:03}", n % 1000)
    }

    fn event_id(&self, index: u32) -> String {
        format!("Ev{}B{index:08}", self.tag.to_uppercase())
    }

    fn text(&self, msg_index: u32) -> String {
        with_words(format!("[{}#{msg_index}]", self.tag), msg_index)
    }

    fn edit_text(&self, msg_index: u32) -> String {
        with_words(
            format!("[{}#{msg_index} edited]", self.tag),
            msg_index ^ 0x5bd1,
        )
    }

    /// The signed-over JSON body of a planned delivery.
    pub fn body(&self, p: &Planned) -> Vec<u8> {
        let channel = &self.channels[p.msg.channel as usize];
        let user = self.user(p.msg.user);
        let ts = self.ts(p.msg.ts_seq);
        let event = match (p.edit_ts_seq, p.msg.parent) {
            (Some(edit), _) => payloads::message_changed(
                channel,
                &ts,
                &self.edit_text(p.msg_index),
                &user,
                &self.ts(edit),
                &self.text(p.msg_index),
            ),
            (None, Some(parent)) => payloads::thread_reply(
                channel,
                &user,
                &self.text(p.msg_index),
                &ts,
                &self.ts(parent),
            ),
            (None, None) => payloads::message(channel, &user, &self.text(p.msg_index), &ts),
        };
        serde_json::to_vec(&payloads::event_callback(&self.event_id(p.original), event))
            .expect("JSON values serialize")
    }
}

const WORDS: [&str; 24] = [
    "p99", "latency", "is", "up", "on", "checkout", "rolling", "back", "deploy", "db", "primary",
    "failover", "looks", "healthy", "now", "error", "rate", "dropping", "who", "owns", "the",
    "cache", "paging", "dba",
];

/// A prefix plus 4–40 words, deterministic in `seed`: realistic, varied lengths.
fn with_words(mut s: String, seed: u32) -> String {
    let mut x = splitmix(seed as u64);
    let n = 4 + (x % 37) as usize;
    for _ in 0..n {
        x = splitmix(x);
        s.push(' ');
        s.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
    }
    s
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hands out events one by one (cheaply, under a lock) and remembers them.
#[derive(Debug)]
pub struct Generator {
    run: Run,
    mix: Mix,
    rng: u64,
    max_events: Option<u64>,
    msgs: Vec<Msg>,
    msg_edited: Vec<bool>,
    top_level: Vec<u32>,
    unedited: Vec<u32>,
    events: Vec<Event>,
    originals: Vec<u32>,
    next_ts: u64,
    next_channel: u32,
}

/// How far back a reply's parent or a redelivery may reach.
const RECENT: usize = 1000;

impl Generator {
    pub fn new(run: Run, mix: Mix, max_events: Option<u64>, seed: u64) -> Generator {
        assert!(!run.channels.is_empty(), "at least one channel");
        Generator {
            run,
            mix,
            rng: seed | 1,
            max_events,
            msgs: Vec::new(),
            msg_edited: Vec::new(),
            top_level: Vec::new(),
            unedited: Vec::new(),
            events: Vec::new(),
            originals: Vec::new(),
            next_ts: 0,
            next_channel: 0,
        }
    }

    pub fn run(&self) -> &Run {
        &self.run
    }

    pub fn generated(&self) -> usize {
        self.events.len()
    }

    fn rand(&mut self) -> u64 {
        self.rng = splitmix(self.rng);
        self.rng
    }

    fn pick_recent(&mut self, len: usize) -> usize {
        let window = len.min(RECENT);
        len - window + (self.rand() % window as u64) as usize
    }

    fn next_ts(&mut self) -> u64 {
        self.next_ts += 1;
        self.next_ts
    }

    /// The next delivery, or `None` once `max_events` were handed out.
    pub fn next_event(&mut self) -> Option<Planned> {
        if self
            .max_events
            .is_some_and(|m| self.events.len() as u64 >= m)
        {
            return None;
        }
        let index = self.events.len() as u32;
        let m = self.mix;
        let total = (m.new + m.reply + m.edit + m.dup) as u64;
        let roll = (self.rand() % total) as u32;
        let wanted = if roll < m.new {
            Kind::New
        } else if roll < m.new + m.reply {
            Kind::Reply
        } else if roll < m.new + m.reply + m.edit {
            Kind::Edit
        } else {
            Kind::Dup
        };
        let planned = match wanted {
            Kind::Reply if !self.top_level.is_empty() => {
                let at = self.pick_recent(self.top_level.len());
                let parent = self.msgs[self.top_level[at] as usize];
                self.add_message(index, parent.channel, Some(parent.ts_seq), Kind::Reply)
            }
            Kind::Edit if !self.unedited.is_empty() => {
                let i = (self.rand() % self.unedited.len() as u64) as usize;
                let msg = self.unedited.swap_remove(i);
                self.msg_edited[msg as usize] = true;
                let edit_ts_seq = self.next_ts();
                self.events.push(Event::Edit { msg, edit_ts_seq });
                self.originals.push(index);
                self.plan(index, Kind::Edit, index)
            }
            Kind::Dup if !self.originals.is_empty() => {
                let at = self.pick_recent(self.originals.len());
                let original = self.originals[at];
                self.events.push(Event::Dup(original));
                self.plan(index, Kind::Dup, original)
            }
            _ => {
                let channel = self.next_channel;
                self.next_channel = (self.next_channel + 1) % self.run.channels.len() as u32;
                self.add_message(index, channel, None, Kind::New)
            }
        };
        Some(planned)
    }

    fn add_message(
        &mut self,
        index: u32,
        channel: u32,
        parent: Option<u64>,
        kind: Kind,
    ) -> Planned {
        let msg_index = self.msgs.len() as u32;
        let user = (self.rand() % 40) as u32;
        let ts_seq = self.next_ts();
        self.msgs.push(Msg {
            channel,
            ts_seq,
            parent,
            user,
        });
        self.msg_edited.push(false);
        if parent.is_none() {
            self.top_level.push(msg_index);
        }
        self.unedited.push(msg_index);
        self.events.push(Event::New(msg_index));
        self.originals.push(index);
        self.plan(index, kind, index)
    }

    fn plan(&self, index: u32, kind: Kind, original: u32) -> Planned {
        let (msg_index, edit_ts_seq) = match self.events[original as usize] {
            Event::New(m) => (m, None),
            Event::Edit { msg, edit_ts_seq } => (msg, Some(edit_ts_seq)),
            Event::Dup(_) => unreachable!("duplicates point at originals"),
        };
        Planned {
            index,
            kind,
            original,
            msg_index,
            msg: self.msgs[msg_index as usize],
            edit_ts_seq,
        }
    }

    /// Deliveries handed out, by kind.
    pub fn counts(&self) -> HashMap<Kind, u64> {
        let mut out = HashMap::new();
        for e in &self.events {
            let k = match e {
                Event::New(m) if self.msgs[*m as usize].parent.is_some() => Kind::Reply,
                Event::New(_) => Kind::New,
                Event::Edit { .. } => Kind::Edit,
                Event::Dup(_) => Kind::Dup,
            };
            *out.entry(k).or_default() += 1;
        }
        out
    }

    /// What the store must hold, given which deliveries were acknowledged (2xx).
    pub fn expectation(&self, acked: &[bool]) -> Expected {
        let n = self.msgs.len();
        let mut msg_acked = vec![false; n];
        let mut edit_acked = vec![false; n];
        for (i, ok) in acked.iter().enumerate() {
            if !ok || i >= self.events.len() {
                continue;
            }
            let original = match self.events[i] {
                Event::Dup(o) => o as usize,
                _ => i,
            };
            match self.events[original] {
                Event::New(m) => msg_acked[m as usize] = true,
                Event::Edit { msg, .. } => {
                    msg_acked[msg as usize] = true;
                    edit_acked[msg as usize] = true;
                }
                Event::Dup(_) => {}
            }
        }
        let mut messages = HashMap::new();
        let mut edits_expected = 0;
        for (i, m) in self.msgs.iter().enumerate() {
            if !msg_acked[i] {
                continue;
            }
            let text = if edit_acked[i] {
                edits_expected += 1;
                Some(self.run.edit_text(i as u32))
            } else if self.msg_edited[i] {
                // An edit was sent but not acknowledged: it may or may not be applied.
                None
            } else {
                Some(self.run.text(i as u32))
            };
            let key = (
                self.run.channels[m.channel as usize].clone(),
                self.run.ts(m.ts_seq),
            );
            messages.insert(key, text);
        }
        Expected {
            channels: self.run.channels.to_vec(),
            ts_min: self.run.ts(0),
            ts_max: self.run.ts(self.next_ts + 1),
            generated_messages: n,
            messages,
            edits_expected,
        }
    }
}

/// The rows this run should have left in `timeline_entries`.
#[derive(Debug, Clone)]
pub struct Expected {
    pub channels: Vec<String>,
    /// This run's `ts` range (inclusive); rows outside it belong to others.
    pub ts_min: String,
    pub ts_max: String,
    /// Messages generated, acknowledged or not.
    pub generated_messages: usize,
    /// `(channel, ts)` → expected text (`None`: unknown, an edit was not acknowledged).
    pub messages: HashMap<(String, String), Option<String>>,
    pub edits_expected: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn generator(mix: Mix, n: u64) -> Generator {
        Generator::new(Run::new(vec!["C1".into(), "C2".into()]), mix, Some(n), 7)
    }

    #[test]
    fn mix_parses_and_rejects_nonsense() {
        let m: Mix = "new=70,reply=15,edit=10,dup=5".parse().unwrap();
        assert_eq!(m, Mix::default());
        let m: Mix = "new=1".parse().unwrap();
        assert_eq!((m.reply, m.edit, m.dup), (0, 0, 0));
        assert!("reply=5".parse::<Mix>().is_err());
        assert!("new=5,bogus=1".parse::<Mix>().is_err());
        assert!("new=x".parse::<Mix>().is_err());
    }

    #[test]
    fn ts_is_slack_shaped_and_ordered() {
        let run = Run::new(vec!["C1".into()]);
        let (a, b) = (run.ts(1), run.ts(2));
        assert_eq!(a.len(), 17, "{a}");
        assert_eq!(a.as_bytes()[10], b'.');
        assert!(a < b);
    }

    #[test]
    fn stops_at_max_events_and_follows_the_mix() {
        let mut g = generator(Mix::default(), 2000);
        let mut n = 0;
        while g.next_event().is_some() {
            n += 1;
        }
        assert_eq!(n, 2000);
        let c = g.counts();
        assert!(c[&Kind::New] > 1200 && c[&Kind::Reply] > 150, "{c:?}");
        assert!(c[&Kind::Edit] > 100 && c[&Kind::Dup] > 40, "{c:?}");
    }

    #[test]
    fn a_duplicate_repeats_the_id_and_body_of_an_earlier_event() {
        let mut g = generator(
            Mix {
                new: 1,
                reply: 0,
                edit: 0,
                dup: 1,
            },
            200,
        );
        let planned: Vec<Planned> = std::iter::from_fn(|| g.next_event()).collect();
        let run = g.run().clone();
        let dup = planned.iter().find(|p| p.kind == Kind::Dup).unwrap();
        let original = &planned[dup.original as usize];
        assert_ne!(dup.index, original.index);
        assert_eq!(run.body(dup), run.body(original));
    }

    #[test]
    fn bodies_are_event_callbacks_for_the_right_kind() {
        let mut g = generator(Mix::default(), 500);
        let planned: Vec<Planned> = std::iter::from_fn(|| g.next_event()).collect();
        let run = g.run().clone();
        let mut ids = std::collections::HashSet::new();
        for p in &planned {
            let v: Value = serde_json::from_slice(&run.body(p)).unwrap();
            assert_eq!(v["type"], "event_callback");
            let event = &v["event"];
            match p.kind {
                Kind::Edit => assert_eq!(event["subtype"], "message_changed"),
                Kind::Reply => assert!(event["thread_ts"].is_string()),
                Kind::New => assert!(event["thread_ts"].is_null() && event["subtype"].is_null()),
                Kind::Dup => {}
            }
            let id = v["event_id"].as_str().unwrap().to_string();
            assert_eq!(
                ids.insert(id),
                p.kind != Kind::Dup,
                "ids are unique except for duplicates"
            );
        }
    }

    #[test]
    fn expectation_counts_acknowledged_messages_and_edits() {
        let mut g = generator(
            Mix {
                new: 1,
                reply: 0,
                edit: 1,
                dup: 0,
            },
            400,
        );
        let planned: Vec<Planned> = std::iter::from_fn(|| g.next_event()).collect();
        let all = g.expectation(&vec![true; planned.len()]);
        assert_eq!(all.messages.len(), g.msgs.len());
        assert!(all.edits_expected > 0);
        assert!(all.messages.values().all(Option::is_some));
        // Nothing acknowledged: nothing expected.
        assert!(
            g.expectation(&vec![false; planned.len()])
                .messages
                .is_empty()
        );
        // An unacknowledged edit makes the text unknown but the message still expected.
        let mut acked = vec![true; planned.len()];
        let edit = planned.iter().find(|p| p.kind == Kind::Edit).unwrap();
        acked[edit.index as usize] = false;
        let e = g.expectation(&acked);
        let key = (
            g.run().channels()[edit.msg.channel as usize].clone(),
            g.run().ts(edit.msg.ts_seq),
        );
        assert_eq!(e.messages.get(&key), Some(&None));
    }
}
