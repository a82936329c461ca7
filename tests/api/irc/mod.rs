//! The IRC fallback war room (issue 17) against a real IRC server: `server` starts
//! ngircd, `person` is a test client that joins as a responder would.

mod caps;
mod fixture;
mod harness_check;
mod lease_store;
mod person;
mod resilience;
mod rooms_store;
mod server;
mod tls;
mod war_room;
mod whole_cycle;

pub use person::Person;
pub use server::IrcServer;

/// Whether this run is CI's, where an IRC test must fail loudly when ngircd is missing.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}
