//! Exactly once over Socket Mode. Slack redelivers an envelope it saw no ack for, and
//! a command must neither run twice (two war rooms) nor be lost (its first try failed
//! to store). So the envelope id is stored in the same transaction as the command's
//! effects, with the answer it got: a redelivery either finds that record and gets the
//! same answer, or finds nothing because nothing was stored, and runs the command.
//! Over HTTP, Slack does not retry commands, and a [`Delivery`] is [`Delivery::none`].

use crate::error::AppError;
use crate::slack::Answer;
use crate::store::{Store, Tx};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Reply;

#[derive(Debug, Clone, Default)]
pub struct Delivery {
    /// The Socket Mode envelope id; `None` over HTTP.
    envelope: Option<String>,
    /// Set once a command's transaction took the record on (see `record_if_not_yet`).
    recorded: Arc<AtomicBool>,
}

impl Delivery {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn envelope(id: &str) -> Self {
        Self {
            envelope: Some(id.to_string()),
            recorded: Arc::default(),
        }
    }

    fn key(&self) -> Option<String> {
        self.envelope.as_ref().map(|id| format!("envelope:{id}"))
    }

    /// The answer this envelope got before, if its work was done already.
    pub async fn earlier_answer(&self, store: &Store) -> Result<Option<Answer>, AppError> {
        let Some(key) = self.key() else {
            return Ok(None);
        };
        let mut tx = store.read().await?;
        let stored = tx.delivery_answer(&key).await?;
        tx.commit().await?;
        Ok(stored.map(|answer| decode(answer.as_deref())))
    }

    /// Commits `tx` with this delivery and `reply` recorded in it. If a twin delivery
    /// committed first, `tx` is rolled back and the twin's reply comes back instead.
    pub async fn commit(&self, tx: Tx, reply: Reply) -> Result<Reply, AppError> {
        let answer = reply.to_answer();
        Ok(match self.commit_answer(tx, answer).await? {
            Some(twin) => Reply::from_answer(&twin),
            None => reply,
        })
    }

    /// As [`Delivery::commit`] for an interaction's answer. `Some` is the twin's.
    pub async fn commit_answer(
        &self,
        mut tx: Tx,
        answer: Answer,
    ) -> Result<Option<Answer>, AppError> {
        let Some(key) = self.key() else {
            tx.commit().await?;
            return Ok(None);
        };
        self.recorded.store(true, Ordering::SeqCst);
        if !tx.record_delivery(&key, encode(&answer).as_deref()).await? {
            // The twin has committed (an insert that conflicts waits for it), so its
            // answer is readable here; this transaction's effects are dropped.
            let twin = tx.delivery_answer(&key).await?;
            drop(tx);
            return Ok(Some(decode(twin.flatten().as_deref())));
        }
        tx.commit().await?;
        Ok(None)
    }

    /// For work that stored nothing (help, a usage message, a modal opening): records
    /// the answer on its own, so a redelivery answers alike without redoing it.
    pub async fn record_if_not_yet(&self, store: &Store, answer: &Answer) -> Result<(), AppError> {
        let Some(key) = self.key() else {
            return Ok(());
        };
        if self.recorded.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut tx = store.begin().await?;
        tx.record_delivery(&key, encode(answer).as_deref()).await?;
        tx.commit().await?;
        self.recorded.store(true, Ordering::SeqCst);
        Ok(())
    }
}

fn encode(answer: &Answer) -> Option<String> {
    match answer {
        Answer::Empty => None,
        Answer::Json(v) => Some(v.to_string()),
    }
}

fn decode(stored: Option<&str>) -> Answer {
    stored
        .and_then(|s| serde_json::from_str(s).ok())
        .map_or(Answer::Empty, Answer::Json)
}
