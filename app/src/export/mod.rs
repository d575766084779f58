//! Heatmap export: the map view of a round, with the same layers, colours and filters as the
//! window, rendered offscreen by Bevy at a chosen resolution (no window or display needed), with
//! a title and a legend, written as PNG whose text chunks record how it was made.
//!
//! The window's Export (button, Ctrl+E) runs `proxviz export` with the window's settings, so
//! there is one renderer for both.

pub mod clip;
mod overlay;
pub mod render;

use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub use crate::scene::picture::{ExportSettings, SIZE_RANGE, SIZES, image_size};

/// The PNG text keyword holding the export settings as JSON.
pub const SETTINGS_KEY: &str = "proxviz:settings";

/// Where the image of round `base` goes: `out` itself when it names a `.png` file and there is
/// one round, otherwise `<out>/<base>.png`. A clip (`clip`) is the same with `.gif` or `.mp4`
/// (a folder gets `.gif`s).
pub fn output_path(out: &Path, base: &str, rounds: usize, clip: bool) -> PathBuf {
    let ext = out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let file_ext = match ext.as_deref() {
        Some("png") if !clip => Some("png"),
        Some(e @ ("gif" | "mp4")) if clip => Some(e),
        _ => None,
    };
    match file_ext {
        Some(_) if rounds == 1 => out.to_path_buf(),
        Some(e) => out.join(format!("{base}.{e}")),
        None => out.join(format!("{base}.{}", if clip { "gif" } else { "png" })),
    }
}

/// Text recorded in the PNG besides the settings.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PngText {
    /// Title (UTF-8, iTXt).
    pub title: String,
    /// Filters and layers in words (UTF-8, iTXt).
    pub description: String,
    /// The round's base name (tEXt).
    pub source: String,
}

/// Writes straight-alpha RGBA pixels as PNG with the settings (tEXt, JSON), the software, the
/// source round (tEXt) and the title and description (iTXt).
pub fn write_png(
    path: &Path,
    width: u32,
    height: u32,
    rgba: &[u8],
    settings: &ExportSettings,
    text: &PngText,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    }
    let file = std::fs::File::create(path).with_context(|| format!("{}: cannot write", path.display()))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.add_text_chunk("Software".into(), format!("proxviz {}", env!("CARGO_PKG_VERSION")))?;
    encoder.add_text_chunk("Source".into(), latin1_safe(&text.source))?;
    encoder.add_text_chunk(SETTINGS_KEY.into(), serde_json::to_string(settings)?)?;
    encoder.add_itxt_chunk("Title".into(), text.title.clone())?;
    encoder.add_itxt_chunk("Description".into(), text.description.clone())?;
    let mut writer = encoder.write_header().with_context(|| format!("{}: cannot write", path.display()))?;
    writer.write_image_data(rgba).with_context(|| format!("{}: cannot write", path.display()))?;
    writer.finish().with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

fn latin1_safe(s: &str) -> String {
    s.chars().map(|c| if u32::from(c) < 256 { c } else { '?' }).collect()
}

/// The settings and text an exported PNG records.
pub fn read_png_settings(path: &Path) -> anyhow::Result<(ExportSettings, PngText)> {
    use anyhow::Context as _;
    let file = std::fs::File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let reader = decoder.read_info().with_context(|| format!("{}: not a PNG", path.display()))?;
    let info = reader.info();
    let latin = |k: &str| info.uncompressed_latin1_text.iter().find(|c| c.keyword == k).map(|c| c.text.clone());
    let utf8 = |k: &str| info.utf8_text.iter().find(|c| c.keyword == k).and_then(|c| c.get_text().ok());
    let json = latin(SETTINGS_KEY).with_context(|| format!("{}: no {SETTINGS_KEY} chunk", path.display()))?;
    let settings = serde_json::from_str(&json).with_context(|| format!("{}: unreadable settings", path.display()))?;
    let text = PngText {
        title: utf8("Title").unwrap_or_default(),
        description: utf8("Description").unwrap_or_default(),
        source: latin("Source").unwrap_or_default(),
    };
    Ok((settings, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_round_may_name_its_file_a_folder_gets_one_file_per_round() {
        assert_eq!(output_path(Path::new("out/heat.png"), "r1", 1, false), PathBuf::from("out/heat.png"));
        assert_eq!(output_path(Path::new("out"), "r1", 1, false), PathBuf::from("out/r1.png"));
        assert_eq!(output_path(Path::new("out.png"), "r1", 2, false), PathBuf::from("out.png/r1.png"));
        assert_eq!(output_path(Path::new("fight.GIF"), "r1", 1, true), PathBuf::from("fight.GIF"));
        assert_eq!(output_path(Path::new("fight.mp4"), "r1", 1, true), PathBuf::from("fight.mp4"));
        assert_eq!(output_path(Path::new("clips"), "r1", 2, true), PathBuf::from("clips/r1.gif"));
        assert_eq!(output_path(Path::new("clips.mp4"), "r1", 2, true), PathBuf::from("clips.mp4/r1.mp4"));
    }

    #[test]
    fn the_png_records_its_settings_and_titles() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.png");
        let settings = ExportSettings {
            size: 1024,
            time_ms: Some(61_000),
            view: Some([-100.0, -50.0, 900.0, 450.0]),
            transparent: true,
            ..ExportSettings::default()
        };
        let text = PngText {
            title: "supply · round 1 · Jürgen".into(),
            description: "kills per cell · Axis − Allies".into(),
            source: "2025-12-20-200000-supply-round-1".into(),
        };
        let pixels: Vec<u8> = (0..4 * 3 * 2).map(|i| i as u8 * 10).collect();
        write_png(&path, 3, 2, &pixels, &settings, &text).expect("write");
        let (back, back_text) = read_png_settings(&path).expect("read");
        assert_eq!(back, settings);
        assert_eq!(back_text, text);
        let img = image::open(&path).expect("decode").to_rgba8();
        assert_eq!(img.as_raw(), &pixels);
    }
}
