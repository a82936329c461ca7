//! Throwaway databases: a SQLite file in the temp dir, or a fresh PostgreSQL database
//! on the local server, dropped when the test ends (even when it fails).

use sqlx::Connection;
use warroom::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on (`scripts/test` sets it).
fn admin_url() -> String {
    std::env::var("WARROOM_TEST_PG_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A connection to the admin database. Without one no PostgreSQL test can run, and
/// none is skipped: the panic says how to get a server.
async fn connect_admin() -> sqlx::PgConnection {
    let url = admin_url();
    match sqlx::PgConnection::connect(&url).await {
        Ok(admin) => admin,
        Err(err) => panic!(
            "PostgreSQL is not reachable at {}: {err}. Run the tests with scripts/test, \
             which starts a throwaway server, or set WARROOM_TEST_PG_ADMIN_URL.",
            without_password(&url)
        ),
    }
}

/// `url` with its password, if it has one, shown as `***`.
fn without_password(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((credentials, host)) = rest.rsplit_once('@')
        && let Some((user, _)) = credentials.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

pub struct TestDb {
    pub url: String,
    pg_name: Option<String>,
    sqlite_path: Option<std::path::PathBuf>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("warroom-test-{unique}.db"));
                TestDb {
                    url: format!("sqlite://{}", path.display()),
                    pg_name: None,
                    sqlite_path: Some(path),
                }
            }
            Backend::Postgres => {
                let name = format!("warroom_test_{unique}");
                let mut admin = connect_admin().await;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await
                    .expect("create test database");
                let base = admin_url();
                let server = base.rsplit_once('/').map(|(s, _)| s).unwrap_or(&base);
                TestDb {
                    url: format!("{server}/{name}"),
                    pg_name: Some(name),
                    sqlite_path: None,
                }
            }
        }
    }

    /// The database file, on SQLite.
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        self.sqlite_path.as_deref()
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.url)
            .await
            .expect("connect and migrate")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(path) = &self.sqlite_path {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        if let Some(name) = self.pg_name.take() {
            // Drop runs inside a test's runtime; a fresh thread with its own runtime
            // can block on the cleanup.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url()).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .execute(&mut admin)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Runs one async test body on both backends, as two tests named `on_sqlite` and
/// `on_postgres` inside a module named for the behaviour.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                $body($crate::db::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                $body($crate::db::Backend::Postgres).await
            }
        }
    };
}

#[test]
fn the_unreachable_server_message_hides_only_a_password() {
    assert_eq!(
        without_password("postgres://bob:hunter2@db:5432/postgres"),
        "postgres://bob:***@db:5432/postgres"
    );
    assert_eq!(
        without_password("postgres://postgres@127.0.0.1:5432/postgres"),
        "postgres://postgres@127.0.0.1:5432/postgres"
    );
}
