//! One connection to the IRC server, from connect to drop: it joins every open
//! fallback room's channel (and parts the closed ones) at each look, sets and keeps
//! each topic, briefs a channel once per opening, stores what people say and runs
//! their `!` commands beside reading, supervised ([`super::supervise`]): a command
//! that panics is logged and answered as an internal error, and an ending session
//! waits a bounded time for those still running. It ends when the server goes away,
//! the lease is lost, or the process stops; [`super::IrcWorker`] decides what comes
//! next.

use super::caps::{self, Negotiation, Step};
use super::capture::Heard;
use super::plain::Names;
use super::supervise::{COMMANDS_LIMIT, Supervised};
use super::writer::{Lines, Pending};
use super::{IrcWorker, brief, connect};
use crate::store::FallbackRoom;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use irc::client::prelude::{Client, Command, Message, Response};
use irc::proto::{CapSubCommand, NegotiationVersion};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::watch;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a session ended.
pub enum Ended {
    /// The process is stopping.
    Stopped,
    /// Another replica holds the lease now (or ours could not be renewed in time).
    LostLease,
    /// The connection failed or was closed. `welcomed`: it had got as far as the
    /// server's welcome (so the next try starts again from a short wait).
    Dropped { welcomed: bool, why: String },
}

/// A channel this connection is in (or joining).
struct Room {
    channel: String,
    incident_id: i64,
    opened_at: DateTime<Utc>,
    /// The server confirmed our JOIN.
    joined: bool,
    /// The topic we last set.
    topic: Option<String>,
}

/// A `!` line being run: where to answer if it panics.
struct Asked {
    incident_id: i64,
    channel: String,
    nick: String,
}

struct Session<'a> {
    w: &'a IrcWorker,
    /// Where lines said go to be stored, without waiting for the database.
    lines: &'a Lines,
    client: Client,
    /// The IRCv3 capabilities asked for while registering.
    caps: Negotiation,
    welcomed: bool,
    /// By lowercase channel name (IRC compares channel names without case).
    rooms: HashMap<String, Room>,
    /// The `!` commands running beside reading.
    commands: Supervised<Asked>,
}

pub async fn run(w: &IrcWorker, lines: &Lines, stop: &mut watch::Receiver<bool>) -> Ended {
    let dropped = |why: String| Ended::Dropped {
        welcomed: false,
        why,
    };
    let config = connect::config(&w.settings);
    let mut client =
        match tokio::time::timeout(CONNECT_TIMEOUT, Client::from_config(config.clone())).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return dropped(format!("cannot connect: {e}")),
            Err(_) => return dropped(format!("no connection within {CONNECT_TIMEOUT:?}")),
        };
    if let Err(e) = register(&client, &config) {
        return dropped(format!("cannot identify: {e}"));
    }
    let caps_deadline = tokio::time::Instant::now() + caps::NEGOTIATION_LIMIT;
    let mut stream = match client.stream() {
        Ok(s) => s,
        Err(e) => return dropped(format!("no message stream: {e}")),
    };
    let mut s = Session {
        w,
        lines,
        client,
        caps: Negotiation::default(),
        welcomed: false,
        rooms: HashMap::new(),
        commands: Supervised::default(),
    };
    let mut tick = tokio::time::interval(w.settings.poll_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let wake = w.state.fallback_waker();
    let mut renewed = Instant::now();
    let ended = loop {
        tokio::select! {
            _ = stop.changed() => {
                // Their answers go out with the QUIT, as the stream is polled.
                s.wind_down().await;
                let _ = s.client.send_quit("Warroom is stopping");
                // Polling the stream is what sends the QUIT.
                let _ = tokio::time::timeout(Duration::from_millis(500), stream.next()).await;
                break Ended::Stopped;
            }
            m = stream.next() => match m {
                None => break Ended::Dropped { welcomed: s.welcomed, why: "the server closed the connection".into() },
                Some(Err(e)) => break Ended::Dropped { welcomed: s.welcomed, why: e.to_string() },
                Some(Ok(m)) => s.on_message(m).await,
            },
            Some((asked, why)) = s.commands.next_panic(), if !s.commands.is_empty() => {
                s.on_panic(asked, &why);
            }
            _ = tick.tick() => {
                if renewed.elapsed() >= w.settings.lease / 3 {
                    match w.renew().await {
                        Ok(true) => renewed = Instant::now(),
                        Ok(false) => {
                            let _ = s.client.send_quit("another Warroom holds the connection");
                            break Ended::LostLease;
                        }
                        Err(e) if renewed.elapsed() >= w.settings.lease => {
                            tracing::warn!(error = %e, "the IRC lease could not be renewed in time");
                            break Ended::LostLease;
                        }
                        Err(e) => tracing::warn!(error = %e, "the IRC lease was not renewed; retrying"),
                    }
                }
                if s.welcomed {
                    s.sync().await;
                }
            }
            _ = tokio::time::sleep_until(caps_deadline), if s.caps.pending() => {
                tracing::warn!("the IRC server did not finish capability negotiation; ending it");
                let step = s.caps.timed_out();
                s.cap_step(step);
            }
            _ = wake.notified() => if s.welcomed {
                s.sync().await;
            },
        }
    };
    // Dropped or lost: what the commands do in the database still matters.
    s.wind_down().await;
    ended
}

impl Session<'_> {
    fn me(&self) -> &str {
        self.client.current_nickname()
    }

    async fn on_message(&mut self, m: Message) {
        if self.caps.pending() {
            let step = self.caps.on_message(&m);
            self.cap_step(step);
        }
        let from = m.source_nickname().map(str::to_string);
        match &m.command {
            Command::Response(Response::RPL_WELCOME, _) => {
                self.welcomed = true;
                tracing::info!(nick = %self.me(), "connected to the IRC fallback server");
                self.sync().await;
            }
            Command::JOIN(chan, _, _) if from.as_deref() == Some(self.me()) => {
                let key = chan.to_lowercase();
                if let Some(room) = self.rooms.get_mut(&key) {
                    room.joined = true;
                    room.topic = None;
                    self.on_joined(&key).await;
                }
            }
            Command::KICK(chan, who, _) if who == self.me() => {
                // Gone from it: the next look joins it again.
                self.rooms.remove(&chan.to_lowercase());
            }
            Command::PRIVMSG(target, text) => {
                let Some(nick) = from else { return };
                if nick.eq_ignore_ascii_case(self.me()) {
                    return;
                }
                let Some(room) = self.rooms.get(&target.to_lowercase()).filter(|r| r.joined) else {
                    return;
                };
                let (channel, incident_id) = (room.channel.clone(), room.incident_id);
                if text.starts_with('!') {
                    self.command(channel, incident_id, nick, text.clone());
                } else {
                    let heard = Heard::read(&m, &nick, text, self.w.state.clock.now());
                    self.capture(channel, incident_id, heard).await;
                }
            }
            _ => {}
        }
    }

    /// Sends what capability negotiation asks for next.
    fn cap_step(&self, step: Step) {
        let sent = match step {
            Step::Wait | Step::Done => return,
            Step::Request(names) => self.client.send(Command::CAP(
                None,
                CapSubCommand::REQ,
                None,
                Some(names.join(" ")),
            )),
            Step::End => {
                if !self.caps.enabled.is_empty() {
                    tracing::info!(caps = ?self.caps.enabled, "IRC capabilities enabled");
                }
                self.client
                    .send(Command::CAP(None, CapSubCommand::END, None, None))
            }
        };
        // A failed send is a dropped connection, which the read loop sees next.
        let _ = sent;
    }

    /// Queues the line to be stored in order; reading goes on at once.
    async fn capture(&self, channel: String, incident_id: i64, heard: Heard) {
        let author_id = self
            .w
            .settings
            .slack_user_of(&heard.nick)
            .map(str::to_string);
        self.lines
            .push(Pending {
                incident_id,
                channel,
                author_id,
                heard,
            })
            .await;
    }

    /// Runs a `!` line beside the connection (a command may take a while) and says
    /// its answer in the channel.
    fn command(&mut self, channel: String, incident_id: i64, nick: String, line: String) {
        let (state, settings) = (self.w.state.clone(), self.w.settings.clone());
        let sender = self.client.sender();
        let asked = Asked {
            incident_id,
            channel: channel.clone(),
            nick: nick.clone(),
        };
        self.commands.spawn(asked, async move {
            let answer =
                super::commands::run(&state, &settings, incident_id, &channel, &nick, &line).await;
            say(&sender, &channel, &answer);
        });
    }

    /// A `!` command panicked: logged, and its asker told rather than left waiting.
    fn on_panic(&self, asked: Asked, why: &str) {
        tracing::error!(
            incident_id = asked.incident_id,
            panic = %why,
            "an IRC command panicked"
        );
        let text = format!(
            "{}: that failed inside Warroom (an internal error); it has been logged.",
            asked.nick
        );
        say(&self.client.sender(), &asked.channel, &text);
    }

    /// Waits up to [`COMMANDS_LIMIT`] for the running commands, then aborts the rest.
    async fn wind_down(&mut self) {
        let (panics, aborted) = self.commands.wind_down(COMMANDS_LIMIT).await;
        for (asked, why) in panics {
            self.on_panic(asked, &why);
        }
        if aborted > 0 {
            tracing::warn!(
                commands = aborted,
                "IRC commands were still running when the connection ended; aborted"
            );
        }
    }

    /// Joins the channels of rooms opened, parts those of rooms closed, and keeps
    /// every topic in step with its incident.
    async fn sync(&mut self) {
        let open = match self.open_rooms().await {
            Ok(rooms) => rooms,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the open fallback rooms");
                return;
            }
        };
        let wanted: HashMap<String, FallbackRoom> = open
            .into_iter()
            .map(|r| (r.channel.to_lowercase(), r))
            .collect();
        let gone: Vec<String> = self
            .rooms
            .keys()
            .filter(|k| !wanted.contains_key(*k))
            .cloned()
            .collect();
        for key in gone {
            if let Some(room) = self.rooms.remove(&key) {
                let _ = self.client.send(Command::PART(
                    room.channel,
                    Some("This incident's fallback room is closed.".into()),
                ));
            }
        }
        let mut rebrief = Vec::new();
        for (key, room) in wanted {
            match self.rooms.get_mut(&key) {
                Some(known) if known.opened_at != room.opened_at => {
                    // Closed and opened again between two looks: a new opening.
                    known.opened_at = room.opened_at;
                    if known.joined {
                        rebrief.push(key);
                    }
                }
                Some(_) => {}
                None => {
                    if let Err(e) = self.client.send_join(&room.channel) {
                        tracing::warn!(channel = %room.channel, error = %e, "cannot join");
                        continue;
                    }
                    self.rooms.insert(
                        key,
                        Room {
                            channel: room.channel,
                            incident_id: room.incident_id,
                            opened_at: room.opened_at,
                            joined: false,
                            topic: None,
                        },
                    );
                }
            }
        }
        for key in rebrief {
            self.brief(&key).await;
        }
        self.sync_topics().await;
    }

    async fn open_rooms(&self) -> Result<Vec<FallbackRoom>, crate::store::StoreError> {
        let mut tx = self.w.state.store.read().await?;
        let rooms = tx.open_fallback_rooms().await?;
        tx.commit().await?;
        Ok(rooms)
    }

    async fn on_joined(&mut self, key: &str) {
        self.sync_topics().await;
        self.brief(key).await;
    }

    /// Sets the topic of every joined channel whose incident changed since.
    async fn sync_topics(&mut self) {
        let w = self.w;
        let read = async {
            let mut tx = w.state.store.read().await?;
            let people = tx.people().await?;
            let mut incidents = HashMap::new();
            for room in self.rooms.values().filter(|r| r.joined) {
                if let Some(i) = tx.incident(room.incident_id).await? {
                    incidents.insert(room.incident_id, i);
                }
            }
            tx.commit().await?;
            Ok::<_, crate::store::StoreError>((people, incidents))
        };
        let (people, incidents) = match read.await {
            Ok(read) => read,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the fallback rooms' incidents");
                return;
            }
        };
        let names = Names {
            settings: &w.settings,
            people: &people,
        };
        for room in self.rooms.values_mut().filter(|r| r.joined) {
            let Some(incident) = incidents.get(&room.incident_id) else {
                continue;
            };
            let topic = brief::topic(incident, &names);
            if room.topic.as_deref() != Some(topic.as_str()) {
                let _ = self.client.send_topic(&room.channel, &topic);
                room.topic = Some(topic);
            }
        }
    }

    /// Briefs the channel, unless this opening was briefed already (by this
    /// connection, an earlier one, or another replica). Marked before it is said:
    /// a brief lost with a dropped connection is not said twice.
    async fn brief(&mut self, key: &str) {
        let Some(room) = self.rooms.get(key) else {
            return;
        };
        let (channel, id, opened_at) = (room.channel.clone(), room.incident_id, room.opened_at);
        let w = self.w;
        let now = w.state.clock.now();
        let text = async {
            let mut tx = w.state.store.begin().await?;
            if !tx.mark_fallback_briefed(id, opened_at, now).await? {
                return Ok(None);
            }
            let incident = tx.incident(id).await?;
            let entries = tx.entries(id).await?;
            let people = tx.people().await?;
            tx.commit().await?;
            let names = Names {
                settings: &w.settings,
                people: &people,
            };
            Ok::<_, crate::store::StoreError>(incident.map(|i| brief::brief(&i, &entries, &names)))
        };
        match text.await {
            Ok(Some(text)) => say(&self.client.sender(), &channel, &text),
            Ok(None) => {}
            Err(e) => tracing::warn!(incident_id = id, error = %e, "cannot brief the IRC channel"),
        }
    }
}

/// Starts registering as the `irc` crate's `identify()` does, but opens capability
/// negotiation (`CAP LS 302`) where it would close it (`CAP END`): registration
/// then waits until [`caps`] ends it.
fn register(client: &Client, config: &irc::client::data::Config) -> irc::error::Result<()> {
    if !config.password().is_empty() {
        client.send(Command::PASS(config.password().to_owned()))?;
    }
    client.send_cap_ls(NegotiationVersion::V302)?;
    client.send(Command::NICK(config.nickname()?.to_owned()))?;
    client.send(Command::USER(
        config.username().to_owned(),
        "0".to_owned(),
        config.real_name().to_owned(),
    ))
}

/// Says `text` in `channel`, in lines that fit IRC's.
fn say(sender: &irc::client::Sender, channel: &str, text: &str) {
    for line in crate::fallback::text::privmsg_lines(channel, text) {
        if sender.send_privmsg(channel, line).is_err() {
            return; // the connection is gone; nothing more to say on it
        }
    }
}
