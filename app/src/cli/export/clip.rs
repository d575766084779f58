//! `proxviz export --animate`: a clip's range, frame rate and speed from `--from`, `--to`,
//! `--fps` and `--speed` (`--from` / `--to` are a season's dates with `--season`).

use crate::scene::model::clock::mm_ss;

use super::ExportArgs;

/// A clip's default pixel size: 720 px, what chat previews show.
pub const CLIP_SIZE: u32 = 720;

/// A clip's trail length.
pub(super) const CLIP_TRAIL_SECS: f32 = 3.0;

/// A clip's default length of replay when `--to` is not given.
const CLIP_DEFAULT_MS: u32 = 60_000;

/// `--from` / `--to`: a date (a season's) or a replay time (a clip's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// `YYYY-MM-DD`.
    Date(chrono::NaiveDate),
    /// Milliseconds since the round's start.
    Time(u32),
}

pub(super) fn parse_bound(text: &str) -> Result<Bound, String> {
    let t = text.trim();
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(Bound::Date(d));
    }
    let secs = match t.split_once(':') {
        Some((m, s)) => m
            .parse::<u32>()
            .ok()
            .zip(s.parse::<f64>().ok().filter(|s| (0.0..60.0).contains(s)))
            .map(|(m, s)| f64::from(m) * 60.0 + s),
        None => t.parse::<f64>().ok(),
    };
    match secs {
        Some(s) if s.is_finite() && (0.0..=4_000_000.0).contains(&s) => Ok(Bound::Time((s * 1000.0).round() as u32)),
        _ => Err(format!("{text:?} is neither a date (YYYY-MM-DD) nor a replay time (seconds, or m:ss)")),
    }
}

impl ExportArgs {
    /// `--from` or `--to` as a season's date.
    pub(super) fn date(&self, bound: Option<Bound>, flag: &str) -> anyhow::Result<Option<chrono::NaiveDate>> {
        match bound {
            None => Ok(None),
            Some(Bound::Date(d)) => Ok(Some(d)),
            Some(Bound::Time(_)) => anyhow::bail!("{flag} with --season is a session date (YYYY-MM-DD)"),
        }
    }

    /// The clip `--animate`, `--from`, `--to`, `--fps` and `--speed` describe.
    pub(super) fn clip(&self) -> anyhow::Result<Option<crate::scene::picture::Clip>> {
        use crate::scene::picture::{CLIP_SPEED, Clip};
        if !self.animate {
            if !self.season && (self.from.is_some() || self.to.is_some()) {
                anyhow::bail!(
                    "--from and --to are a season's dates (with --season) or a clip's times (with --animate)"
                );
            }
            return Ok(None);
        }
        let time = |b: Option<Bound>, flag: &str| match b {
            None => Ok(None),
            Some(Bound::Time(t)) => Ok(Some(t)),
            Some(Bound::Date(_)) => Err(anyhow::anyhow!("{flag} with --animate is a replay time (seconds, or m:ss)")),
        };
        let from_ms = time(self.from, "--from")?.unwrap_or(0);
        let to_ms = time(self.to, "--to")?.unwrap_or(from_ms.saturating_add(CLIP_DEFAULT_MS));
        if to_ms <= from_ms {
            anyhow::bail!("--to ({}) must come after --from ({})", mm_ss(to_ms), mm_ss(from_ms));
        }
        if !CLIP_SPEED.contains(&self.speed) {
            anyhow::bail!("--speed must be between {} and {}", CLIP_SPEED.start(), CLIP_SPEED.end());
        }
        Ok(Some(Clip { from_ms, to_ms, fps: self.fps, speed: self.speed }))
    }
}
