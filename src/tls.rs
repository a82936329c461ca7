//! One TLS crypto provider for the process. slack-morphism brings rustls with `ring`,
//! and reqwest's default TLS brings `aws-lc-rs`; with both linked and no process
//! default, rustls cannot choose and building a client panics.

pub fn install_crypto_provider() {
    // Err means one is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
