//! The index of a game's `*.pk3` archives (plain zips): every inner path, the archive it comes
//! from — later archives override earlier ones, as the game does — and bounded reads.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest entry ever read, uncompressed (a BSP of a big map is ~60 MB): beyond it, or when the
/// archive lies about the size, the read stops with a note (a zip bomb cannot fill memory).
pub const MAX_ENTRY_BYTES: u64 = 256 << 20;

/// One file inside an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pk3Entry {
    /// The archive.
    pub archive: PathBuf,
    /// The name inside it, as written.
    pub name: String,
    /// Its uncompressed size, as the archive says.
    pub size: u64,
    /// Its CRC-32, as the archive says.
    pub crc32: u32,
}

/// What one archive held when it was last indexed, kept in the index cache: its size and
/// modification time say whether it changed since.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct CachedArchive {
    size: u64,
    modified_ns: u128,
    /// (name, size, crc32) of each file, or why the archive could not be read (the note).
    entries: Result<Vec<(String, u64, u32)>, String>,
}

/// The index cache: archives by path.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Cache {
    version: u32,
    archives: BTreeMap<PathBuf, CachedArchive>,
}

const CACHE_VERSION: u32 = 1;

/// The files of an archive: (name, size, crc32), or why it cannot be read.
fn list(pk3: &Path, size: u64) -> Result<Vec<(String, u64, u32)>, String> {
    if size == 0 {
        return Err("empty archive, skipped".to_owned());
    }
    let mut archive = std::fs::File::open(pk3)
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(std::io::BufReader::new(f)).map_err(|e| e.to_string()))
        .map_err(|e| format!("not a readable pk3 (zip) archive ({e}), skipped"))?;
    let mut files = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let Ok(file) = archive.by_index_raw(i) else { continue };
        if file.is_dir() {
            continue;
        }
        // A name that is not text (or unsafe) is no game file proxviz looks for.
        let Ok(name) = file.name() else { continue };
        files.push((name.into_owned(), file.size(), file.crc32()));
    }
    Ok(files)
}

/// Every file of the archives of some folders, by lower-case inner path.
#[derive(Debug, Clone, Default)]
pub struct Pk3Index {
    entries: BTreeMap<String, Pk3Entry>,
    /// The archives indexed, in the order they override each other.
    pub archives: Vec<PathBuf>,
    /// Archives skipped and conflicts seen.
    pub notes: Vec<String>,
}

impl Pk3Index {
    /// Indexes the `*.pk3` files of `folders` (not their sub-folders), folder by folder, each
    /// folder's archives in name order; a later archive overrides an earlier one's files.
    pub fn scan(folders: &[PathBuf]) -> Self {
        Self::scan_cached(folders, None)
    }

    /// [`Pk3Index::scan`], reusing what `cache` (a file) says of archives whose size and
    /// modification time have not changed, and writing it back. A damaged cache is ignored.
    pub fn scan_cached(folders: &[PathBuf], cache: Option<&Path>) -> Self {
        let old: Cache = cache
            .and_then(|c| std::fs::read(c).ok())
            .and_then(|b| serde_json::from_slice::<Cache>(&b).ok())
            .filter(|c| c.version == CACHE_VERSION)
            .unwrap_or_default();
        let mut new = Cache { version: CACHE_VERSION, archives: BTreeMap::new() };
        let mut index = Self::default();
        for folder in folders {
            let Ok(read) = std::fs::read_dir(folder) else {
                index.notes.push(format!("{}: cannot read the folder", folder.display()));
                continue;
            };
            let mut pk3s: Vec<PathBuf> = read
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pk3")) && p.is_file())
                .collect();
            pk3s.sort_by_key(|p| p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()));
            for pk3 in pk3s {
                let Ok(meta) = std::fs::metadata(&pk3) else { continue };
                let modified_ns = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                let listed = match old.archives.get(&pk3) {
                    Some(c) if c.size == meta.len() && c.modified_ns == modified_ns => c.entries.clone(),
                    _ => list(&pk3, meta.len()),
                };
                index.add_listed(&pk3, &listed);
                new.archives.insert(pk3, CachedArchive { size: meta.len(), modified_ns, entries: listed });
            }
        }
        if let Some(cache) = cache
            && new.archives != old.archives
        {
            let written = cache.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| {
                // A file of our own: another proxviz may be writing the cache right now.
                let tmp = cache.with_extension(format!("{}.tmp", std::process::id()));
                std::fs::write(&tmp, serde_json::to_vec(&new).map_err(std::io::Error::other)?)?;
                std::fs::rename(&tmp, cache)
            });
            if let Err(e) = written {
                index.notes.push(format!("{}: cannot write the index cache: {e}", cache.display()));
            }
        }
        index
    }

    /// Adds one archive on top of what is indexed.
    pub fn add(&mut self, pk3: &Path) {
        let size = std::fs::metadata(pk3).map_or(0, |m| m.len());
        self.add_listed(pk3, &list(pk3, size));
    }

    fn add_listed(&mut self, pk3: &Path, listed: &Result<Vec<(String, u64, u32)>, String>) {
        let shown = pk3.display();
        let files = match listed {
            Ok(files) => files,
            Err(e) => {
                self.notes.push(format!("{shown}: {e}"));
                return;
            }
        };
        for (name, size, crc32) in files {
            let entry = Pk3Entry { archive: pk3.to_path_buf(), name: name.clone(), size: *size, crc32: *crc32 };
            let key = entry.name.replace('\\', "/").to_ascii_lowercase();
            if let Some(old) = self.entries.get(&key)
                && key.starts_with("maps/")
                && (old.size, old.crc32) != (entry.size, entry.crc32)
            {
                self.notes.push(format!(
                    "{key}: {} and {} hold different files; using the later, {}",
                    old.archive.display(),
                    shown,
                    shown
                ));
            }
            self.entries.insert(key, entry);
        }
        self.archives.push(pk3.to_path_buf());
    }

    /// The entry of an inner path (any case).
    pub fn get(&self, path: &str) -> Option<&Pk3Entry> {
        self.entries.get(&path.replace('\\', "/").to_ascii_lowercase())
    }

    /// Inner paths starting with `prefix` (lower case), in order.
    pub fn paths_under<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries.range(prefix.to_owned()..).map(|(k, _)| k.as_str()).take_while(move |k| k.starts_with(prefix))
    }

    /// Reads an inner path, at most [`MAX_ENTRY_BYTES`] whatever the archive claims.
    pub fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let entry = self.get(path).ok_or_else(|| format!("{path}: not in the game folders"))?;
        let at = format!("{} in {}", entry.name, entry.archive.display());
        if entry.size > MAX_ENTRY_BYTES {
            return Err(format!("{at}: {} bytes, more than proxviz reads ({MAX_ENTRY_BYTES})", entry.size));
        }
        let file = std::fs::File::open(&entry.archive).map_err(|e| format!("{at}: {e}"))?;
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| format!("{at}: {e}"))?;
        let inner = archive.by_name(&entry.name).map_err(|e| format!("{at}: {e}"))?;
        let mut bytes = Vec::with_capacity(entry.size.min(MAX_ENTRY_BYTES) as usize);
        inner.take(MAX_ENTRY_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("{at}: {e}"))?;
        if bytes.len() as u64 > MAX_ENTRY_BYTES || bytes.len() as u64 != entry.size {
            return Err(format!("{at}: the archive says {} bytes but holds more or less; not read", entry.size));
        }
        Ok(bytes)
    }

    /// The command-map image of `map` (lower case): `levelshots/<map>_cc.tga` or `.jpg`, else
    /// the image a `levelshots/<map>_cc_automap` shader points to, else another `*_cc` image
    /// of the archive holding the map's BSP (with a note saying so).
    pub fn command_map(&self, map: &str) -> Option<(String, Option<String>)> {
        let tga = format!("levelshots/{map}_cc.tga");
        if self.get(&tga).is_some() {
            return Some((tga, None));
        }
        if let Some(path) = self.shader_image(&format!("levelshots/{map}_cc_automap")) {
            return Some((path, None));
        }
        let jpg = format!("levelshots/{map}_cc.jpg");
        if self.get(&jpg).is_some() {
            return Some((jpg, None));
        }
        let bsp = self.get(&format!("maps/{map}.bsp"))?;
        // In an archive of several maps, the image whose name shares the map's stem
        // (`missile_cc` for `missile_b3`), else the only one.
        let candidates: Vec<&String> = self
            .entries
            .iter()
            .filter(|(k, e)| e.archive == bsp.archive && k.starts_with("levelshots/"))
            .map(|(k, _)| k)
            .filter(|k| k.ends_with("_cc.tga") || k.ends_with("_cc.jpg"))
            .collect();
        // The longest `_`-prefix of the map's name with an image of its own (`missile_cc` for
        // `missile_b3`), else the archive's only image.
        let mut prefix = map;
        let named = loop {
            let found = candidates
                .iter()
                .find(|k| [format!("levelshots/{prefix}_cc.tga"), format!("levelshots/{prefix}_cc.jpg")].contains(k));
            if found.is_some() {
                break found;
            }
            match prefix.rsplit_once('_') {
                Some((shorter, _)) => prefix = shorter,
                None => break None,
            }
        };
        let other = named.or_else(|| (candidates.len() == 1).then(|| &candidates[0])).copied()?;
        Some((other.clone(), Some(format!("{map}: no {map}_cc image; using {other} from the same archive"))))
    }

    /// The image a shader named `name` maps (`map` or `clampmap` of its first stage), when that
    /// image is in the index.
    fn shader_image(&self, name: &str) -> Option<String> {
        let scripts: Vec<String> =
            self.paths_under("scripts/").filter(|p| p.ends_with(".shader")).map(str::to_owned).collect();
        for script in scripts {
            let Ok(bytes) = self.read(&script) else { continue };
            let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
            let Some(at) = text.find(name) else { continue };
            let body = &text[at + name.len()..];
            let body = &body[..body.find("\n}").unwrap_or(body.len())];
            for line in body.lines() {
                let mut words = line.split_whitespace();
                if matches!(words.next(), Some("map" | "clampmap"))
                    && let Some(image) = words.next()
                {
                    let image = image.replace('\\', "/");
                    // Shaders name images with or without an extension; the game tries both.
                    let stem = image.rsplit_once('.').map_or(image.as_str(), |(s, _)| s);
                    for candidate in [image.clone(), format!("{stem}.tga"), format!("{stem}.jpg")] {
                        if self.get(&candidate).is_some() {
                            return Some(candidate);
                        }
                    }
                }
            }
        }
        None
    }
}
