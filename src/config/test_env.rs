//! Environments for the config tests: a fixed set of variables, never the process's.

use std::collections::HashMap;

/// An environment holding exactly `pairs`.
pub(super) fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| map.get(k).cloned()
}

/// An environment with no variables set.
pub(super) fn no_env(_: &str) -> Option<String> {
    None
}

/// Fails, showing `shown`, when any of `secrets` is in it.
pub(super) fn assert_hides(shown: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret:?} shows in: {shown}");
    }
}
