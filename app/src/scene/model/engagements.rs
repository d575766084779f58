//! Engagements on the map: where each one happened, its shape (who had the numbers) and colour
//! (its type, the same in every round), which are visible around the replay cursor, and the
//! count of each type for legends and filters.

use std::collections::BTreeMap;

use glam::Vec2;
use proxviz_data::model::Balance;
use proxviz_data::{EngagementType, Timeline};

use super::heat::HeatSettings;

/// How an engagement marker looks: the shape says who had the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Even fight (1v1, 2v2, ...).
    Circle,
    /// The killer's side outnumbered the victim's (2v1, 3v1, ...).
    Triangle,
    /// The killer's side was outnumbered (1v2, ...).
    Square,
    /// Any other label.
    Diamond,
}

/// An engagement placed on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementMark {
    /// Index in the round's engagements.
    pub index: usize,
    /// When.
    pub time_ms: u32,
    /// Where the victim died.
    pub pos: Vec2,
    /// Fight type (`2v1`).
    pub kind: EngagementType,
    /// Killer's name (colour codes removed).
    pub killer: String,
    /// Victim's name.
    pub victim: String,
    /// Killer–victim distance in units.
    pub distance: f32,
    /// Shape.
    pub shape: Shape,
}

impl Shape {
    /// The closed outline of a marker of outer radius `r` centred on the origin (y up), or
    /// `None` for a circle, which every painter draws natively.
    pub fn outline(self, r: f32) -> Option<Vec<Vec2>> {
        let corners: Vec<Vec2> = match self {
            Self::Circle => return None,
            Self::Triangle => {
                [90.0f32, 210.0, 330.0].iter().map(|a| Vec2::from_angle(a.to_radians()) * r * 1.2).collect()
            }
            Self::Square => [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
                .iter()
                .map(|&(x, y)| Vec2::new(x, y) * r * 0.85)
                .collect(),
            Self::Diamond => [(0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-1.0, 0.0)]
                .iter()
                .map(|&(x, y)| Vec2::new(x, y) * r * 1.06)
                .collect(),
        };
        let first = corners[0];
        Some(corners.into_iter().chain(std::iter::once(first)).collect())
    }

    /// The shape of an engagement type: who had the numbers.
    pub fn of(kind: &EngagementType) -> Self {
        match kind.balance() {
            Balance::Even => Self::Circle,
            Balance::Advantage => Self::Triangle,
            Balance::Disadvantage => Self::Square,
            Balance::Unknown => Self::Diamond,
        }
    }
}

/// The small fight types a player reads by name; a legend lists these one by one and groups
/// the rest (a 64-player round has 150 types: `16v2`, `13v8` ...).
const NAMED: [(u8, u8); 9] = [(1, 1), (2, 1), (1, 2), (2, 2), (3, 1), (1, 3), (3, 2), (2, 3), (3, 3)];

/// Whether a type is one of the common small ones listed by name.
pub fn is_named(kind: &EngagementType) -> bool {
    matches!(kind, EngagementType::Versus { attackers, targets } if NAMED.contains(&(*attackers, *targets)))
}

/// The colour of an engagement type, the same in every round: a categorical palette for the
/// common small types, one colour for every bigger fight (its shape still says who had the
/// numbers) and grey for labels that are not `NvM`.
pub fn type_rgb(kind: &EngagementType) -> [u8; 3] {
    let i = match kind {
        EngagementType::Versus { attackers, targets } => {
            NAMED.iter().position(|k| *k == (*attackers, *targets)).unwrap_or(NAMED.len())
        }
        EngagementType::Other(_) => return [190, 190, 190],
    };
    let c = colorous::TABLEAU10[i];
    [c.r, c.g, c.b]
}

/// A legend row: a named type, or a group of the others by who had the numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendRow {
    /// `2v1`, `bigger even fights`, `bigger, with the numbers`, `bigger, outnumbered`, `other
    /// labels`.
    pub label: String,
    /// Engagements of the row's types.
    pub count: usize,
    /// Marker shape.
    pub shape: Shape,
    /// Marker colour.
    pub rgb: [u8; 3],
    /// A group of types (its label is longer than a type's).
    pub group: bool,
}

impl LegendRow {
    /// `2v1 (5)`.
    pub fn text(&self) -> String {
        format!("{} ({})", self.label, self.count)
    }
}

/// The legend's rows for the types shown: each common small type by name (in the same order in
/// every round: 1v1, 2v1, 1v2, 2v2 ...), then the others grouped by who had the numbers — at
/// most 13 rows whatever the round.
pub fn legend_rows<'a>(rows: impl IntoIterator<Item = &'a TypeRow>) -> Vec<LegendRow> {
    let mut named = Vec::new();
    let mut groups: BTreeMap<Balance, usize> = BTreeMap::new();
    for row in rows {
        if is_named(&row.kind) {
            named.push(LegendRow {
                label: row.kind.to_string(),
                count: row.count,
                shape: row.shape,
                rgb: row.rgb,
                group: false,
            });
        } else {
            *groups.entry(row.kind.balance()).or_default() += row.count;
        }
    }
    named.sort_by_key(|r| NAMED.iter().position(|&(a, b)| r.label == format!("{a}v{b}")));
    named.extend(groups.into_iter().map(|(balance, count)| {
        let (label, example) = match balance {
            Balance::Even => ("bigger even fights", EngagementType::versus(4, 4)),
            Balance::Advantage => ("bigger, with the numbers", EngagementType::versus(4, 1)),
            Balance::Disadvantage => ("bigger, outnumbered", EngagementType::versus(1, 4)),
            Balance::Unknown => ("other labels", EngagementType::Other(String::new())),
        };
        LegendRow { label: label.to_owned(), count, shape: Shape::of(&example), rgb: type_rgb(&example), group: true }
    }));
    named
}

/// Every engagement with a known time and place.
pub fn engagement_marks(timeline: &Timeline) -> Vec<EngagementMark> {
    let round = timeline.round();
    round
        .engagements
        .iter()
        .enumerate()
        .filter_map(|(index, e)| {
            let (time_ms, pos) = timeline.engagement_at(index)?;
            let pos = pos?;
            Some(EngagementMark {
                index,
                time_ms,
                pos: Vec2::new(pos.x, pos.y),
                kind: e.kind.clone(),
                killer: proxviz_data::text::strip_colors(&e.killer_name),
                victim: proxviz_data::text::strip_colors(&e.victim_name),
                distance: e.distance,
                shape: Shape::of(&e.kind),
            })
        })
        .collect()
}

/// How long around the cursor an engagement stays on the map when not showing the whole round.
pub const ENGAGEMENT_SHOW_MS: u32 = 5_000;

/// The engagements to draw at `cursor_ms`, each with its opacity (1 at its moment, fading over
/// [`ENGAGEMENT_SHOW_MS`] after it).
pub fn visible_engagements<'a>(
    marks: &'a [EngagementMark],
    settings: &'a HeatSettings,
    cursor_ms: u32,
) -> impl Iterator<Item = (&'a EngagementMark, f32)> + 'a {
    let hidden = &settings.hidden_types;
    let whole = settings.engagements_whole_round;
    marks.iter().filter(move |m| !hidden.contains(&m.kind)).filter_map(move |m| {
        if whole {
            return Some((m, 1.0));
        }
        let after = cursor_ms.checked_sub(m.time_ms)?;
        (after <= ENGAGEMENT_SHOW_MS).then(|| (m, 1.0 - 0.7 * after as f32 / ENGAGEMENT_SHOW_MS as f32))
    })
}

/// One engagement type of a round: how many, drawn how (the legend's and the type filter's rows).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeRow {
    /// The type.
    pub kind: EngagementType,
    /// Engagements of this type with a place on the map.
    pub count: usize,
    /// Its marker's shape.
    pub shape: Shape,
    /// Its marker's colour.
    pub rgb: [u8; 3],
}

/// Engagement counts per type, most common first (ties in type order).
pub fn type_rows(marks: &[EngagementMark]) -> Vec<TypeRow> {
    let mut counts: BTreeMap<&EngagementType, usize> = BTreeMap::new();
    for m in marks {
        *counts.entry(&m.kind).or_default() += 1;
    }
    let mut rows: Vec<TypeRow> = counts
        .into_iter()
        .map(|(kind, count)| TypeRow { kind: kind.clone(), count, shape: Shape::of(kind), rgb: type_rgb(kind) })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_say_who_had_the_numbers() {
        assert_eq!(Shape::of(&EngagementType::versus(2, 2)), Shape::Circle);
        assert_eq!(Shape::of(&EngagementType::versus(3, 1)), Shape::Triangle);
        assert_eq!(Shape::of(&EngagementType::versus(1, 2)), Shape::Square);
        assert_eq!(Shape::of(&EngagementType::Other("SNIPED".into())), Shape::Diamond);
    }

    #[test]
    fn outlines_are_closed_and_about_the_markers_size() {
        assert_eq!(Shape::Circle.outline(6.0), None);
        for shape in [Shape::Triangle, Shape::Square, Shape::Diamond] {
            let pts = shape.outline(6.0).expect("outline");
            assert_eq!(pts.first(), pts.last(), "{shape:?} is closed");
            assert!(pts.iter().all(|p| (4.0..=7.3).contains(&p.length())), "{shape:?}: {pts:?}");
        }
    }

    #[test]
    fn common_types_keep_their_colour_and_bigger_fights_share_one() {
        assert_ne!(type_rgb(&EngagementType::versus(1, 1)), type_rgb(&EngagementType::versus(2, 1)));
        assert_eq!(type_rgb(&EngagementType::versus(16, 2)), type_rgb(&EngagementType::versus(13, 8)));
        assert_ne!(type_rgb(&EngagementType::versus(16, 2)), type_rgb(&EngagementType::versus(3, 3)));
        let odd = EngagementType::Other("SNIPED".into());
        assert_eq!(type_rgb(&odd), type_rgb(&EngagementType::Other("UNKNOWN".into())));
    }

    #[test]
    fn a_big_round_s_150_types_make_a_legend_of_named_small_ones_and_groups() {
        // Every NvM with sides up to 12 that a 64-player round might have, plus two labels.
        let mut kinds: Vec<EngagementType> =
            (1..=12).flat_map(|a| (1..=12).map(move |b| EngagementType::versus(a, b))).collect();
        kinds.extend([EngagementType::Other("SNIPED".into()), EngagementType::Other("UNKNOWN".into())]);
        let rows: Vec<TypeRow> = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| TypeRow { kind: k.clone(), count: i % 5 + 1, shape: Shape::of(k), rgb: type_rgb(k) })
            .collect();
        assert_eq!(rows.len(), 146);
        let legend = legend_rows(&rows);
        assert_eq!(legend.len(), 13);
        assert_eq!(legend.iter().map(|r| r.count).sum::<usize>(), rows.iter().map(|r| r.count).sum::<usize>());
        let labels: Vec<&str> = legend.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels[..9], ["1v1", "2v1", "1v2", "2v2", "3v1", "1v3", "3v2", "2v3", "3v3"]);
        assert_eq!(
            labels[9..],
            ["bigger even fights", "bigger, with the numbers", "bigger, outnumbered", "other labels"]
        );
        let even = &legend[9];
        assert_eq!(
            even.count,
            rows.iter()
                .filter(|r| !is_named(&r.kind) && r.kind.balance() == Balance::Even)
                .map(|r| r.count)
                .sum::<usize>()
        );
        assert_eq!((even.shape, even.rgb), (Shape::Circle, type_rgb(&EngagementType::versus(9, 9))));
        assert_eq!(legend[10].shape, Shape::Triangle);
        assert_eq!(legend[11].shape, Shape::Square);
    }
}
