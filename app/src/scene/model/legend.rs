//! Legends as models, drawn the same by the window's Layers panel (egui) and by the export's
//! overlay (Bevy): the heatmap's colour bar with round-number ticks, its unit and note, and the
//! engagement types shown. Also the 1-2-5 steps that ticks and the map's grid lines share.

use super::engagements::TypeRow;
use super::heat::{HeatLayer, HeatSettings, legend_stops};

/// A round step of 1, 2 or 5 × 10ⁿ that is at least `raw` (for grid lines and ticks).
pub fn nice_step(raw: f32) -> f32 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f32.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude)
}

/// Round tick values for a legend spanning `lo..=hi`: steps of 1, 2 or 5 × 10ⁿ, at most
/// about `max_ticks` of them (whole numbers for counts).
pub fn nice_ticks(lo: f32, hi: f32, max_ticks: usize) -> Vec<f32> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || !lo.is_finite() || !hi.is_finite() {
        return vec![lo];
    }
    let step = nice_step((hi - lo) / max_ticks.max(2) as f32);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f32 * step).collect()
}

/// A tick under the colour bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Where along the bar, 0 (left) to 1 (right).
    pub fraction: f32,
    /// The value as shown.
    pub label: String,
}

/// Which part of a tick's label sits at the tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickAlign {
    /// Its left end (the tick at the bar's left end).
    Start,
    /// Its middle.
    Centre,
    /// Its right end (the tick at the bar's right end).
    End,
}

impl Tick {
    /// How the label is placed so that it stays within the bar's width.
    pub fn align(&self) -> TickAlign {
        if self.fraction < 0.05 {
            TickAlign::Start
        } else if self.fraction > 0.95 {
            TickAlign::End
        } else {
            TickAlign::Centre
        }
    }
}

/// The heatmap's legend.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatLegend {
    /// Colours from low to high, at full opacity.
    pub colours: Vec<[u8; 4]>,
    /// Round-number ticks.
    pub ticks: Vec<Tick>,
    /// What the colours measure (`kills per cell`, `Axis − Allies, kills nearby`).
    pub unit: String,
    /// Kills counted.
    pub kills: usize,
    /// Something the user should know (e.g. the round has no positions).
    pub note: Option<String>,
}

impl HeatLegend {
    /// The legend of `layer` built with `settings`, with `steps` colours.
    pub fn new(settings: &HeatSettings, layer: &HeatLayer, steps: usize) -> Self {
        let lo = if layer.diverging { -layer.hi } else { 0.0 };
        let ticks = nice_ticks(lo, layer.hi, 5)
            .into_iter()
            .map(|v| Tick {
                fraction: if layer.hi > lo { (v - lo) / (layer.hi - lo) } else { 0.0 },
                label: format_value(v),
            })
            .collect();
        let unit = match (&layer.sides, layer.diverging) {
            (Some(sides), true) => format!("{sides}, {}", layer.unit),
            (None, true) => format!("Axis − Allies, {}", layer.unit),
            (_, false) => layer.unit.to_owned(),
        };
        Self {
            colours: legend_stops(settings, layer, steps).into_iter().map(|(_, c)| c).collect(),
            ticks,
            unit,
            kills: layer.kills,
            note: layer.note.clone(),
        }
    }
}

/// A tick value as shown: whole numbers without decimals, small fractions with one.
pub fn format_value(v: f32) -> String {
    if v.fract() == 0.0 || v.abs() >= 10.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

/// The engagement types a legend lists: those of the round not hidden by `settings`.
pub fn engagement_rows<'a>(rows: &'a [TypeRow], settings: &'a HeatSettings) -> impl Iterator<Item = &'a TypeRow> + 'a {
    rows.iter().filter(|r| !settings.hidden_types.contains(&r.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(420.0), 500.0);
        assert_eq!(nice_step(100.0), 100.0);
        assert_eq!(nice_step(0.13), 0.2);
        assert_eq!(nice_step(f32::NAN), 1.0);
    }

    #[test]
    fn tick_values_print_without_needless_decimals() {
        assert_eq!(format_value(4.0), "4");
        assert_eq!(format_value(2.5), "2.5");
        assert_eq!(format_value(12.4), "12");
    }
}
