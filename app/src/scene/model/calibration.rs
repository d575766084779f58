//! Calibrating a command map by hand, for maps whose BSP is not at hand and that proxviz's
//! table does not know: the user marks points on the image and types their world coordinates;
//! a least-squares fit per axis (the image's u runs east, its v south) gives where the image's
//! corners lie, and the residual says how well the points agree.

use glam::Vec2;
use proxviz_data::gamedata::Calibration;

/// A point marked on the image (0–1 from the top-left corner) and where it is in the world.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    /// Position on the image: 0–1 across (east), 0–1 down (south).
    pub uv: Vec2,
    /// World position.
    pub world: Vec2,
}

/// A fitted calibration and how far, on average, the anchors lie from it (world units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Where the image's corners lie.
    pub calibration: Calibration,
    /// Root-mean-square distance of the anchors from the fit, in world units.
    pub residual_units: f32,
}

/// Fits `world = a + b · uv` on each axis to two or more anchors; `None` when they do not span
/// the image in both directions (two points on one line say nothing about the other axis), or
/// when x does not grow to the right and y upwards (a mirrored map).
pub fn fit(anchors: &[Anchor]) -> Option<Fit> {
    let axis = |get_u: fn(&Anchor) -> f32, get_w: fn(&Anchor) -> f32| -> Option<(f32, f32)> {
        let n = anchors.len() as f32;
        let (su, sw) = anchors.iter().fold((0.0, 0.0), |(su, sw), a| (su + get_u(a), sw + get_w(a)));
        let (mu, mw) = (su / n, sw / n);
        let (cov, var) = anchors.iter().fold((0.0, 0.0), |(c, v), a| {
            let du = get_u(a) - mu;
            (c + du * (get_w(a) - mw), v + du * du)
        });
        // Points closer than about a hundredth of the image say nothing about the scale.
        if var / n < 1e-4 {
            return None;
        }
        let b = cov / var;
        Some((mw - b * mu, b))
    };
    if anchors.len() < 2 {
        return None;
    }
    let (ax, bx) = axis(|a| a.uv.x, |a| a.world.x)?;
    let (ay, by) = axis(|a| a.uv.y, |a| a.world.y)?;
    // A command map has east to the right and north up: x grows across it, y falls down it.
    // Anything else is a typing slip (the image would be drawn mirrored).
    if !(bx > 0.0 && by < 0.0) {
        return None;
    }
    let at = |uv: Vec2| Vec2::new(ax + bx * uv.x, ay + by * uv.y);
    let calibration = Calibration { top_left: at(Vec2::ZERO), bottom_right: at(Vec2::ONE) };
    if !calibration.is_usable() {
        return None;
    }
    let sq: f32 = anchors.iter().map(|a| at(a.uv).distance_squared(a.world)).sum();
    Some(Fit { calibration, residual_units: (sq / anchors.len() as f32).sqrt() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor(u: f32, v: f32, x: f32, y: f32) -> Anchor {
        Anchor { uv: Vec2::new(u, v), world: Vec2::new(x, y) }
    }

    #[test]
    fn two_points_give_the_corners_exactly() {
        // An image of x −1000..3000 and y 2000..−2000 (north up).
        let f = fit(&[anchor(0.25, 0.25, 0.0, 1000.0), anchor(0.75, 0.5, 2000.0, 0.0)]).expect("fit");
        assert_eq!(f.calibration.top_left, Vec2::new(-1000.0, 2000.0));
        assert_eq!(f.calibration.bottom_right, Vec2::new(3000.0, -2000.0));
        assert_eq!(f.residual_units, 0.0);
    }

    #[test]
    fn a_point_that_disagrees_shows_in_the_residual() {
        let good = [anchor(0.0, 0.0, 0.0, 0.0), anchor(1.0, 1.0, 1000.0, -1000.0)];
        let mut off = good.to_vec();
        off.push(anchor(0.5, 0.5, 600.0, -500.0));
        let f = fit(&off).expect("fit");
        assert!(f.residual_units > 10.0 && f.residual_units < 100.0, "{}", f.residual_units);
    }

    #[test]
    fn points_on_one_line_or_one_point_are_not_enough() {
        assert!(fit(&[anchor(0.5, 0.5, 0.0, 0.0)]).is_none());
        assert!(
            fit(&[anchor(0.2, 0.5, 0.0, 0.0), anchor(0.8, 0.5, 1000.0, 0.0)]).is_none(),
            "no spread down the image"
        );
        assert!(fit(&[anchor(0.2, 0.2, 0.0, 0.0), anchor(0.8, 0.8, 0.0, 0.0)]).is_none(), "no size in the world");
        assert!(
            fit(&[anchor(0.2, 0.2, 0.0, 0.0), anchor(0.8, 0.8, 1000.0, 1000.0)]).is_none(),
            "y growing down: mirrored"
        );
    }
}
