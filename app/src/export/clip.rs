//! Clips: the offscreen renderer's frames of a time range written as an animated GIF or an MP4.
//!
//! GIF is our own writer over the `gif` crate: one palette for the whole clip (NeuQuant over
//! the first frame and the colours the overlay uses), and after the first frame only the
//! rectangle that changed, with unchanged pixels transparent. A replay is a still map with a few
//! moving players, so a minute at 720 px stays a few megabytes.
//!
//! MP4 is H.264 from `ffmpeg`, run as a separate program when it is on the PATH (or named by
//! `PROXVIZ_FFMPEG`): the encoder every player already has, kept up by its project, with no C
//! library built into proxviz (an H.264 crate would compile OpenH264 from C, and still need an
//! MP4 muxer).
//!
//! Frames reach the encoder's thread in any order and are written in order; the renderer keeps
//! only a few frames in flight ([`ClipEncoder::in_flight`]), so memory does not grow with the
//! clip's length.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;

use anyhow::{Context as _, bail};

use crate::scene::picture::MAX_CLIP_FRAMES;

/// Discord's upload limit for most users: a clip over it gets a note.
pub const SHARE_LIMIT_BYTES: u64 = 8 * 1024 * 1024;

/// The palette index that means "as in the previous frame".
const TRANSPARENT: u8 = 255;

/// Colours the overlay draws with (text, backings, team colours), always in the palette so
/// that a kill feed line that appears later keeps its colours.
const OVERLAY_RGB: [[u8; 3]; 10] = [
    [255, 255, 255],
    [204, 204, 204],
    [140, 140, 140],
    [13, 13, 15],
    [23, 25, 28],
    [219, 51, 46],
    [51, 115, 242],
    [166, 166, 166],
    [255, 215, 0],
    [120, 200, 120],
];

/// What a clip file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipFormat {
    /// Animated GIF.
    Gif,
    /// H.264 in MP4, through ffmpeg.
    Mp4,
}

impl ClipFormat {
    /// The format a file name asks for (`.gif`, `.mp4`).
    pub fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "gif" => Some(Self::Gif),
            "mp4" => Some(Self::Mp4),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Gif => "gif",
            Self::Mp4 => "mp4",
        }
    }
}

/// The ffmpeg program: `PROXVIZ_FFMPEG`, else `ffmpeg` on the PATH.
fn ffmpeg_program() -> PathBuf {
    std::env::var_os("PROXVIZ_FFMPEG").map_or_else(|| PathBuf::from("ffmpeg"), PathBuf::from)
}

/// Whether MP4 can be written here; the reason when not.
pub fn mp4_available() -> Result<(), String> {
    let program = ffmpeg_program();
    match Command::new(&program).arg("-version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{} -version failed ({s})", program.display())),
        Err(e) => Err(format!(
            "MP4 clips are encoded by ffmpeg, which was not found ({}: {e}); install ffmpeg or set \
             PROXVIZ_FFMPEG, or write a .gif",
            program.display()
        )),
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipInfo {
    /// The file.
    pub path: PathBuf,
    /// Frames in it.
    pub frames: usize,
    /// Its size.
    pub bytes: u64,
}

/// An encoder running on its own thread.
pub struct ClipEncoder {
    frames: Option<Sender<(usize, Vec<u8>)>>,
    thread: Option<JoinHandle<anyhow::Result<ClipInfo>>>,
    written: Arc<AtomicUsize>,
    sent: usize,
}

impl ClipEncoder {
    /// Starts writing a clip of `delays_cs.len()` frames of `width × height` RGBA pixels to
    /// `path` (through `path.partial`, renamed when complete).
    pub fn start(path: &Path, width: u32, height: u32, fps: u32, delays_cs: Vec<u16>) -> anyhow::Result<Self> {
        let format = ClipFormat::of(path).with_context(|| format!("{}: a clip is a .gif or a .mp4", path.display()))?;
        if width == 0 || height == 0 || width > u32::from(u16::MAX) || height > u32::from(u16::MAX) {
            bail!("{}: a clip cannot be {width}×{height} pixels", path.display());
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create the folder", dir.display()))?;
        }
        let partial = partial_path(path);
        let sink: Box<dyn FrameSink> = match format {
            ClipFormat::Gif => {
                let file =
                    std::fs::File::create(&partial).with_context(|| format!("{}: cannot write", partial.display()))?;
                Box::new(GifClip::new(BufWriter::new(file), width, height, delays_cs.clone()))
            }
            ClipFormat::Mp4 => {
                mp4_available().map_err(anyhow::Error::msg)?;
                Box::new(Mp4Clip::start(&partial, width, height, fps)?)
            }
        };
        let (tx, rx) = channel();
        let written = Arc::new(AtomicUsize::new(0));
        let total = delays_cs.len();
        let (count, target, part) = (written.clone(), path.to_path_buf(), partial.clone());
        let thread = std::thread::Builder::new()
            .name("clip encoder".into())
            .spawn(move || {
                let result = encode(rx, sink, total, &count);
                finish_file(result, &part, &target)
            })
            .context("cannot start the clip encoder")?;
        Ok(Self { frames: Some(tx), thread: Some(thread), written, sent: 0 })
    }

    /// Hands frame `index` (0-based) to the encoder.
    pub fn sender(&self) -> Option<Sender<(usize, Vec<u8>)>> {
        self.frames.clone()
    }

    /// Counts a frame asked for (its pixels come through a [`ClipEncoder::sender`]).
    pub fn asked(&mut self) {
        self.sent += 1;
    }

    /// Frames asked for and not yet written.
    pub fn in_flight(&self) -> usize {
        self.sent.saturating_sub(self.written.load(Ordering::Acquire))
    }

    /// Whether the encoder has ended: every frame written, or failed (its error comes from
    /// [`ClipEncoder::finish`]).
    pub fn stopped(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Frames written so far.
    pub fn written(&self) -> usize {
        self.written.load(Ordering::Acquire)
    }

    /// Waits for the last frame and closes the file.
    pub fn finish(mut self) -> anyhow::Result<ClipInfo> {
        self.frames = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => bail!("the clip encoder crashed"),
            None => bail!("the clip encoder was already finished"),
        }
    }
}

impl Drop for ClipEncoder {
    fn drop(&mut self) {
        self.frames = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Renames the finished file into place, or removes what was written.
fn finish_file(result: anyhow::Result<usize>, partial: &Path, path: &Path) -> anyhow::Result<ClipInfo> {
    match result {
        Ok(frames) => {
            std::fs::rename(partial, path).with_context(|| format!("{}: cannot write", path.display()))?;
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            Ok(ClipInfo { path: path.to_path_buf(), frames, bytes })
        }
        Err(e) => {
            let _ = std::fs::remove_file(partial);
            Err(e.context(format!("{}: the clip was not written", path.display())))
        }
    }
}

/// Longest wait for the next frame: a frame the renderer lost ends the clip with an error
/// instead of waiting for ever.
const FRAME_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Writes frames in order as they come; fails when the channel closes before `total` came.
fn encode(
    rx: Receiver<(usize, Vec<u8>)>,
    mut sink: Box<dyn FrameSink>,
    total: usize,
    written: &AtomicUsize,
) -> anyhow::Result<usize> {
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    while next < total {
        let (i, rgba) = match rx.recv_timeout(FRAME_WAIT) {
            Ok(frame) => frame,
            Err(RecvTimeoutError::Timeout) => {
                bail!("frame {next} of {total} did not come back from the renderer in {} s", FRAME_WAIT.as_secs())
            }
            Err(RecvTimeoutError::Disconnected) => bail!("the renderer stopped after {next} of {total} frames"),
        };
        waiting.insert(i, rgba);
        while let Some(rgba) = waiting.remove(&next) {
            sink.frame(next, &rgba)?;
            next += 1;
            written.store(next, Ordering::Release);
        }
    }
    sink.finish()?;
    Ok(next)
}

trait FrameSink: Send {
    fn frame(&mut self, index: usize, rgba: &[u8]) -> anyhow::Result<()>;
    fn finish(self: Box<Self>) -> anyhow::Result<()>;
}

/// A GIF read back as a player shows it: each frame composed over the ones before.
#[derive(Debug)]
pub struct GifPlayback {
    /// Width and height.
    pub size: (usize, usize),
    /// Each frame's pixels, RGB, row by row.
    pub frames: Vec<Vec<[u8; 3]>>,
    /// Each frame's delay in hundredths of a second.
    pub delays: Vec<u16>,
}

/// Plays a GIF back (checks of what was written; at most [`MAX_CLIP_FRAMES`] frames).
pub fn play_gif(bytes: &[u8]) -> anyhow::Result<GifPlayback> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = options.read_info(bytes)?;
    let palette = decoder.global_palette().context("no global palette")?.to_vec();
    let (w, h) = (usize::from(decoder.width()), usize::from(decoder.height()));
    let mut canvas = vec![0u8; w * h];
    let (mut frames, mut delays) = (Vec::new(), Vec::new());
    while let Some(f) = decoder.read_next_frame()? {
        if frames.len() == MAX_CLIP_FRAMES {
            bail!("more than {MAX_CLIP_FRAMES} frames");
        }
        let (left, top, fw) = (usize::from(f.left), usize::from(f.top), usize::from(f.width));
        for (i, &v) in f.buffer.iter().enumerate() {
            let (x, y) = (left + i % fw.max(1), top + i / fw.max(1));
            if Some(v) != f.transparent && x < w && y < h {
                canvas[y * w + x] = v;
            }
        }
        let rgb = |&i: &u8| {
            let i = usize::from(i) * 3;
            palette.get(i..i + 3).map_or([0; 3], |c| [c[0], c[1], c[2]])
        };
        frames.push(canvas.iter().map(rgb).collect());
        delays.push(f.delay);
    }
    Ok(GifPlayback { size: (w, h), frames, delays })
}

/// The animated GIF writer.
pub struct GifClip<W: Write> {
    out: Option<W>,
    encoder: Option<gif::Encoder<W>>,
    width: u16,
    height: u16,
    delays: Vec<u16>,
    palette: Option<Palette>,
    previous: Vec<u8>,
}

impl<W: Write + Send> GifClip<W> {
    /// A GIF of `width × height` frames shown for `delays` hundredths of a second each.
    pub fn new(out: W, width: u32, height: u32, delays: Vec<u16>) -> Self {
        Self {
            out: Some(out),
            encoder: None,
            width: width.min(u32::from(u16::MAX)) as u16,
            height: height.min(u32::from(u16::MAX)) as u16,
            delays,
            palette: None,
            previous: Vec::new(),
        }
    }

    /// Adds frame `index` (RGBA, `width × height`).
    pub fn add(&mut self, index: usize, rgba: &[u8]) -> anyhow::Result<()> {
        let (w, h) = (usize::from(self.width), usize::from(self.height));
        if rgba.len() != w * h * 4 {
            bail!("frame {index} has {} bytes, not {w}×{h} RGBA", rgba.len());
        }
        let delay = self.delays.get(index).copied().unwrap_or(10);
        let palette = self.palette.get_or_insert_with(|| Palette::train(rgba));
        let indexed = palette.index(rgba);
        if self.encoder.is_none() {
            let out = self.out.take().context("the GIF was already started")?;
            let mut encoder = gif::Encoder::new(out, self.width, self.height, &palette.rgb)?;
            encoder.set_repeat(gif::Repeat::Infinite)?;
            self.encoder = Some(encoder);
        }
        let encoder = self.encoder.as_mut().context("no GIF encoder")?;
        let mut frame = if self.previous.is_empty() {
            gif::Frame {
                width: self.width,
                height: self.height,
                buffer: indexed.as_slice().into(),
                ..Default::default()
            }
        } else {
            changed_part(&self.previous, &indexed, w, h)
        };
        frame.delay = delay;
        frame.dispose = gif::DisposalMethod::Keep;
        encoder.write_frame(&frame)?;
        self.previous = indexed;
        Ok(())
    }

    /// Ends the GIF and hands the writer back.
    pub fn end(mut self) -> anyhow::Result<W> {
        match self.encoder.take() {
            Some(e) => Ok(e.into_inner()?),
            None => bail!("a clip needs at least one frame"),
        }
    }
}

impl<W: Write + Send> FrameSink for GifClip<W> {
    fn frame(&mut self, index: usize, rgba: &[u8]) -> anyhow::Result<()> {
        self.add(index, rgba)
    }

    fn finish(self: Box<Self>) -> anyhow::Result<()> {
        let mut out = self.end()?;
        out.flush()?;
        Ok(())
    }
}

/// The rectangle of `next` that differs from `previous`, unchanged pixels transparent; a 1×1
/// transparent frame when nothing changed (the previous picture stays for the frame's time).
fn changed_part(previous: &[u8], next: &[u8], w: usize, h: usize) -> gif::Frame<'static> {
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        let (a, b) = (&previous[y * w..(y + 1) * w], &next[y * w..(y + 1) * w]);
        if a == b {
            continue;
        }
        let first = a.iter().zip(b).position(|(p, q)| p != q).unwrap_or(0);
        let last = w - 1 - a.iter().rev().zip(b.iter().rev()).position(|(p, q)| p != q).unwrap_or(0);
        (x0, x1, y0, y1) = (x0.min(first), x1.max(last), y0.min(y), y);
    }
    if x0 > x1 {
        return gif::Frame {
            width: 1,
            height: 1,
            buffer: vec![TRANSPARENT].into(),
            transparent: Some(TRANSPARENT),
            ..Default::default()
        };
    }
    let (cw, ch) = (x1 - x0 + 1, y1 - y0 + 1);
    let mut buffer = Vec::with_capacity(cw * ch);
    for y in y0..=y1 {
        let row = y * w;
        buffer.extend(
            previous[row + x0..=row + x1]
                .iter()
                .zip(&next[row + x0..=row + x1])
                .map(|(&p, &q)| if p == q { TRANSPARENT } else { q }),
        );
    }
    gif::Frame {
        left: x0 as u16,
        top: y0 as u16,
        width: cw as u16,
        height: ch as u16,
        buffer: buffer.into(),
        transparent: Some(TRANSPARENT),
        ..Default::default()
    }
}

/// 255 colours for the whole clip (index 255 is "unchanged"): 245 learnt from the first frame
/// by NeuQuant and the overlay's own colours exactly, so text and team colours that appear
/// later stay true; a cache from 6-bit RGB to the nearest of them.
struct Palette {
    rgb: Vec<u8>,
    cache: Vec<u8>,
    known: Vec<bool>,
}

impl Palette {
    fn train(first: &[u8]) -> Self {
        let learnt = 255 - OVERLAY_RGB.len();
        // Every pixel of a small frame, every tenth of a big one.
        let sample = if first.len() / 4 < 200_000 { 1 } else { 10 };
        let quant = color_quant::NeuQuant::new(sample, learnt, first);
        let mut rgb = quant.color_map_rgb();
        rgb.truncate(learnt * 3);
        rgb.resize(learnt * 3, 0);
        rgb.extend(OVERLAY_RGB.iter().flatten());
        rgb.resize(256 * 3, 0);
        Self { rgb, cache: vec![0; 1 << 18], known: vec![false; 1 << 18] }
    }

    /// The palette entry nearest to `(r, g, b)` (never the transparent one).
    fn nearest(&self, r: u8, g: u8, b: u8) -> u8 {
        let d = |c: &[u8]| {
            let (dr, dg, db) =
                (i32::from(c[0]) - i32::from(r), i32::from(c[1]) - i32::from(g), i32::from(c[2]) - i32::from(b));
            // Green counts most, blue least, as the eye sees them.
            3 * dr * dr + 4 * dg * dg + 2 * db * db
        };
        self.rgb[..255 * 3].chunks_exact(3).enumerate().min_by_key(|(_, c)| d(c)).map_or(0, |(i, _)| i as u8)
    }

    fn index(&mut self, rgba: &[u8]) -> Vec<u8> {
        rgba.chunks_exact(4)
            .map(|p| {
                let key = (usize::from(p[0] >> 2) << 12) | (usize::from(p[1] >> 2) << 6) | usize::from(p[2] >> 2);
                if !self.known[key] {
                    // The middle of the 6-bit cell: the same answer for all its colours.
                    let mid = |v: u8| (v & !3) | 2;
                    self.cache[key] = self.nearest(mid(p[0]), mid(p[1]), mid(p[2]));
                    self.known[key] = true;
                }
                self.cache[key]
            })
            .collect()
    }
}

/// An MP4 written by ffmpeg from raw frames on its standard input.
struct Mp4Clip {
    /// Bytes of one RGBA frame.
    frame_bytes: usize,
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: Option<JoinHandle<String>>,
}

impl Mp4Clip {
    fn start(path: &Path, width: u32, height: u32, fps: u32) -> anyhow::Result<Self> {
        let program = ffmpeg_program();
        let mut child = Command::new(&program)
            .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgba", "-s"])
            .arg(format!("{width}x{height}"))
            .arg("-r")
            .arg(fps.to_string())
            .args(["-i", "-", "-an", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264"])
            .args(["-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart"])
            .args(["-f", "mp4"])
            .arg(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot run {}", program.display()))?;
        let stdin = child.stdin.take();
        let stderr = child.stderr.take().map(|mut e| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = std::io::Read::read_to_string(&mut e, &mut text);
                text
            })
        });
        Ok(Self { frame_bytes: width as usize * height as usize * 4, child, stdin, stderr })
    }

    fn errors(&mut self) -> String {
        self.stderr.take().and_then(|t| t.join().ok()).unwrap_or_default().trim().to_owned()
    }
}

impl FrameSink for Mp4Clip {
    fn frame(&mut self, index: usize, rgba: &[u8]) -> anyhow::Result<()> {
        // A short frame would shift every later one in ffmpeg's raw input.
        if rgba.len() != self.frame_bytes {
            bail!("frame {index} has {} bytes, not {}", rgba.len(), self.frame_bytes);
        }
        let stdin = self.stdin.as_mut().context("ffmpeg's input is closed")?;
        if let Err(e) = stdin.write_all(rgba) {
            self.stdin = None;
            let _ = self.child.wait();
            bail!("ffmpeg stopped ({e}): {}", self.errors());
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        self.stdin = None;
        let status = self.child.wait().context("ffmpeg")?;
        if !status.success() {
            bail!("ffmpeg failed ({status}): {}", self.errors());
        }
        Ok(())
    }
}

impl Drop for Mp4Clip {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests;
