//! Persistence behind one type, [`Store`], on SQLite (the embedded default) or
//! PostgreSQL (production, several replicas). Each query is written once, in SQL both
//! dialects accept (`$1` placeholders, `ON CONFLICT`, `RETURNING`); the `on_conn!`
//! macro runs it on whichever backend is configured. Writes that must land together
//! take a [`Tx`].

mod alerts;
mod capture;
mod checkpoint;
mod dashboard;
mod fallback;
mod incidents;
mod irc;
mod outbox;
mod page_dms;
mod paging;
mod people;
mod report;
mod retention;
mod statuspage;
mod timeline;
mod timers;

pub use alerts::{AlertChange, AlertGroup, StoredAlert};
pub use capture::{ListedAction, MarkSource};
pub use dashboard::{Cursor, IncidentFilter, NumberedEntry, Paged, Seek, StatusFilter, TrendRow};
pub use fallback::{FallbackOpened, FallbackReason, FallbackRoom};
pub use irc::{IrcLine, irc_channel_id};
pub use outbox::{Backlog, ClaimedItem, FailedItem, URGENT_LANE_PREFIXES};
pub use paging::{DueEscalation, EscalationRow, NewPage, PageRecord, PagingRound, ProviderAlert};
pub use report::ReportEntry;
pub use retention::Pruned;
pub use statuspage::StatuspageLink;
pub use timeline::{Change, Ingested, MessageWrite};
pub use timers::{Settled, TimerRow};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug)]
pub enum Store {
    /// The pool, and the process's write lock: SQLite admits one writer at a time, and
    /// its busy handler sleeps in growing steps, so under a steady stream of batched
    /// writes a waiting slash command could keep losing the race. Waiting here instead
    /// is first come, first served.
    Sqlite(SqlitePool, Arc<tokio::sync::Mutex<()>>),
    Postgres(PgPool),
}

/// A transaction on either backend. Dropping it without `commit` rolls back.
pub struct Tx {
    inner: TxInner,
    /// Run after the commit, never after a rollback: effects outside the database
    /// that must count only what landed (metrics). See [`Tx::on_commit`].
    on_commit: Vec<Box<dyn FnOnce() + Send>>,
}

enum TxInner {
    /// A write transaction holds the write lock until it ends (fields drop in order:
    /// the transaction first, then the lock).
    Sqlite(
        sqlx::Transaction<'static, sqlx::Sqlite>,
        Option<tokio::sync::OwnedMutexGuard<()>>,
    ),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the backend's connection (a pool or a
/// transaction); the body is compiled once per backend.
macro_rules! on_conn {
    ($target:expr, $conn:ident => $body:expr) => {
        match $target {
            $crate::store::Conn::Sqlite($conn) => $body,
            $crate::store::Conn::Postgres($conn) => $body,
        }
    };
}
pub(crate) use on_conn;

/// What `on_conn!` matches on: a borrowed executor of either backend.
pub(crate) enum Conn<'a> {
    Sqlite(&'a mut sqlx::SqliteConnection),
    Postgres(&'a mut sqlx::PgConnection),
}

impl Tx {
    fn new(inner: TxInner) -> Self {
        Self {
            inner,
            on_commit: Vec::new(),
        }
    }

    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.inner {
            TxInner::Sqlite(t, _) => Conn::Sqlite(t),
            TxInner::Postgres(t) => Conn::Postgres(t),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.inner, TxInner::Postgres(_))
    }

    /// Runs `effect` once this transaction has committed; a rollback (a drop, a
    /// failed commit) forgets it. A counter bumped inside the transaction would count
    /// declares that never happened, and count a redelivered one twice.
    pub fn on_commit(&mut self, effect: impl FnOnce() + Send + 'static) {
        self.on_commit.push(Box::new(effect));
    }

    pub async fn commit(self) -> StoreResult<()> {
        match self.inner {
            TxInner::Sqlite(t, _lock) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        for effect in self.on_commit {
            effect();
        }
        Ok(())
    }
}

impl Store {
    /// Connects, creating a SQLite file if needed, and applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Store::Postgres(pool)
        } else {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                // `run_checkpoints` does this beside the writers instead of in a commit.
                .pragma("wal_autocheckpoint", "0")
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?;
            Store::Sqlite(pool, Arc::new(tokio::sync::Mutex::new(())))
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> StoreResult<()> {
        match self {
            Store::Sqlite(p, _) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Store::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Begins a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so two writers queue instead of failing on upgrade.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Store::Sqlite(p, lock) => {
                let turn = lock.clone().lock_owned().await;
                Tx::new(TxInner::Sqlite(
                    p.begin_with("BEGIN IMMEDIATE").await?,
                    Some(turn),
                ))
            }
            Store::Postgres(p) => Tx::new(TxInner::Postgres(p.begin().await?)),
        })
    }

    /// Begins a read-only unit of work (a plain deferred transaction).
    pub async fn read(&self) -> StoreResult<Tx> {
        Ok(match self {
            Store::Sqlite(p, _) => Tx::new(TxInner::Sqlite(p.begin().await?, None)),
            Store::Postgres(p) => Tx::new(TxInner::Postgres(p.begin().await?)),
        })
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(..) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(p, _) => p.close().await,
            Store::Postgres(p) => p.close().await,
        }
    }
}
