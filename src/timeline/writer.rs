//! Group commit for the event stream. Handlers hand their write to a writer task and
//! wait for its answer; the writer takes every write queued at that moment, stores them
//! in one transaction and answers each after the commit. One fsync serves a whole
//! batch, and "acked only after stored" still holds: no request is answered before the
//! transaction holding its write has committed.

use super::{Intent, Outcome, apply_all};
use crate::metrics::Metrics;
use crate::store::{Ingested, Store, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use tokio::sync::{Mutex, mpsc, oneshot, watch};

/// The most writes one transaction takes.
const MAX_BATCH: usize = 256;
const QUEUE: usize = 4096;

struct Job {
    event_id: Option<String>,
    incident_id: i64,
    intent: Intent,
    done: oneshot::Sender<StoreResult<Outcome>>,
}

/// A war room's incident id and declaration time.
type WarRoom = (i64, DateTime<Utc>);

/// The ingest path: war-room lookup (cached) and batched writes.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    /// Shared by the writer tasks: each takes the next batch in turn.
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
    store: Store,
    /// Channel → incident id and declaration time. A channel becomes a war room once
    /// and stays one, so a hit never goes stale; misses always ask the database.
    war_rooms: Arc<RwLock<HashMap<String, WarRoom>>>,
    /// Where what came in, and how it fared, is counted.
    metrics: Arc<Metrics>,
}

impl Writer {
    /// The queue writes wait in. Nothing is written until the application runs the
    /// writer tasks ([`Writer::tasks`], [`Writer::run_task`]).
    pub fn new(store: Store, metrics: Arc<Metrics>) -> Self {
        let (jobs, rx) = mpsc::channel(QUEUE);
        Self {
            jobs,
            queue: Arc::new(Mutex::new(rx)),
            store,
            war_rooms: Arc::new(RwLock::new(HashMap::new())),
            metrics,
        }
    }

    pub(super) fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// How many writer tasks to run: one on SQLite (its writes are serial anyway), a
    /// few on PostgreSQL.
    pub fn tasks(&self) -> usize {
        match self.store {
            Store::Sqlite(..) => 1,
            Store::Postgres(_) => 2,
        }
    }

    /// One writer task: takes batches from the queue until `shutdown` turns true.
    /// Shutdown comes after the server has answered every request, so the queue is
    /// empty by then.
    pub fn run_task(
        &self,
        mut shutdown: watch::Receiver<bool>,
    ) -> impl Future<Output = ()> + use<> {
        let (store, queue) = (self.store.clone(), self.queue.clone());
        async move {
            tokio::select! {
                _ = run(store, queue) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Stores `intent` for the war room it belongs to; answers after the commit.
    pub async fn write(&self, event_id: Option<&str>, intent: Intent) -> StoreResult<Outcome> {
        let Some((incident_id, declared_at)) = self.war_room(&intent.message().channel).await?
        else {
            return Ok(Outcome::Ignored("not a war room"));
        };
        if !intent.within(declared_at, Utc::now()) {
            return Ok(Outcome::Refused("a time far outside the incident"));
        }
        let (done, answer) = oneshot::channel();
        let job = Job {
            event_id: event_id.map(str::to_string),
            incident_id,
            intent,
            done,
        };
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Corrupt("the timeline writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Corrupt("the timeline writer dropped a write".into()))?
    }

    /// The store the writer writes to, for the writes that skip the batch (marks).
    pub(super) fn store(&self) -> &Store {
        &self.store
    }

    /// The incident and declaration time of the war room `channel`, if it is one.
    pub(super) async fn war_room(&self, channel: &str) -> StoreResult<Option<WarRoom>> {
        if let Some(found) = self
            .war_rooms
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(channel)
        {
            return Ok(Some(*found));
        }
        let mut tx = self.store.read().await?;
        let found = tx
            .incident_by_channel(channel)
            .await?
            .map(|i| (i.id, i.declared_at));
        tx.commit().await?;
        if let Some(found) = found {
            self.war_rooms
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(channel.to_string(), found);
        }
        Ok(found)
    }
}

async fn run(store: Store, rx: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let mut batch = Vec::new();
        {
            let mut rx = rx.lock().await;
            match rx.recv().await {
                Some(job) => batch.push(job),
                None => return,
            }
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        match write_batch(&store, &batch).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    let _ = job.done.send(Ok(outcome));
                }
            }
            // One bad write must not fail its neighbours: retry each on its own.
            Err(e) if batch.len() > 1 => {
                tracing::warn!(error = %e, size = batch.len(), "batched write failed; writing one by one");
                for job in batch {
                    let result = write_batch(&store, std::slice::from_ref(&job))
                        .await
                        .map(|mut o| o.remove(0));
                    let _ = job.done.send(result);
                }
            }
            Err(e) => {
                for job in batch {
                    let _ = job.done.send(Err(StoreError::Corrupt(e.to_string())));
                }
            }
        }
    }
}

/// One transaction for the batch: one statement records every event id, then the
/// writes whose ids were new go out together (see `Tx::write_messages`). An event id
/// that appears twice in one batch counts once.
async fn write_batch(store: &Store, batch: &[Job]) -> StoreResult<Vec<Outcome>> {
    let mut tx = store.begin().await?;
    let ids: Vec<&str> = batch.iter().filter_map(|j| j.event_id.as_deref()).collect();
    let mut fresh = tx.record_events(&ids, Utc::now()).await?;
    let mut outcomes = vec![Outcome::Duplicate; batch.len()];
    let mut todo = Vec::with_capacity(batch.len());
    for (i, job) in batch.iter().enumerate() {
        // `remove`: the first job with an id takes it; later ones are redeliveries.
        if job.event_id.as_ref().is_none_or(|id| fresh.remove(id)) {
            todo.push(i);
        }
    }
    let intents: Vec<(i64, &Intent)> = todo
        .iter()
        .map(|&i| (batch[i].incident_id, &batch[i].intent))
        .collect();
    let written = apply_all(&mut tx, &intents).await?;
    tx.commit().await?;
    for (i, ingested) in todo.into_iter().zip(written) {
        outcomes[i] = match ingested {
            Ingested::Stored => Outcome::Stored,
            Ingested::Duplicate => Outcome::Duplicate,
        };
    }
    Ok(outcomes)
}
