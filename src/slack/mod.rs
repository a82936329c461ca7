//! The Slack edge. Inbound: [`routes`] (HTTP, signature-checked) hands slash commands
//! to `commands`, message events to `timeline`, and modal submissions to
//! [`interactions`]. Outbound: [`client`] speaks the Web API; [`views`] builds what
//! users see.

pub mod client;
pub mod events;
pub mod interactions;
pub mod routes;
pub mod verify;
pub mod views;
