//! Multi-row `INSERT`s for seeding, on either backend, in statements cut to stay
//! fast: few parameters each on SQLite, and on PostgreSQL each within one TLS record.

use chrono::{DateTime, NaiveDate, Utc};
use warroom::store::Store;

/// Most bind parameters one statement carries. Both backends allow far more, but
/// SQLite looks each `$n` up among the statement's earlier ones while parsing, so
/// a statement's parse time grows with the square of its parameters.
const PARAMS_PER_STATEMENT: usize = 960;

/// Most bytes of values one statement carries. sqlx 0.9.0 leaves Nagle's algorithm
/// on (sqlx issue #4335), and on a TLS connection (PostgreSQL's default here) a
/// message longer than one TLS record (16 KiB) goes out in two writes: the second
/// waits for the server's delayed ACK, 40–50 ms a statement.
const BYTES_PER_STATEMENT: usize = 12 * 1024;

/// A value to bind, of a type both backends encode the way the store does.
pub enum V<'a> {
    Int(i64),
    Text(&'a str),
    OptText(Option<&'a str>),
    Owned(String),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
    Date(NaiveDate),
}

macro_rules! bind_values {
    ($q:expr, $values:expr) => {{
        let mut q = $q;
        for v in $values {
            q = match v {
                V::Int(x) => q.bind(*x),
                V::Text(x) => q.bind(*x),
                V::OptText(x) => q.bind(*x),
                V::Owned(x) => q.bind(x.as_str()),
                V::Time(x) => q.bind(*x),
                V::OptTime(x) => q.bind(*x),
                V::Date(x) => q.bind(*x),
            };
        }
        q
    }};
}

impl V<'_> {
    /// About what the value takes in a Bind message.
    fn size(&self) -> usize {
        4 + match self {
            V::Int(_) | V::Time(_) | V::OptTime(_) => 8,
            V::Date(_) => 4,
            V::Text(t) => t.len(),
            V::OptText(t) => t.map_or(0, str::len),
            V::Owned(t) => t.len(),
        }
    }
}

/// Cuts `values` (rows of `width`) into statements within both budgets.
fn statements<'v, 'a>(values: &'v [V<'a>], width: usize) -> Vec<&'v [V<'a>]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (r, row) in values.chunks(width).enumerate() {
        let size: usize = row.iter().map(V::size).sum();
        let rows = r - start / width;
        if rows > 0
            && ((rows + 1) * width > PARAMS_PER_STATEMENT || bytes + size > BYTES_PER_STATEMENT)
        {
            out.push(&values[start..r * width]);
            (start, bytes) = (r * width, 0);
        }
        bytes += size;
    }
    if start < values.len() {
        out.push(&values[start..]);
    }
    out
}

/// The seeding's own transaction for its multi-row inserts (the store's `Tx` keeps
/// its connection to itself).
pub enum Batch {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Batch {
    pub async fn begin(store: &Store) -> anyhow::Result<Batch> {
        Ok(match store {
            Store::Sqlite(pool, _) => Batch::Sqlite(pool.begin().await?),
            Store::Postgres(pool) => Batch::Postgres(pool.begin().await?),
        })
    }

    pub async fn commit(self) -> anyhow::Result<()> {
        match self {
            Batch::Sqlite(t) => t.commit().await?,
            Batch::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// `INSERT INTO {into} VALUES (…), (…)`: rows of `width` values each, in as few
    /// statements as the budgets allow.
    pub async fn insert(
        &mut self,
        into: &str,
        width: usize,
        values: &[V<'_>],
    ) -> anyhow::Result<()> {
        for chunk in statements(values, width) {
            self.insert_one(into, width, chunk).await?;
        }
        Ok(())
    }

    async fn insert_one(
        &mut self,
        into: &str,
        width: usize,
        chunk: &[V<'_>],
    ) -> anyhow::Result<()> {
        let rows = chunk.len() / width;
        let tuples = (0..rows)
            .map(|r| {
                let p: Vec<String> = (1..=width).map(|k| format!("${}", r * width + k)).collect();
                format!("({})", p.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = sqlx::AssertSqlSafe(format!("INSERT INTO {into} VALUES {tuples}"));
        match self {
            Batch::Sqlite(t) => {
                bind_values!(sqlx::query(sql).persistent(false), chunk)
                    .execute(&mut **t)
                    .await?;
            }
            Batch::Postgres(t) => {
                bind_values!(sqlx::query(sql).persistent(false), chunk)
                    .execute(&mut **t)
                    .await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_hold_whole_rows_within_the_parameter_and_byte_budgets() {
        let long = "x".repeat(10_000);
        let mut values = Vec::new();
        for k in 0..1_000 {
            values.extend([V::Int(k), V::Text(if k % 7 == 0 { &long } else { "short" })]);
        }
        let parts = statements(&values, 2);
        assert_eq!(parts.iter().map(|p| p.len()).sum::<usize>(), values.len());
        for p in &parts {
            assert_eq!(p.len() % 2, 0);
            assert!(p.len() <= PARAMS_PER_STATEMENT);
            let bytes: usize = p.iter().map(V::size).sum();
            assert!(
                bytes <= BYTES_PER_STATEMENT || p.len() == 2,
                "{bytes} bytes"
            );
        }
        assert!(
            parts.len() > values.len() / PARAMS_PER_STATEMENT + 1,
            "the bytes cut too"
        );
    }

    #[test]
    fn a_row_larger_than_the_byte_budget_goes_alone() {
        let huge = "x".repeat(BYTES_PER_STATEMENT + 1);
        let values = [V::Text("a"), V::Text(&huge), V::Text("b")];
        let parts = statements(&values, 1);
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [1, 1, 1]);
    }
}
