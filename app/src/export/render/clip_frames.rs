//! A clip's frames: the encoder started with the first frame read back, each frame's overlay
//! redrawn for its time, and the file finished when every frame is in.

use std::path::PathBuf;

use bevy::prelude::*;

use super::{Exporter, OverlaySources, Phase};
use crate::export::clip::{ClipEncoder, ClipFormat, SHARE_LIMIT_BYTES};
use crate::export::overlay::{OverlayItem, Picture};
use crate::scene::compare::Compare;
use crate::scene::library::Library;

/// Frames of a clip read back and not yet encoded, at most: the renderer waits for the
/// encoder beyond this, so memory stays a few frames whatever the clip's length.
pub(super) const CLIP_IN_FLIGHT: usize = 6;

/// The clip being made.
pub(super) struct ClipRun {
    /// Replay time of each frame.
    pub(super) times: Vec<u32>,
    /// The next frame to render.
    pub(super) next: usize,
    /// The overlay is redrawn in this update (a frame was asked for).
    pub(super) redraw: bool,
    /// Set up when the first frame is back (its size is known then).
    pub(super) encoder: Option<ClipEncoder>,
}

/// The first frame of a clip is back: starts its encoder with it.
pub(super) fn start_clip(e: &mut Exporter, library: &Library, image: Image) -> Result<(), String> {
    let name = library.current().map(|en| en.round().name.base.clone()).unwrap_or_default();
    let rgba =
        image.try_into_dynamic().map_err(|err| format!("{name}: could not read the image back: {err:?}"))?.to_rgba8();
    let (Some(clip), Some(run)) = (e.settings.clip, e.clip.as_mut()) else { return Err(format!("{name}: no clip")) };
    let out = &e.outs[e.next];
    let delays = clip.delays_cs(run.times.len());
    let mut encoder = ClipEncoder::start(out, rgba.width(), rgba.height(), clip.fps, delays)
        .map_err(|err| format!("{name}: {err:#}"))?;
    let frames = encoder.sender().ok_or_else(|| format!("{name}: the clip encoder closed"))?;
    encoder.asked();
    frames.send((0, rgba.into_raw())).map_err(|_| format!("{name}: the clip encoder stopped"))?;
    if let Some(p) = &e.progress {
        p.set_length(run.times.len() as u64);
        p.set_position(0);
    }
    run.encoder = Some(encoder);
    Ok(())
}

/// Every frame of the clip was asked for: waits for the encoder and names the file.
pub(super) fn finish_clip(e: &mut Exporter, library: &Library) -> Result<PathBuf, String> {
    let name = library.current().map(|en| en.round().name.base.clone()).unwrap_or_default();
    let encoder = e.clip.as_mut().and_then(|run| run.encoder.take()).ok_or_else(|| format!("{name}: no clip"))?;
    let info = encoder.finish().map_err(|err| format!("{name}: {err:#}"))?;
    if info.bytes > SHARE_LIMIT_BYTES && ClipFormat::of(&info.path) == Some(ClipFormat::Gif) {
        eprintln!(
            "note: {} is {:.1} MB, over the 8 MB most chat uploads allow: a smaller --size, a lower --fps, a \
             higher --speed or a shorter range makes it smaller",
            info.path.display(),
            info.bytes as f64 / 1_048_576.0
        );
    }
    Ok(info.path)
}

/// Redraws a clip frame's overlay (names, clock, kill feed) for the time the clock moved to,
/// after the scene placed the players.
pub(super) fn clip_overlay(
    mut commands: Commands,
    exporter: Res<Exporter>,
    library: Res<Library>,
    mut images: ResMut<Assets<Image>>,
    sources: OverlaySources,
    items: Query<Entity, With<OverlayItem>>,
    compare: Res<Compare>,
) {
    let e = &*exporter;
    if e.phase != Phase::Clip || !e.clip.as_ref().is_some_and(|c| c.redraw) {
        return;
    }
    let Some(entry) = library.current() else { return };
    for entity in &items {
        commands.entity(entity).despawn();
    }
    let picture = Picture { settings: &e.settings, size: e.size, view: e.view };
    sources.spawn(&mut commands, &mut images, &picture, entry, &compare);
}
