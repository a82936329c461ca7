//! The random source and the vocabulary of the synthetic history: a seeded
//! generator (same seed, same history), the people, teams and services, and the
//! words war-room messages are made of. Pure.

use chrono::{DateTime, Duration, Utc};

/// SplitMix64: small, fast, and good enough to spread a benchmark's data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5EED_DA5B_0A2D_0000)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `lo..hi` (`lo` when the range is empty).
    pub fn below(&mut self, lo: usize, hi: usize) -> usize {
        if hi <= lo {
            return lo;
        }
        lo + (self.next_u64() % (hi - lo) as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(0, items.len())]
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// A log-normal duration: half of the draws fall under `median_secs`; `sigma`
    /// sets the spread (response times have long right tails).
    pub fn lognormal(&mut self, median_secs: f64, sigma: f64) -> Duration {
        let secs = median_secs * (sigma * self.normal()).exp();
        Duration::milliseconds((secs * 1000.0).clamp(1000.0, 30.0 * 86_400_000.0) as i64)
    }
}

/// The services incidents are declared against, and the team that owns each.
pub const SERVICES: [(&str, &str); 12] = [
    ("checkout-api", "payments"),
    ("payments-gateway", "payments"),
    ("search", "discovery"),
    ("recommendations", "discovery"),
    ("auth", "identity"),
    ("sso", "identity"),
    ("orders-db", "storage"),
    ("object-store", "storage"),
    ("edge-cdn", "network"),
    ("dns", "network"),
    ("notifications", "platform"),
    ("k8s-control-plane", "platform"),
];

pub const TEAMS: [&str; 6] = [
    "payments",
    "discovery",
    "identity",
    "storage",
    "network",
    "platform",
];

const SYMPTOMS: [&str; 12] = [
    "5xx errors above SLO",
    "latency p99 over 2s",
    "timeouts from upstream",
    "elevated error rate",
    "partial outage in eu-west-1",
    "degraded after deploy",
    "certificate expired",
    "disk full on primary",
    "replica lag growing",
    "connection pool exhausted",
    "memory leak, pods OOM-killed",
    "queue backlog not draining",
];

const RESOLUTIONS: [&str; 8] = [
    "Rolled back the deploy",
    "Failed over to the standby and rebuilt the replica",
    "Raised the connection pool limit and restarted the workers",
    "Renewed the certificate and automated its rotation",
    "Freed disk space and added an alert on free space",
    "Scaled out the cluster and shed the batch traffic",
    "Fixed the bad config push and re-ran the pipeline",
    "Upstream provider fixed their incident; retries drained the backlog",
];

const WORDS: [&str; 48] = [
    "seeing",
    "errors",
    "on",
    "the",
    "primary",
    "replica",
    "rolling",
    "back",
    "deploy",
    "graph",
    "looks",
    "better",
    "now",
    "still",
    "spiking",
    "in",
    "eu-west-1",
    "us-east-1",
    "checking",
    "logs",
    "pods",
    "restarting",
    "cpu",
    "memory",
    "queue",
    "backlog",
    "customers",
    "report",
    "timeouts",
    "ack",
    "paging",
    "storage",
    "team",
    "failover",
    "started",
    "done",
    "dashboard",
    "shows",
    "p99",
    "latency",
    "dropping",
    "traffic",
    "shifted",
    "to",
    "standby",
    "cache",
    "hit",
    "rate",
];

/// People: 48 engineers spread over the six teams, eight each.
pub const PEOPLE: usize = 48;

pub fn user(n: usize) -> String {
    format!("U0BENCH{:03}", n % PEOPLE)
}

/// The `k`th member of `team` (its on-call rotation is its members in turn).
pub fn member(team: &str, k: usize) -> String {
    let t = TEAMS.iter().position(|x| *x == team).unwrap_or(0);
    user(t * 8 + k % 8)
}

pub fn title(rng: &mut Rng, service: &str) -> String {
    format!("{service}: {}", rng.pick(&SYMPTOMS))
}

pub fn resolution(rng: &mut Rng) -> String {
    rng.pick(&RESOLUTIONS).to_string()
}

/// A war-room message of 6 to 30 words.
pub fn chatter(rng: &mut Rng) -> String {
    let n = rng.below(6, 31);
    let mut s = String::with_capacity(n * 8);
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        let word: &&str = rng.pick(&WORDS);
        s.push_str(word);
    }
    s
}

/// `at` plus `d`, never later than `cap`.
pub fn capped(at: DateTime<Utc>, d: Duration, cap: DateTime<Utc>) -> DateTime<Utc> {
    (at + d).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_gives_one_sequence_and_another_seed_another() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut r7 = Rng::new(7);
        let mut r8 = Rng::new(8);
        assert_ne!(r7.next_u64(), r8.next_u64());
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!((3..9).contains(&r.below(3, 9)));
        }
        assert_eq!(r.below(5, 5), 5);
    }

    #[test]
    fn half_of_the_lognormal_draws_fall_under_the_median() {
        let mut r = Rng::new(3);
        let under = (0..10_000)
            .filter(|_| r.lognormal(120.0, 0.9) < Duration::seconds(120))
            .count();
        assert!((4_700..5_300).contains(&under), "{under} of 10,000 under");
    }

    #[test]
    fn every_team_member_is_a_valid_slack_user_id() {
        for team in TEAMS {
            for k in 0..8 {
                let u = member(team, k);
                assert!(
                    warroom::domain::is_slack_id(&u, warroom::domain::IdKind::User),
                    "{u}"
                );
            }
        }
        assert_eq!(member("identity", 9), user(2 * 8 + 1));
    }
}
