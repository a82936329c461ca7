//! Warroom's load and benchmark harness.
//!
//! The load ([`load`], [`workload`], [`sign`]) speaks only Slack's protocol over HTTP,
//! so it works against any server implementing the Events API; [`verify`] and [`db`]
//! read the store back; [`scenario`] starts the app, a fake Slack and a database
//! itself to measure one thing end to end. [`stats`] and [`report`] turn samples into
//! figures.

pub mod cli;
pub mod db;
pub mod ingest;
pub mod load;
pub mod report;
pub mod scenario;
pub mod sign;
pub mod slash;
pub mod stats;
pub mod verify;
pub mod workload;

/// One TLS crypto provider for the process (`ring`), before any client is built.
pub fn install_crypto_provider() {
    // Err means one is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
