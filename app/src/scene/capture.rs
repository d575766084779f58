//! Reading a rendered frame back, for the window's scripted screenshots and for exports: one
//! capture at a time, its image checked for a frame read back before it was drawn (then the
//! caller renders a few more frames and asks again).

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

/// How many times a blank capture is taken again before it is kept as it is.
pub const RETRIES: u32 = 5;

/// The capture in flight and its outcome.
#[derive(Resource, Default)]
pub struct Capture {
    image: Option<Image>,
    retries: u32,
}

/// What a poll of the capture found.
pub enum Captured {
    /// The picture.
    Image(Box<Image>),
    /// It came back blank: render a few more frames and capture again.
    Blank,
}

impl Capture {
    /// Captures what `screenshot` names (the window, or an image target) at the end of this
    /// frame's rendering.
    pub fn start(&mut self, commands: &mut Commands, screenshot: Screenshot) {
        self.image = None;
        commands.spawn(screenshot).observe(|shot: On<ScreenshotCaptured>, mut capture: ResMut<Capture>| {
            capture.image = Some(shot.image.clone());
        });
    }

    /// The captured image once it is there. A picture that should be opaque but is mostly
    /// pure black or transparent was read back before it was drawn: up to [`RETRIES`] times
    /// that is [`Captured::Blank`].
    pub fn poll(&mut self, opaque: bool) -> Option<Captured> {
        let image = self.image.take()?;
        if opaque && blank(&image) && self.retries < RETRIES {
            self.retries += 1;
            return Some(Captured::Blank);
        }
        self.retries = 0;
        Some(Captured::Image(Box::new(image)))
    }
}

/// Most pixels pure black or fully transparent: nothing drawn yet (proxviz's background, the
/// panels and the heatmap colours are never pure black).
fn blank(image: &Image) -> bool {
    let Some(data) = &image.data else { return true };
    let empty = data.chunks_exact(4).filter(|p| p[..3] == [0, 0, 0] || p[3] == 0).count();
    empty * 2 > data.len() / 4
}

#[cfg(test)]
mod tests {
    use bevy::asset::RenderAssetUsages;
    use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

    use super::*;

    fn image(pixel: [u8; 4]) -> Image {
        Image::new_fill(
            Extent3d { width: 4, height: 4, depth_or_array_layers: 1 },
            TextureDimension::D2,
            &pixel,
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::MAIN_WORLD,
        )
    }

    #[test]
    fn an_undrawn_frame_is_blank_and_a_drawn_one_is_not() {
        assert!(blank(&image([0, 0, 0, 0])));
        assert!(blank(&image([0, 0, 0, 255])));
        assert!(!blank(&image([23, 25, 28, 255])));
    }

    #[test]
    fn a_blank_capture_is_retried_a_few_times_then_kept() {
        let mut capture = Capture::default();
        for _ in 0..RETRIES {
            capture.image = Some(image([0, 0, 0, 0]));
            assert!(matches!(capture.poll(true), Some(Captured::Blank)));
        }
        capture.image = Some(image([0, 0, 0, 0]));
        assert!(matches!(capture.poll(true), Some(Captured::Image(_))));
        // A transparent picture may well be mostly empty.
        capture.image = Some(image([0, 0, 0, 0]));
        assert!(matches!(capture.poll(false), Some(Captured::Image(_))));
        assert!(capture.poll(false).is_none());
    }
}
