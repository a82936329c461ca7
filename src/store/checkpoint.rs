//! Keeps SQLite's WAL checkpoint off the commit path. By default SQLite copies the
//! write-ahead log back into the database file inside whichever commit pushes the log
//! past 1,000 pages, and every event waiting on that commit waits for the copy and its
//! fsync (measured: stalls of 100–250 ms under sustained ingest). Automatic
//! checkpoints are off on our connections; this task runs a PASSIVE checkpoint beside
//! the writers instead, which never blocks a commit. PostgreSQL needs none of this.

use super::{Store, StoreResult};
use std::time::Duration;
use tokio::sync::watch;

/// How often the log is copied back: at most a second's worth of writes in it.
const EVERY: Duration = Duration::from_secs(1);

impl Store {
    /// Copies what it can of the WAL into the database file without waiting for
    /// readers or writers. A no-op on PostgreSQL.
    pub async fn checkpoint(&self) -> StoreResult<()> {
        if let Store::Sqlite(pool, _) = self {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Checkpoints every second until `shutdown` turns true (SQLite only).
    pub async fn run_checkpoints(self, mut shutdown: watch::Receiver<bool>) {
        if !matches!(self, Store::Sqlite(..)) {
            return;
        }
        let mut failing = false;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                return;
            }
            match self.checkpoint().await {
                Ok(()) => failing = false,
                // Say it once per bad spell: the log grows until a checkpoint succeeds.
                Err(e) if !failing => {
                    failing = true;
                    tracing::warn!(error = %e, "SQLite checkpoint failed; the write-ahead log will grow until one succeeds");
                }
                Err(_) => {}
            }
        }
    }
}
