//! Placing a command map by hand (Layers → Map → Calibrate…), for a map whose BSP is not in the
//! game folders and that proxviz's table does not know: click points on the image, type where
//! they are in the world (the map's coordinate grid shows it), and the fit places the image —
//! its residual says how well the points agree. Saved per map in the config dir.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use super::state::{UiPass, Windows};
use crate::scene::backdrop::{CommandMaps, UserCalibrations};
use crate::scene::library::Library;
use crate::scene::model::calibration::{Anchor, fit};

/// The calibration being made.
#[derive(Resource, Default)]
struct Calibrating {
    /// The map, and its image as an egui texture.
    image: Option<(String, egui::TextureHandle)>,
    anchors: Vec<Anchor>,
    status: Option<String>,
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Calibrating>().add_systems(EguiPrimaryContextPass, calibrate_ui.in_set(UiPass::Overlays));
}

/// The image of `map` to calibrate, as straight RGBA: the unplaced one, else the placed one.
fn raw_image(maps: &CommandMaps, map: &str) -> Option<([usize; 2], Vec<u8>)> {
    let key = map.to_ascii_lowercase();
    if let Some(raw) = maps.unplaced.get(&key) {
        return Some(([raw.width as usize, raw.height as usize], raw.rgba.clone()));
    }
    maps.images.get(&key).map(|img| ([img.width, img.height], img.rgba.clone()))
}

fn calibrate_ui(
    mut contexts: EguiContexts,
    mut windows: ResMut<Windows>,
    library: Res<Library>,
    mut maps: ResMut<CommandMaps>,
    mut state: ResMut<Calibrating>,
) -> Result {
    let _probe = crate::scene::timing::scope();
    if !windows.calibrate {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?.clone();
    let Some(map) = library.current().and_then(|e| e.round().map()).map(str::to_owned) else { return Ok(()) };
    if state.image.as_ref().is_none_or(|(m, _)| *m != map) {
        let Some((size, rgba)) = raw_image(&maps, &map) else {
            windows.calibrate = false;
            return Ok(());
        };
        let texture = ctx.load_texture(
            format!("command map {map}"),
            egui::ColorImage::from_rgba_unmultiplied(size, &rgba),
            egui::TextureOptions::LINEAR,
        );
        *state = Calibrating { image: Some((map.clone(), texture)), ..Calibrating::default() };
    }
    let Some((_, texture)) = state.image.clone() else { return Ok(()) };
    let mut open = true;
    egui::Window::new(format!("Calibrate the command map of {map}")).open(&mut open).resizable(false).show(&ctx, |ui| {
        ui.label("Click points on the image (at least two, far apart in both directions), then type where each is in the world.");
        let side = 360.0;
        let aspect = texture.size_vec2().y / texture.size_vec2().x.max(1.0);
        let response = ui.add(egui::Image::new((texture.id(), egui::vec2(side, side * aspect))).sense(egui::Sense::click()));
        let rect = response.rect;
        if response.clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            let uv = (p - rect.min) / rect.size();
            state.anchors.push(Anchor { uv: Vec2::new(uv.x, uv.y), world: Vec2::ZERO });
        }
        for (i, a) in state.anchors.iter().enumerate() {
            let at = rect.min + egui::vec2(a.uv.x, a.uv.y) * rect.size();
            ui.painter().circle_stroke(at, 6.0, egui::Stroke::new(2.0, egui::Color32::YELLOW));
            ui.painter().text(at + egui::vec2(8.0, -8.0), egui::Align2::LEFT_BOTTOM, format!("{}", i + 1), egui::FontId::proportional(13.0), egui::Color32::YELLOW);
        }
        let mut remove = None;
        egui::Grid::new("anchors").show(ui, |ui| {
            for (i, a) in state.anchors.iter_mut().enumerate() {
                ui.label(format!("{}", i + 1));
                ui.label("x");
                ui.add(egui::DragValue::new(&mut a.world.x).speed(8.0));
                ui.label("y");
                ui.add(egui::DragValue::new(&mut a.world.y).speed(8.0));
                if ui.small_button("✖").clicked() {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
        if let Some(i) = remove {
            state.anchors.remove(i);
        }
        match fit(&state.anchors) {
            Some(f) => {
                let (a, b) = (f.calibration.top_left, f.calibration.bottom_right);
                ui.label(format!("top-left ({:.0}, {:.0}), bottom-right ({:.0}, {:.0}) · residual {:.0} units", a.x, a.y, b.x, b.y, f.residual_units));
                if state.anchors.len() == 2 {
                    ui.weak("two points always fit; a third one checks them");
                }
                if ui.button("Save and show").clicked() {
                    let result = UserCalibrations::file()
                        .ok_or_else(|| "no config dir on this system".to_owned())
                        .and_then(|file| {
                            UserCalibrations::load(Some(&file)).save(&file, &map, f.calibration).map_err(|e| format!("{}: {e}", file.display()))
                        });
                    maps.place(&map, f.calibration);
                    state.status = Some(match result {
                        Ok(()) => "saved; it is used from now on".to_owned(),
                        Err(e) => format!("shown, but not saved: {e}"),
                    });
                }
            }
            None => {
                ui.weak("needs two points spread across the image, with world x growing to the right and y upwards");
            }
        }
        if let Some(status) = &state.status {
            ui.weak(status);
        }
    });
    if !open {
        windows.calibrate = false;
    }
    Ok(())
}
