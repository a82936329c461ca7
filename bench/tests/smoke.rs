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
