//! Postmortem draft rendering for 1k / 10k / 100k timeline entries (with key events,
//! impact statements, action items, pages and the blameless review): time
//! (criterion) and peak heap memory (a counting allocator), written to
//! `bench/results/postmortem-memory.json`.
//!
//! `cargo bench -p warroom-bench --bench postmortem`

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use warroom::domain::{
    ActionItem, ActionStatus, ImpactCategory, ImpactStatement, Incident, Person, Severity, Status,
    SystemEvent, TimelineEntry,
};
use warroom::postmortem::{Draft, Facts, PageFact, render_blocks, render_markdown};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// Counts live heap bytes and the high-water mark since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const WORDS: [&str; 16] = [
    "checkout", "latency", "rolling", "back", "db", "primary", "failover", "error", "rate",
    "dropping", "cache", "paging", "deploy", "v42", "healthy", "again",
];

fn declared_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 9, 22, 15, 0).unwrap()
}

fn incident() -> Incident {
    let at = declared_at();
    Incident {
        id: 7,
        title: "Checkout errors after deploy".into(),
        severity: Severity::SEV2,
        status: Status::Closed,
        service: Some("checkout".into()),
        // None: the draft composes the summary from the record.
        summary: None,
        lead: Some("U00000001".into()),
        comms: None,
        scribe: None,
        declared_by: "U00000001".into(),
        declared_at: at,
        identified_at: Some(at + Duration::minutes(20)),
        mitigated_at: None,
        resolved_at: Some(at + Duration::hours(3)),
        closed_at: Some(at + Duration::hours(4)),
        resolution: Some("Rolled back deploy v42.".into()),
        channel_id: Some("C0WARROOM1".into()),
        channel_name: Some("inc-20250309-checkout-errors".into()),
        drill: false,
    }
}

/// `n` entries over three hours (crossing midnight): messages of 4–30 words, every
/// 7th a thread reply, every 11th edited, every 100th marked a key event, every 50th
/// a system event (a note or, every 500th, a status change), 40 authors.
fn entries(n: usize) -> Vec<TimelineEntry> {
    let start = declared_at();
    let step_us = (3 * 3600 * 1_000_000i64) / n as i64;
    (0..n)
        .map(|i| {
            let at = start + Duration::microseconds(step_us * i as i64);
            let author = format!("U{:08}", i % 40);
            if i % 500 == 0 {
                let text = format!("Status changed from investigating to identified: step {i}");
                return TimelineEntry::system(7, at, "status", Some(&author), text);
            }
            if i % 50 == 0 {
                let event = SystemEvent::Note(format!("checkpoint {i}"));
                return TimelineEntry::system(7, at, event.kind(), Some(&author), event.describe());
            }
            let words = 4 + (i * 7919) % 27;
            let text: Vec<&str> = (0..words)
                .map(|w| WORDS[(i + w * 31) % WORDS.len()])
                .collect();
            let ts = format!("{}.{:06}", at.timestamp(), at.timestamp_subsec_micros());
            let mut e = TimelineEntry::message(7, at, Some(author), text.join(" "), ts);
            if i % 7 == 3 {
                e.thread_ts = Some(format!("{}.000000", start.timestamp()));
            }
            if i % 11 == 5 {
                e.previous_text = Some("typo".into());
                e.edited_at = Some(at + Duration::seconds(30));
            }
            e.marked_key = i % 100 == 1;
            e
        })
        .collect()
}

fn people() -> HashMap<String, Person> {
    (0..40)
        .map(|i| {
            let id = format!("U{i:08}");
            let person = Person {
                user_id: id.clone(),
                name: format!("Responder {i}"),
                title: Some(["SRE", "DBA", "Payments", "Web"][i % 4].into()),
                kind: warroom::domain::PersonKind::Human,
            };
            (id, person)
        })
        .collect()
}

/// What the team captured besides messages: six impact statements, twenty action
/// items and three pages.
struct Captured {
    impacts: Vec<ImpactStatement>,
    actions: Vec<ActionItem>,
    pages: Vec<PageFact>,
}

fn captured() -> Captured {
    let at = declared_at();
    let categories = [
        Some(ImpactCategory::Business),
        Some(ImpactCategory::Customers),
        Some(ImpactCategory::Systems),
        None,
    ];
    Captured {
        impacts: (1..=6)
            .map(|seq| ImpactStatement {
                incident_id: 7,
                seq,
                category: categories[seq as usize % 4],
                text: format!("impact statement {seq}: checkout errors for a share of users"),
                author_id: "U00000001".into(),
                added_at: at + Duration::minutes(seq),
                removed_at: None,
            })
            .collect(),
        actions: (1..=20)
            .map(|seq| ActionItem {
                id: seq,
                incident_id: 7,
                seq,
                text: format!("action {seq}: canary deploys for checkout"),
                owner_id: Some(format!("U{:08}", seq % 40)),
                due: chrono::NaiveDate::from_ymd_opt(2025, 3, 20),
                status: if seq % 3 == 0 {
                    ActionStatus::Done
                } else {
                    ActionStatus::Open
                },
                created_by: "U00000001".into(),
                created_at: at,
                updated_at: at,
                source_ts: None,
                issue_url: Some(format!("https://github.com/acme/shop/issues/{seq}")),
            })
            .collect(),
        pages: (0..3)
            .map(|level| PageFact {
                user_id: format!("U{:08}", level + 1),
                team: Some("SRE".into()),
                level: Some(level),
                paged_at: at + Duration::minutes(5 * level),
                acked_at: Some(at + Duration::minutes(5 * level + 2)),
            })
            .collect(),
    }
}

fn build(
    incident: &Incident,
    entries: &[TimelineEntry],
    people: &HashMap<String, Person>,
    captured: &Captured,
) -> Draft {
    let mut facts = Facts::new(incident, entries, people);
    facts.impacts = &captured.impacts;
    facts.actions = &captured.actions;
    facts.pages = &captured.pages;
    facts.build()
}

fn render_all(
    incident: &Incident,
    entries: &[TimelineEntry],
    people: &HashMap<String, Person>,
    captured: &Captured,
) -> usize {
    let draft = build(incident, entries, people, captured);
    let md = render_markdown(&draft);
    let blocks = render_blocks(&draft);
    md.len() + blocks.len()
}

fn render(c: &mut Criterion) {
    let (incident, people, captured) = (incident(), people(), captured());
    let mut group = c.benchmark_group("postmortem");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(5));
    for n in SIZES {
        let e = entries(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("build", n), &e, |b, e| {
            b.iter(|| build(black_box(&incident), black_box(e), &people, &captured))
        });
        let draft = build(&incident, &e, &people, &captured);
        group.bench_with_input(BenchmarkId::new("render_markdown", n), &draft, |b, d| {
            b.iter(|| render_markdown(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("render_blocks", n), &draft, |b, d| {
            b.iter(|| render_blocks(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("build+markdown+blocks", n), &e, |b, e| {
            b.iter(|| render_all(black_box(&incident), black_box(e), &people, &captured))
        });
    }
    group.finish();
}

/// Peak heap above the input for one build + render of each size, and the time of
/// that single pass; written as JSON beside the other results.
fn memory_report() {
    let (incident, people, captured) = (incident(), people(), captured());
    let mut rows = Vec::new();
    for n in SIZES {
        let e = entries(n);
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let t = std::time::Instant::now();
        let out = render_all(&incident, &e, &people, &captured);
        let secs = t.elapsed().as_secs_f64();
        let peak = PEAK.load(Ordering::Relaxed) - base;
        black_box(out);
        println!(
            "postmortem memory: {n:>7} entries: peak {:>8.2} MiB above input ({:.0} B/entry), one pass {:.3}s",
            peak as f64 / 1048576.0,
            peak as f64 / n as f64,
            secs
        );
        rows.push(serde_json::json!({
            "entries": n, "peak_heap_bytes": peak, "bytes_per_entry": peak as f64 / n as f64,
            "single_pass_secs": secs,
        }));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let _ = std::fs::create_dir_all(&dir);
    let doc = serde_json::json!({ "scenario": "postmortem-memory", "started_at": Utc::now().to_rfc3339(), "result": rows });
    let path = dir.join("postmortem-memory.json");
    if std::fs::write(
        &path,
        serde_json::to_string_pretty(&doc).unwrap_or_default(),
    )
    .is_ok()
    {
        println!("wrote {}", path.display());
    }
}

criterion_group!(benches, render);

fn main() {
    // Only when actually benchmarking (`cargo bench`), not under `cargo test --benches`.
    if std::env::args().any(|a| a == "--bench") {
        memory_report();
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
