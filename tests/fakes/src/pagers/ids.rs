//! Deterministic ids: derived from a per-fake counter, so runs are reproducible.

/// `00000000-0000-4000-8000-00000000000N`-style id (the shape of a v4 UUID).
pub(crate) fn uuid_like(prefix: u32, n: u64) -> String {
    format!("{prefix:08x}-0000-4000-8000-{n:012x}")
}

/// A 32-character lowercase hex key, like the dedup keys PagerDuty generates.
pub(crate) fn hex32(prefix: u32, n: u64) -> String {
    format!("{prefix:08x}{:024x}", n)
}
