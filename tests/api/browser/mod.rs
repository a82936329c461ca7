//! Warroom's pages in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, which `.ci/run` installs): [`harness`] drives the browser,
//! [`driver`] owns its processes and decides, when Chromium cannot start, between a
//! failure (under CI) and a loud `SKIPPED:` line (elsewhere). [`harness_check`]
//! proves the harness sees what it must report.

mod driver;
mod harness;
mod harness_check;
