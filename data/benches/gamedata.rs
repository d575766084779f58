//! Indexing a game install: 200 generated pk3 archives of 10 MB each (2 GB, 250 files per
//! archive), scanned without the index cache (every archive's directory read) and with it
//! (only sizes and modification times looked at).

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use proxviz_data::gamedata::Pk3Index;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

const ARCHIVES: usize = 200;
const FILES_PER_ARCHIVE: usize = 250;
const FILE_BYTES: usize = 40 * 1024;

/// Writes the archives once (stored, like the textures and sounds that fill real pk3s).
fn game_folder() -> PathBuf {
    let dir = std::env::temp_dir().join("proxviz-bench-etmain");
    let marker = dir.join(".complete");
    if marker.exists() {
        return dir;
    }
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut rng = StdRng::seed_from_u64(11);
    let mut bytes = vec![0u8; FILE_BYTES];
    for a in 0..ARCHIVES {
        let file = std::fs::File::create(dir.join(format!("pak_{a:03}.pk3"))).expect("create");
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for f in 0..FILES_PER_ARCHIVE {
            rng.fill_bytes(&mut bytes);
            zip.start_file(format!("textures/set_{a}/tex_{f}.tga"), options).expect("entry");
            zip.write_all(&bytes).expect("write");
        }
        zip.finish().expect("finish");
    }
    std::fs::write(&marker, b"").expect("marker");
    dir
}

fn scan(c: &mut Criterion) {
    let folder = game_folder();
    let folders = [folder.clone()];
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let cache = cache_dir.path().join("pk3-index.json");
    let mut group = c.benchmark_group("pk3 index, 200 archives, 2 GB");
    group.sample_size(10);
    group.bench_function("without the cache", |b| {
        b.iter(|| black_box(Pk3Index::scan_cached(&folders, None)));
    });
    let _ = Pk3Index::scan_cached(&folders, Some(&cache));
    group.bench_function("with the cache", |b| {
        b.iter(|| black_box(Pk3Index::scan_cached(&folders, Some(Path::new(&cache)))));
    });
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
