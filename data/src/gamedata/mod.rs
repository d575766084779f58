//! Game data from the user's own ET / ET:Legacy install, read at run time and never shipped:
//! an index of the `*.pk3` archives in the game folders, a map's worldspawn (command-map
//! calibration, floors, spawn points, objectives) from its BSP or `.ent` file, its command-map
//! image found by name, shader redirect or another `*_cc` image of the same archive, and the
//! calibration table of popular custom maps (`assets/map-coords.json`) for maps without a BSP.
//! Every read is bounded: a corrupt archive or a zip bomb gives a note, not a crash.

mod bsp;
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;
mod pk3;

use std::path::{Path, PathBuf};

use glam::Vec2;
use serde::Deserialize;

pub use self::bsp::{Entity, MapInfo, bsp_entities, bsp_models, layer_of, parse_entities};
pub use self::pk3::{MAX_ENTRY_BYTES, Pk3Entry, Pk3Index};

/// Largest command-map image accepted, in pixels per side (the game's are 256–1024).
pub const MAX_IMAGE_PX: u32 = 4096;

/// Where a command-map image sits in the world: the world (x, y) of its top-left corner
/// (`mapcoordsmins`: x_min, y_max) and of its bottom-right corner (`mapcoordsmaxs`: x_max, y_min).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// World position of the image's top-left corner.
    pub top_left: Vec2,
    /// World position of the image's bottom-right corner.
    pub bottom_right: Vec2,
}

impl Calibration {
    /// The world rectangle the image covers, as (south-west, north-east) corners.
    pub fn world_rect(&self) -> (Vec2, Vec2) {
        (self.top_left.min(self.bottom_right), self.top_left.max(self.bottom_right))
    }

    /// Whether it describes an image of some size (not the engine's ±128 default or nonsense).
    pub fn is_usable(&self) -> bool {
        let size = (self.bottom_right - self.top_left).abs();
        size.x.is_finite() && size.y.is_finite() && size.x >= 1.0 && size.y >= 1.0
    }
}

/// A decoded RGBA image, row 0 at the top.
#[derive(Debug, Clone, PartialEq)]
pub struct RgbaImage {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// Row-major RGBA.
    pub rgba: Vec<u8>,
}

/// What was found for one map.
#[derive(Debug, Clone, Default)]
pub struct MapAssets {
    /// The map's name.
    pub map: String,
    /// Worldspawn and entities, when a BSP or `.ent` was found.
    pub info: Option<MapInfo>,
    /// Where the command map sits in the world (BSP, else the table).
    pub calibration: Option<Calibration>,
    /// The command-map image (layer 0), and the inner path it came from.
    pub image: Option<(String, RgbaImage)>,
    /// On maps with floors (`cclayers`), each floor's image (`levelshots/<map>_<i>_cc`) when
    /// there is one.
    pub floor_images: Vec<Option<(String, RgbaImage)>>,
    /// What the user should know (fallbacks taken, files that could not be read).
    pub notes: Vec<String>,
}

/// The calibration table shipped with proxviz (popular custom maps), by map name.
pub fn table_calibration(map: &str) -> Option<Calibration> {
    #[derive(Deserialize)]
    struct Table {
        maps: std::collections::BTreeMap<String, Row>,
    }
    #[derive(Deserialize)]
    struct Row {
        mins: [f32; 2],
        maxs: [f32; 2],
    }
    static TABLE: std::sync::OnceLock<Option<Table>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| serde_json::from_str(include_str!("../../../assets/map-coords.json")).ok());
    let row = table.as_ref()?.maps.get(&map.to_ascii_lowercase())?;
    Some(Calibration { top_left: Vec2::from(row.mins), bottom_right: Vec2::from(row.maxs) })
}

/// Decodes a TGA or JPEG command map (by the name's extension), refusing images larger than
/// [`MAX_IMAGE_PX`] per side.
pub fn decode_image(name: &str, bytes: &[u8]) -> Result<RgbaImage, String> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
        return decode_jpeg(name, bytes);
    }
    let format = image::ImageFormat::Tga;
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_PX);
    limits.max_image_height = Some(MAX_IMAGE_PX);
    limits.max_alloc = Some(u64::from(MAX_IMAGE_PX) * u64::from(MAX_IMAGE_PX) * 4 + (1 << 20));
    reader.limits(limits);
    let img = reader.decode().map_err(|e| format!("{name}: {e}"))?.to_rgba8();
    Ok(RgbaImage { width: img.width(), height: img.height(), rgba: img.into_raw() })
}

/// A JPEG as RGBA.
fn decode_jpeg(name: &str, bytes: &[u8]) -> Result<RgbaImage, String> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGBA)
        .set_max_width(MAX_IMAGE_PX as usize)
        .set_max_height(MAX_IMAGE_PX as usize);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let rgba = decoder.decode().map_err(|e| format!("{name}: {e:?}"))?;
    let (width, height) = decoder.dimensions().ok_or_else(|| format!("{name}: no size"))?;
    if rgba.len() != width * height * 4 {
        return Err(format!("{name}: decoded {} bytes for {width}×{height}", rgba.len()));
    }
    Ok(RgbaImage { width: width as u32, height: height as u32, rgba })
}

impl MapAssets {
    /// Looks up `map` in `index`: its worldspawn, calibration and command-map image.
    pub fn load(index: &Pk3Index, map: &str) -> Self {
        let mut out = Self { map: map.to_owned(), ..Self::default() };
        let map_lc = map.to_ascii_lowercase();
        // The entities: a `.ent` file overrides the BSP's own.
        let ent = format!("maps/{map_lc}.ent");
        let bsp = format!("maps/{map_lc}.bsp");
        // Brush entities (objectives) are placed by their model's bounds in the BSP.
        let bsp_bytes = index.get(&bsp).map(|_| index.read(&bsp));
        let models = match &bsp_bytes {
            Some(Ok(bytes)) => bsp_models(bytes),
            _ => Vec::new(),
        };
        let text = match (index.get(&ent), bsp_bytes) {
            (Some(e), _) if e.size > bsp::MAX_ENTITY_BYTES as u64 => {
                Err(format!("{ent}: {} bytes of entities, more than proxviz reads", e.size))
            }
            (Some(_), _) => index.read(&ent).map(|b| String::from_utf8_lossy(&b).into_owned()),
            (None, Some(bytes)) => bytes.and_then(|b| bsp_entities(&b).map_err(|e| format!("{bsp}: {e}"))),
            (None, None) => Err(String::new()),
        };
        match text {
            Ok(text) => out.info = Some(MapInfo::from_entities(&parse_entities(&text), &models)),
            Err(e) if !e.is_empty() => out.notes.push(e),
            Err(_) => {}
        }
        out.calibration = out.info.as_ref().and_then(|i| i.calibration).filter(Calibration::is_usable);
        if out.calibration.is_none() {
            out.calibration = table_calibration(map);
            if out.calibration.is_some() {
                let why = if out.info.is_some() { "the BSP has none" } else { "no BSP found" };
                out.notes.push(format!("{map}: calibration from proxviz's table ({why})"));
            }
        }
        match index.command_map(&map_lc) {
            Some((path, note)) => {
                out.notes.extend(note);
                match index.read(&path).and_then(|b| decode_image(&path, &b)) {
                    Ok(img) => out.image = Some((path, img)),
                    Err(e) => out.notes.push(e),
                }
            }
            None => {
                out.notes.push(format!("{map}: no command-map image (levelshots/{map_lc}_cc.tga) in the game folders"))
            }
        }
        let floors = out.info.as_ref().map_or(0, |i| i.layer_ceilings.len());
        out.floor_images = (0..floors)
            .map(|i| {
                let path = ["tga", "jpg"]
                    .iter()
                    .map(|ext| format!("levelshots/{map_lc}_{i}_cc.{ext}"))
                    .find(|p| index.get(p).is_some())?;
                match index.read(&path).and_then(|b| decode_image(&path, &b)) {
                    Ok(img) => Some((path, img)),
                    Err(e) => {
                        out.notes.push(e);
                        None
                    }
                }
            })
            .collect();
        out
    }
}

/// The game folders to search, lowest priority first (later archives override earlier ones):
/// the usual ET:Legacy install folders, then the home folders (downloaded maps), each `etmain/`
/// before `legacy/`; the `etmain/` and `legacy/` beside an opened `gamestats/` folder;
/// `PROXVIZ_ETMAIN` (a path list); and last, winning, `extra` (from `--etmain`). Those that
/// exist, each once.
pub fn game_folders(extra: &[PathBuf], opened: Option<&Path>) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).map(PathBuf::from);
    let installs = ["/usr/lib/etlegacy", "/opt/etlegacy", "/usr/local/games/etlegacy", "C:\\Program Files\\ET Legacy"];
    let homes = [".etlegacy", "Documents/ETLegacy"].map(|d| home.as_ref().map(|h| h.join(d)));
    for base in installs.iter().map(|i| Some(PathBuf::from(i))).chain(homes).flatten() {
        roots.push(base.join("etmain"));
        roots.push(base.join("legacy"));
    }
    // A server's gamestats/ sits in the mod folder, beside etmain/ one level up.
    for dir in opened.into_iter().flat_map(|p| p.ancestors().take(4)).collect::<Vec<_>>().into_iter().rev() {
        roots.push(dir.join("etmain"));
        roots.push(dir.join("legacy"));
    }
    if let Some(list) = std::env::var_os("PROXVIZ_ETMAIN") {
        roots.extend(std::env::split_paths(&list));
    }
    roots.extend(extra.iter().cloned());
    let mut seen = Vec::new();
    roots.retain(|p| {
        p.is_dir() && !seen.contains(p) && {
            seen.push(p.clone());
            true
        }
    });
    roots
}

#[cfg(test)]
mod tests;
