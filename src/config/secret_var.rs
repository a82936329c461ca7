//! A key that names the environment variable holding a secret (`api_key_env`,
//! `github_token_env`, `token_env`, …): the name must be one, the variable set and not
//! blank, and long enough where guessing matters. The secret itself never appears in a
//! problem; the caller adds the file and the key.

use secrecy::SecretString;

/// What the variable a key names should hold, for the problems that say so.
pub(super) struct SecretVar<'a> {
    /// A variable name to suggest when the key holds something else.
    pub like: &'a str,
    /// What to set the variable to, after "set it to ".
    pub set_to: &'a str,
    /// The fewest characters, and what is too short (`token`), for a secret that
    /// must resist guessing.
    pub at_least: Option<(usize, &'a str)>,
}

impl SecretVar<'_> {
    /// The secret in the variable `name` (both trimmed). The problem follows the key
    /// naming the variable and names the variable, never the value.
    pub(super) fn read(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
        name: &str,
    ) -> Result<SecretString, String> {
        let name = name.trim();
        if name.is_empty() || name.contains(['=', '\0']) || name.chars().any(char::is_whitespace) {
            return Err(format!(
                "must name an environment variable like {}, got `{name}`",
                self.like
            ));
        }
        let value = env(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("names {name}, which is not set: set it to {}", self.set_to))?;
        match self.at_least {
            Some((min, what)) if value.chars().count() < min => Err(format!(
                "names {name}, whose {what} is too short: use at least {min} characters \
                 (for example `openssl rand -hex 32`)"
            )),
            _ => Ok(SecretString::from(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SecretVar;
    use crate::config::test_env::env_of;
    use secrecy::ExposeSecret;

    const TOKEN: SecretVar<'static> = SecretVar {
        like: "SOME_TOKEN",
        set_to: "the token",
        at_least: Some((8, "token")),
    };

    #[test]
    fn the_secret_is_read_trimmed_from_the_named_variable() {
        let env = env_of(&[("SOME_TOKEN", "  0123456789  ")]);
        let secret = TOKEN.read(&env, " SOME_TOKEN ").unwrap();
        assert_eq!(secret.expose_secret(), "0123456789");
    }

    #[test]
    fn each_bad_name_or_value_gets_its_own_problem_and_never_the_value() {
        let env = env_of(&[("SHORT", "abc1"), ("BLANK", "   ")]);
        for (name, says) in [
            (
                "",
                "must name an environment variable like SOME_TOKEN, got ``",
            ),
            (
                "A=b",
                "must name an environment variable like SOME_TOKEN, got `A=b`",
            ),
            ("TWO WORDS", "got `TWO WORDS`"),
            (
                "UNSET",
                "names UNSET, which is not set: set it to the token",
            ),
            (
                "BLANK",
                "names BLANK, which is not set: set it to the token",
            ),
            (
                "SHORT",
                "names SHORT, whose token is too short: use at least 8 characters",
            ),
        ] {
            let problem = TOKEN.read(&env, name).unwrap_err();
            assert!(problem.contains(says), "{name}: {problem}");
            assert!(!problem.contains("abc1"), "{name}: {problem}");
        }
    }

    #[test]
    fn without_a_minimum_any_value_that_is_not_blank_will_do() {
        let var = SecretVar {
            at_least: None,
            ..TOKEN
        };
        let secret = var.read(&env_of(&[("K", "x")]), "K").unwrap();
        assert_eq!(secret.expose_secret(), "x");
    }
}
