//! A person on IRC: the `irc` crate's client, driven by the test, reading what the
//! server sends it until what the test waits for arrives (or 10 s pass: a failure).

use std::time::Duration;

use futures::StreamExt;
use irc::client::ClientStream;
use irc::client::prelude::{Client, Command, Config, Message, Response};
use tokio::sync::mpsc;

const PATIENCE: Duration = Duration::from_secs(10);

pub struct Person {
    pub nick: String,
    client: Client,
    /// What the server sent, read by a task: the `irc` crate sends only while its
    /// stream is polled, so the stream is polled all the time, not only in `wait_for`.
    heard: mpsc::UnboundedReceiver<irc::error::Result<Message>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for Person {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

async fn read_all(
    mut stream: ClientStream,
    tx: mpsc::UnboundedSender<irc::error::Result<Message>>,
) {
    while let Some(m) = stream.next().await {
        if tx.send(m).is_err() {
            return;
        }
    }
}

impl Person {
    /// Connects as `nick` and waits until the server has welcomed them.
    pub async fn connect(server: &super::IrcServer, nick: &str) -> Person {
        let config = Config {
            nickname: Some(nick.to_owned()),
            server: Some("127.0.0.1".to_owned()),
            port: Some(server.port),
            // People use the plain port; the crate's default is TLS.
            use_tls: Some(false),
            ..Config::default()
        };
        let mut client = Client::from_config(config).await.expect("person connects");
        client.identify().expect("person identifies");
        let stream = client.stream().expect("person's stream");
        let (tx, heard) = mpsc::unbounded_channel();
        let reader = tokio::spawn(read_all(stream, tx));
        let mut person = Person {
            nick: nick.to_owned(),
            client,
            heard,
            reader,
        };
        person
            .wait_for("the welcome", |m| {
                matches!(m.command, Command::Response(Response::RPL_WELCOME, _))
            })
            .await;
        person
    }

    pub async fn join(&mut self, channel: &str) {
        self.client.send_join(channel).expect("send JOIN");
        let me = self.nick.clone();
        let chan = channel.to_owned();
        self.wait_for(&format!("joining {channel}"), move |m| {
            matches!(&m.command, Command::JOIN(c, _, _) if c == &chan)
                && m.source_nickname() == Some(me.as_str())
        })
        .await;
    }

    /// Waits until `channel`'s topic is one `matches` accepts (set while we are in
    /// the channel, or found there on joining); returns it and who set it, when known.
    pub async fn wait_for_topic(
        &mut self,
        channel: &str,
        mut matches: impl FnMut(&str) -> bool,
    ) -> (String, Option<String>) {
        let chan = channel.to_owned();
        let m = self
            .wait_for(&format!("the topic of {channel}"), move |m| {
                match &m.command {
                    Command::TOPIC(c, Some(t)) => c == &chan && matches(t),
                    Command::Response(Response::RPL_TOPIC, args) => {
                        args.get(1) == Some(&chan) && args.get(2).is_some_and(|t| matches(t))
                    }
                    _ => false,
                }
            })
            .await;
        let by = m.source_nickname().map(str::to_string);
        match m.command {
            Command::TOPIC(_, Some(t)) => (t, by),
            Command::Response(_, args) => (args[2].clone(), None),
            _ => unreachable!("matched a topic"),
        }
    }

    /// Waits for a PRIVMSG in `channel` from `nick` whose text satisfies `matches`.
    pub async fn wait_for_privmsg_from(
        &mut self,
        channel: &str,
        nick: &str,
        mut matches: impl FnMut(&str) -> bool,
    ) -> String {
        let (chan, from) = (channel.to_owned(), nick.to_owned());
        let m = self
            .wait_for(&format!("a message from {nick} in {channel}"), move |m| {
                m.source_nickname() == Some(from.as_str())
                    && matches!(&m.command, Command::PRIVMSG(t, text) if t == &chan && matches(text))
            })
            .await;
        match m.command {
            Command::PRIVMSG(_, text) => text,
            _ => unreachable!("matched a PRIVMSG"),
        }
    }

    /// Every PRIVMSG heard in `channel` from `nick` within `for_`, without waiting
    /// for any in particular (to count what was said).
    pub async fn privmsgs_within(
        &mut self,
        channel: &str,
        nick: &str,
        for_: Duration,
    ) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + for_;
        let mut said = Vec::new();
        while let Ok(Some(Ok(m))) = tokio::time::timeout_at(deadline, self.heard.recv()).await {
            if m.source_nickname() == Some(nick)
                && let Command::PRIVMSG(t, text) = m.command
                && t == channel
            {
                said.push(text);
            }
        }
        said
    }

    pub fn say(&self, channel: &str, text: &str) {
        self.client
            .send_privmsg(channel, text)
            .expect("send PRIVMSG");
    }

    /// Reads messages until one matches `what`; returns it. Panics after 10 s.
    pub async fn wait_for(
        &mut self,
        what: &str,
        mut matches: impl FnMut(&Message) -> bool,
    ) -> Message {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let next = tokio::time::timeout_at(deadline, self.heard.recv()).await;
            match next {
                Err(_) => panic!("{}: no {what} within {PATIENCE:?}", self.nick),
                Ok(None) => panic!("{}: connection closed while waiting for {what}", self.nick),
                Ok(Some(Err(e))) => {
                    panic!("{}: IRC error while waiting for {what}: {e}", self.nick)
                }
                Ok(Some(Ok(m))) if matches(&m) => return m,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// Waits for a PRIVMSG in `channel` whose text satisfies `matches`; returns the text.
    pub async fn wait_for_privmsg(
        &mut self,
        channel: &str,
        mut matches: impl FnMut(&str) -> bool,
    ) -> String {
        let chan = channel.to_owned();
        let m = self
            .wait_for(&format!("message in {channel}"), move |m| {
                matches!(&m.command, Command::PRIVMSG(t, text) if t == &chan && matches(text))
            })
            .await;
        match m.command {
            Command::PRIVMSG(_, text) => text,
            _ => unreachable!("matched a PRIVMSG"),
        }
    }
}
