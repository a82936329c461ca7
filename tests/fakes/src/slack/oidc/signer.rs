//! [`IdTokenSigner`]: an RSA key made at test time that signs id_tokens (RS256) the
//! way Slack does and publishes its public half as a JWK. The fake Slack uses the
//! process's [`IdTokenSigner::shared`] key; a test may make another to forge a token
//! Slack never signed.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};

/// Slack's keys are 2048-bit RSA.
const BITS: usize = 2048;

pub struct IdTokenSigner {
    kid: String,
    key: EncodingKey,
    n: String,
    e: String,
}

impl std::fmt::Debug for IdTokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdTokenSigner")
            .field("kid", &self.kid)
            .finish()
    }
}

impl IdTokenSigner {
    /// A fresh 2048-bit key named `kid`. Takes a moment: share one where you can.
    pub fn generate(kid: &str) -> IdTokenSigner {
        let private = rsa::PrivateKey::new(&mut getrandom::SysRng, BITS)
            .expect("fake slack: generate an RSA key");
        let der = private
            .to_pkcs1_der()
            .expect("fake slack: encode the RSA key");
        IdTokenSigner {
            kid: kid.to_string(),
            key: EncodingKey::from_rsa_der(der.as_bytes()),
            n: URL_SAFE_NO_PAD.encode(private.n_bytes()),
            e: URL_SAFE_NO_PAD.encode(private.e_bytes()),
        }
    }

    /// The key every fake Slack in this process signs with, made on first use.
    pub fn shared() -> &'static IdTokenSigner {
        static SHARED: OnceLock<IdTokenSigner> = OnceLock::new();
        SHARED.get_or_init(|| IdTokenSigner::generate("fake-slack-oidc-1"))
    }

    /// The key id (`kid`) in the tokens' header and in the JWK.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// `claims` as a signed JWT: header `{"alg":"RS256","typ":"JWT","kid":…}`.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).expect("fake slack: sign an id_token")
    }

    /// The public key as a JWK, as Slack lists it at `/openid/connect/keys`.
    pub fn public_jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "kid": self.kid,
            "use": "sig",
            "alg": "RS256",
            "n": self.n,
            "e": self.e,
        })
    }
}
