//! The CI smoke: a few seconds of mixed ingest on SQLite through the real app; passes
//! only when every acknowledged event is stored exactly once (edits applied).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_smoke_loses_and_duplicates_nothing() {
    warroom_bench::install_crypto_provider();
    let (outcome, problems) = warroom_bench::scenario::smoke::run(3.0)
        .await
        .expect("the smoke scenario runs");
    outcome.ingest.print();
    assert!(problems.is_empty(), "smoke failed: {problems:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_loop_run_offers_events_at_the_given_rate_and_loses_none() {
    use warroom_bench::scenario::{env::Backend, ingest};
    warroom_bench::install_crypto_provider();
    let p = ingest::Params {
        backend: Backend::Sqlite,
        incidents: 2,
        connections: 8,
        events: Some(400),
        duration_secs: None,
        mix: warroom_bench::workload::Mix::default(),
        rate: Some(400.0),
        warmup_secs: 0.25,
    };
    let outcome = ingest::run(&p).await.expect("the open-loop run completes");
    let r = &outcome.ingest;
    r.print();
    assert_eq!(r.offered_rate, Some(400.0));
    assert_eq!(r.acked, 400, "statuses: {:?}", r.statuses);
    // Events due in the first quarter second (about 100) are sent but not timed.
    assert!(
        (80..=120).contains(&r.warmup_requests),
        "{} warm-up requests",
        r.warmup_requests
    );
    assert_eq!(r.latency.count, 400 - r.warmup_requests);
    // The last of 400 events at 400/s is due 0.9975 s in: a closed loop would have
    // finished in a small fraction of that.
    assert!(r.elapsed_secs >= 0.99, "finished in {:.3}s", r.elapsed_secs);
    let v = r.verify.as_ref().expect("a read-back");
    assert_eq!((v.lost, v.duplicated), (0, 0));
}
