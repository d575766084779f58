//! Helpers of the store's tests: a fresh database on the throwaway server, the demo rounds,
//! importing them, counting rows.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use proxviz_data::{Round, RoundFiles, discover_rounds};
use proxviz_store::test_server::TestServer;
use proxviz_store::{ImportOptions, Store};

/// A path relative to the store crate.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A store on a fresh, migrated database.
pub async fn store() -> Store {
    let url = TestServer::get().fresh_database("store").await.expect("creates a database");
    Store::connect(&url).await.expect("connects and migrates")
}

/// The demo rounds' files.
pub fn demo() -> Vec<RoundFiles> {
    discover_rounds(&repo("../../assets/demo")).expect("demo rounds")
}

/// Imports `rounds`; their ids and parsed rounds.
pub async fn import_all(store: &Store, rounds: &[RoundFiles]) -> Vec<(i64, Round)> {
    let mut out = Vec::new();
    for files in rounds {
        let (round, source) = proxviz_store::read_for_import(files);
        let report = store.import(&round, &source, &ImportOptions::default()).await.expect("imports");
        out.push((report.outcome.id(), Round::clone(&round)));
    }
    out
}

/// The one number `sql` selects.
pub async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(store.pool()).await.expect("counts")
}
