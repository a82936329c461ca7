//! Warroom's pages in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, which `.ci/run` installs): [`harness`] drives the browser,
//! [`driver`] owns its processes and decides, when Chromium cannot start, between a
//! failure (under CI) and a loud `SKIPPED:` line (elsewhere). [`harness_check`]
//! proves the harness sees what it must report.
//!
//! The dashboard's tests ([`dashboard_pages`], [`dashboard_login`]) run it against
//! [`seeded`] data; [`screenshots`] (ignored by default) retakes the README's
//! pictures under `docs/`.

mod dashboard_login;
mod dashboard_pages;
mod driver;
mod harness;
mod harness_check;
mod screenshots;
mod seeded;
