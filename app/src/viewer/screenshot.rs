//! Start-up options for scripted runs: seek to a time, and save a screenshot of the window (with
//! a JSON list of where each player marker was drawn, in pixels) once the round is on screen,
//! then quit. The end-to-end test and the README's screenshot use it.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::Screenshot;
use bevy::window::PrimaryWindow;

use super::idle::KeepAwake;
use crate::scene::Frame;
use crate::scene::backdrop::CommandMaps;
use crate::scene::capture::{Capture, Captured};
use crate::scene::clock::{Clock, ClockMsg};
use crate::scene::library::Library;
use crate::scene::markers::{MARKER_PX, Present, marker_rgb};
use crate::scene::model::clock::ClockCommand;
use crate::scene::view::{MapCamera, ViewSettings};

#[derive(Resource)]
struct Script {
    at_ms: Option<u32>,
    screenshot: Option<PathBuf>,
    /// Frames rendered since the round was ready and the time set.
    settled_frames: u32,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    WaitingForRound,
    Settling,
    Capturing,
    Done,
}

pub(super) fn plugin(app: &mut App, at_secs: Option<f64>, screenshot: Option<PathBuf>) {
    let at_ms = at_secs.map(|s| (s * 1000.0).max(0.0) as u32);
    if at_ms.is_none() && screenshot.is_none() {
        return;
    }
    app.insert_resource(Script { at_ms, screenshot, settled_frames: 0, state: State::WaitingForRound })
        .add_systems(Update, run_script.in_set(Frame::Input));
}

#[allow(clippy::too_many_arguments)]
fn run_script(
    mut commands: Commands,
    mut script: ResMut<Script>,
    library: Res<Library>,
    clock: Res<Clock>,
    settings: Res<ViewSettings>,
    present: Res<Present>,
    maps: Res<CommandMaps>,
    mut capture: ResMut<Capture>,
    mut awake: ResMut<KeepAwake>,
    mut clock_out: MessageWriter<ClockMsg>,
    mut exit: MessageWriter<AppExit>,
    camera: Single<(&Camera, &GlobalTransform), With<MapCamera>>,
    window: Single<&Window, With<PrimaryWindow>>,
    compare: Res<super::compare::CompareUi>,
) {
    awake.0 = script.state != State::Done;
    match script.state {
        State::WaitingForRound => {
            // The round, and the command maps when the game folders are being searched.
            if library.current().is_some() && !library.loading && !maps.searching && !compare.busy(&library) {
                if let Some(t) = script.at_ms {
                    clock_out.write(ClockMsg(ClockCommand::SetTime(t)));
                }
                script.state = State::Settling;
            } else if !library.busy() && library.current().is_none() {
                error!("nothing to show: {}", library.error.as_deref().unwrap_or("no rounds"));
                exit.write(AppExit::error());
            }
        }
        State::Settling => {
            script.settled_frames += 1;
            if script.settled_frames < 8 {
                return;
            }
            let Some(path) = script.screenshot.clone() else {
                script.state = State::Done;
                return;
            };
            let (camera, global) = *camera;
            let scale = window.scale_factor();
            let markers: Vec<serde_json::Value> = present
                .shown(&settings.hidden)
                .filter_map(|m| {
                    let p = camera.world_to_viewport(global, m.pos.extend(0.0)).ok()?;
                    let [r, g, b] = marker_rgb(m.clientnum, m.team, m.alive);
                    Some(serde_json::json!({
                        "clientnum": m.clientnum,
                        "alive": m.alive,
                        "team": m.team.map(|t| t.name()),
                        "x": p.x * scale,
                        "y": p.y * scale,
                        "radius_px": MARKER_PX * scale,
                        "rgb": [r, g, b],
                    }))
                })
                .collect();
            // Where world points land in the image: pixel = origin + (x, −y) × px_per_unit.
            let origin = camera.world_to_viewport(global, Vec3::ZERO).ok().map(|p| p * scale);
            let unit = camera.world_to_viewport(global, Vec3::new(1000.0, 0.0, 0.0)).ok().map(|p| p * scale);
            let projection = origin
                .zip(unit)
                .map(|(o, u)| serde_json::json!({ "origin": [o.x, o.y], "px_per_unit": (u.x - o.x) / 1000.0 }));
            let meta = serde_json::json!({ "time_ms": clock.time_ms(), "markers": markers, "world_to_px": projection });
            let json_path = path.with_extension("json");
            if let Err(e) = std::fs::write(&json_path, meta.to_string()) {
                error!("{}: {e}", json_path.display());
            }
            capture.start(&mut commands, Screenshot::primary_window());
            script.state = State::Capturing;
        }
        State::Capturing => {
            let image = match capture.poll(true) {
                None => return,
                Some(Captured::Image(image)) => *image,
                Some(Captured::Blank) => {
                    // Draw a few more frames and take it again.
                    script.settled_frames = 4;
                    script.state = State::Settling;
                    return;
                }
            };
            if let Some(path) = &script.screenshot {
                match image.try_into_dynamic() {
                    Ok(img) => {
                        if let Err(e) = img.to_rgb8().save(path) {
                            error!("{}: {e}", path.display());
                        }
                    }
                    Err(e) => error!("screenshot: {e:?}"),
                }
            }
            script.state = State::Done;
            exit.write(AppExit::Success);
        }
        State::Done => {}
    }
}
