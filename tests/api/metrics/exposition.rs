//! A strict reader of the Prometheus text format (0.0.4), written from the format's
//! rules rather than trusting the library that wrote the text: every line is a HELP,
//! a TYPE, a comment or a sample of the family last typed; names and label names are
//! valid; values are numbers; no series twice; counters never negative; histogram
//! buckets cumulative, ending at `+Inf`, which equals `_count`. Anything else is an
//! error naming the line.

use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

#[derive(Debug, Clone)]
pub struct Family {
    pub kind: Kind,
    pub help: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

#[derive(Debug, Clone)]
pub struct Scrape {
    /// By the name its TYPE line gives (a counter's ends in `_total`).
    pub families: BTreeMap<String, Family>,
    pub samples: Vec<Sample>,
}

impl Scrape {
    /// The value of the one series `name{labels}` (exactly these labels), if present.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let want: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.samples
            .iter()
            .find(|s| s.name == name && s.labels == want)
            .map(|s| s.value)
    }

    /// Every series called `name`.
    pub fn series(&self, name: &str) -> Vec<&Sample> {
        self.samples.iter().filter(|s| s.name == name).collect()
    }

    /// The series names a query may use: a histogram `h` offers `h_bucket`, `h_sum`
    /// and `h_count`; every other family its own name.
    pub fn series_names(&self) -> HashSet<String> {
        self.families
            .iter()
            .flat_map(|(name, f)| match f.kind {
                Kind::Histogram => ["_bucket", "_sum", "_count"]
                    .iter()
                    .map(|s| format!("{name}{s}"))
                    .collect::<Vec<_>>(),
                _ => vec![name.clone()],
            })
            .collect()
    }

    /// The family a series name belongs to.
    pub fn family_of(&self, series: &str) -> Option<(&str, &Family)> {
        self.families
            .iter()
            .find(|(name, f)| family_sample_ok(name, f.kind, series))
            .map(|(n, f)| (n.as_str(), f))
    }
}

pub fn parse(text: &str) -> Result<Scrape, String> {
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    let mut helps: BTreeMap<String, String> = BTreeMap::new();
    let mut samples: Vec<Sample> = Vec::new();
    let mut current: Option<String> = None;
    let mut seen_series = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let at = |why: String| format!("line {}: {why}: {line:?}", n + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest
                .split_once(' ')
                .ok_or_else(|| at("HELP without text".into()))?;
            check_name(name).map_err(at)?;
            if helps.insert(name.to_string(), help.to_string()).is_some() {
                return Err(at("second HELP for one name".into()));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest
                .split_once(' ')
                .ok_or_else(|| at("TYPE without a type".into()))?;
            check_name(name).map_err(at)?;
            let kind = match kind {
                "counter" => Kind::Counter,
                "gauge" => Kind::Gauge,
                "histogram" => Kind::Histogram,
                other => return Err(at(format!("unexpected type {other}"))),
            };
            if families.contains_key(name) {
                return Err(at("second TYPE for one name".into()));
            }
            if samples
                .iter()
                .any(|s| family_sample_ok(name, kind, &s.name))
            {
                return Err(at("TYPE after its samples".into()));
            }
            let help = helps.get(name).cloned().unwrap_or_default();
            families.insert(name.to_string(), Family { kind, help });
            current = Some(name.to_string());
            continue;
        }
        if line.starts_with('#') {
            continue; // a comment
        }
        let sample = parse_sample(line).map_err(at)?;
        let family = current
            .as_deref()
            .ok_or_else(|| at("a sample before any TYPE".into()))?;
        let kind = families[family].kind;
        if !family_sample_ok(family, kind, &sample.name) {
            return Err(at(format!("not a sample of the family {family}")));
        }
        let key = format!("{}{:?}", sample.name, sample.labels);
        if !seen_series.insert(key) {
            return Err(at("the same series twice".into()));
        }
        if kind == Kind::Counter && sample.value < 0.0 {
            return Err(at("a negative counter".into()));
        }
        samples.push(sample);
    }
    for (name, f) in &families {
        if f.help.is_empty() {
            return Err(format!("{name} has no HELP"));
        }
        if f.kind == Kind::Histogram {
            check_histogram(name, &samples)?;
        }
    }
    Ok(Scrape { families, samples })
}

fn family_sample_ok(family: &str, kind: Kind, sample: &str) -> bool {
    match kind {
        Kind::Histogram => ["_bucket", "_sum", "_count"]
            .iter()
            .any(|s| sample.strip_suffix(s) == Some(family)),
        _ => sample == family,
    }
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
        Ok(())
    } else {
        Err(format!("invalid metric name {name:?}"))
    }
}

fn check_label_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.starts_with("__") {
        Ok(())
    } else {
        Err(format!("invalid label name {name:?}"))
    }
}

fn parse_value(v: &str) -> Result<f64, String> {
    match v {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => v.parse().map_err(|_| format!("not a number: {v:?}")),
    }
}

/// `name{k="v",…} value [timestamp]`, label values with `\\`, `\"` and `\n` escapes.
fn parse_sample(line: &str) -> Result<Sample, String> {
    let name_end = line
        .find(['{', ' '])
        .ok_or_else(|| "a sample without a value".to_string())?;
    let name = &line[..name_end];
    check_name(name)?;
    let (labels, rest) = match line[name_end..].strip_prefix('{') {
        Some(body) => parse_labels(body)?,
        None => (BTreeMap::new(), &line[name_end..]),
    };
    let mut parts = rest.split_whitespace();
    let value = parse_value(parts.next().ok_or("a sample without a value")?)?;
    if let Some(ts) = parts.next() {
        ts.parse::<i64>()
            .map_err(|_| format!("bad timestamp {ts:?}"))?;
    }
    if parts.next().is_some() {
        return Err("trailing text after the sample".into());
    }
    Ok(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

/// The labels after `{`, up to the closing `}`; returns them and what follows.
fn parse_labels(body: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let mut rest = body;
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let (key, after) = rest.split_once("=\"").ok_or("a label without =\"…\"")?;
        check_label_name(key)?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape {other:?}")),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => return Err("unterminated label value".into()),
            }
        };
        if labels.insert(key.to_string(), value).is_some() {
            return Err(format!("label {key} twice"));
        }
        rest = &after[end + 1..];
        if let Some(next) = rest.strip_prefix(',') {
            rest = next;
        } else if !rest.starts_with('}') {
            return Err("labels not separated by commas".into());
        }
    }
}

/// Each label set's buckets rise with `le`, end at `+Inf`, and `+Inf` equals `_count`.
fn check_histogram(name: &str, samples: &[Sample]) -> Result<(), String> {
    let mut sets: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for s in samples
        .iter()
        .filter(|s| s.name == format!("{name}_bucket"))
    {
        let le = s
            .labels
            .get("le")
            .ok_or_else(|| format!("{name}_bucket without le"))?;
        let mut rest = s.labels.clone();
        rest.remove("le");
        sets.entry(format!("{rest:?}"))
            .or_default()
            .push((parse_value(le)?, s.value));
    }
    for (labels, buckets) in sets {
        let rising = buckets
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1);
        if !rising {
            return Err(format!(
                "{name}{labels}: buckets are not cumulative: {buckets:?}"
            ));
        }
        let (le, inf) = *buckets.last().expect("at least one bucket");
        if le != f64::INFINITY {
            return Err(format!("{name}{labels}: no +Inf bucket"));
        }
        let count = samples
            .iter()
            .find(|s| {
                let mut l = s.labels.clone();
                l.remove("le");
                s.name == format!("{name}_count") && format!("{l:?}") == labels
            })
            .map(|s| s.value);
        if count != Some(inf) {
            return Err(format!(
                "{name}{labels}: _count {count:?} is not the +Inf bucket {inf}"
            ));
        }
    }
    Ok(())
}

#[test]
fn the_reader_refuses_what_the_format_forbids() {
    let good = "# HELP a_total A.\n# TYPE a_total counter\na_total{k=\"v\\\"x\"} 1\n";
    let scrape = parse(good).unwrap();
    assert_eq!(scrape.value("a_total", &[("k", "v\"x")]), Some(1.0));
    for bad in [
        "a_total 1\n",                                                       // no TYPE
        "# HELP a_total A.\n# TYPE a_total counter\na_total -1\n",           // negative counter
        "# HELP a_total A.\n# TYPE a_total counter\nb 1\n",                  // another family
        "# HELP a_total A.\n# TYPE a_total counter\na_total{k=v} 1\n",       // unquoted
        "# HELP a_total A.\n# TYPE a_total counter\na_total 1\na_total 2\n", // twice
        "# HELP a_total A.\n# TYPE a_total counter\na_total one\n",          // not a number
        "# TYPE a_total counter\na_total 1\n",                               // no HELP
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n",
    ] {
        assert!(parse(bad).is_err(), "accepted: {bad}");
    }
}
