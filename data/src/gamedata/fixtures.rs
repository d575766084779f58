//! Game data made by tests (never real game files): a minimal ET BSP whose entity lump says
//! what the test needs, a TGA of four coloured quadrants, and a pk3 writer.

use std::io::Write;
use std::path::Path;

/// A minimal ET BSP: the header, 17 lump entries, the entity text as lump 0.
pub fn bsp_with_entities(text: &str) -> Vec<u8> {
    let mut bytes = b"IBSP".to_vec();
    bytes.extend(47i32.to_le_bytes());
    let offset: i32 = 8 + 17 * 8;
    bytes.extend(offset.to_le_bytes());
    bytes.extend((text.len() as i32 + 1).to_le_bytes());
    for _ in 1..17 {
        bytes.extend([0u8; 8]);
    }
    bytes.extend(text.as_bytes());
    bytes.push(0);
    bytes
}

/// An uncompressed 32-bit TGA, `w`×`h`, top-left origin, four quadrants of colours.
pub fn quadrant_tga(w: u16, h: u16, quadrants: [[u8; 3]; 4]) -> Vec<u8> {
    let mut bytes = vec![0u8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    bytes.extend(w.to_le_bytes());
    bytes.extend(h.to_le_bytes());
    bytes.extend([32u8, 0x28]); // 32 bits, top-left origin, 8 alpha bits
    for y in 0..h {
        for x in 0..w {
            let q = usize::from(y >= h / 2) * 2 + usize::from(x >= w / 2);
            let [r, g, b] = quadrants[q];
            bytes.extend([b, g, r, 255]);
        }
    }
    bytes
}

/// Writes a pk3 holding `files`.
pub fn write_pk3(path: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(*name, options).map_err(std::io::Error::other)?;
        zip.write_all(bytes)?;
    }
    zip.finish().map_err(std::io::Error::other)?;
    Ok(())
}
