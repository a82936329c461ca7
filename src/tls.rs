//! One TLS crypto provider for the process. slack-morphism brings rustls with `ring`;
//! without a process default, building a client can panic when two providers are
//! linked (see SLACK_NOTES.md).

pub fn install_crypto_provider() {
    // Err means one is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
