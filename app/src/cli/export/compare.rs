//! `proxviz export --compare-with`: the round each exported round is compared with (its
//! stopwatch partner, a path, or part of a round's name), from the folder, the round's own
//! folder or the demo rounds.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use proxviz_data::{Round, RoundFiles, Timeline, resolve_rounds};

/// The compared round of each of `rounds` (`None`: a round without a partner, when several are
/// exported); `found` are the folder's rounds, `path` what was given, `demo_rounds` whether the
/// demo rounds are the pool.
pub(super) fn compared_rounds(
    what: &str,
    rounds: &[Round],
    found: &[RoundFiles],
    path: Option<&Path>,
    demo_rounds: bool,
) -> anyhow::Result<Vec<Option<Arc<Timeline>>>> {
    let n = rounds.len();
    let demo = if demo_rounds { crate::scene::demo::rounds() } else { Vec::new() };
    // A round's file given alone: its partner is looked for in its folder.
    let neighbours = match path.filter(|p| p.is_file()) {
        Some(file) => {
            let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            proxviz_data::discover_rounds(dir).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let pool: Vec<Candidate> =
        found.iter().chain(&neighbours).map(Candidate::Files).chain(demo.iter().map(Candidate::Read)).collect();
    let mut compares = Vec::with_capacity(n);
    for r in rounds {
        match compared_round(what, r, &pool) {
            Ok(other) => compares.push(Some(other)),
            // One round without a partner does not stop the others.
            Err(e) if n > 1 && what.eq_ignore_ascii_case("partner") => {
                eprintln!("note: {e:#}: exported without a compare");
                compares.push(None);
            }
            Err(e) => return Err(e),
        }
    }
    if compares.iter().all(Option::is_none) {
        anyhow::bail!("--compare-with partner: none of the {n} rounds has a stopwatch partner here");
    }
    Ok(compares)
}

/// A round `--compare-with` may name: one of the folder's, or a demo round.
enum Candidate<'a> {
    Files(&'a RoundFiles),
    Read(&'a Round),
}

impl Candidate<'_> {
    fn base(&self) -> &str {
        match self {
            Self::Files(f) => &f.name.base,
            Self::Read(r) => &r.name.base,
        }
    }

    fn key(&self) -> proxviz_data::stopwatch::PairKey {
        match self {
            // A name without the map (older builds' files): the files say it.
            Self::Files(f) if f.name.map.is_none() => proxviz_data::stopwatch::PairKey::of_round(&f.load()),
            Self::Files(f) => proxviz_data::stopwatch::PairKey {
                map: f.name.map.clone(),
                date: f.name.date,
                time: f.name.start_time,
                round: f.name.round_number(),
            },
            Self::Read(r) => proxviz_data::stopwatch::PairKey::of_round(r),
        }
    }

    fn load(&self) -> Round {
        match self {
            Self::Files(f) => f.load(),
            Self::Read(r) => (*r).clone(),
        }
    }
}

/// The round `what` names for `round`: `partner` (its stopwatch pair among `pool`), a path, or
/// part of a base name in `pool`; read, as a timeline.
fn compared_round(what: &str, round: &Round, pool: &[Candidate]) -> anyhow::Result<Arc<Timeline>> {
    let other = if what.eq_ignore_ascii_case("partner") {
        // The round itself may be in the pool too: it is no candidate.
        let mut keys: Vec<proxviz_data::stopwatch::PairKey> = pool
            .iter()
            .map(|c| {
                let key = c.key();
                if c.base() == round.name.base { proxviz_data::stopwatch::PairKey { round: None, ..key } } else { key }
            })
            .collect();
        keys.push(proxviz_data::stopwatch::PairKey::of_round(round));
        let me = keys.len() - 1;
        let found = proxviz_data::stopwatch::partner(&keys, me)
            .filter(|&j| pool[j].base() != round.name.base)
            .with_context(|| {
                format!(
                    "{}: no stopwatch partner (round {} of the other number, same map and day) in the folder",
                    round.name.base,
                    round.round_number().map_or("?".to_owned(), |n| n.to_string())
                )
            })?;
        pool[found].load()
    } else if Path::new(what).exists() {
        let files = resolve_rounds(Path::new(what))?;
        files.first().with_context(|| format!("{what}: no round there"))?.load()
    } else {
        let matching: Vec<&Candidate> =
            pool.iter().filter(|c| c.base().contains(what) && c.base() != round.name.base).collect();
        match matching.as_slice() {
            [one] => one.load(),
            [] => anyhow::bail!("--compare-with {what:?}: no such round (a path, part of a round's name, or partner)"),
            many => anyhow::bail!(
                "--compare-with {what:?} matches {} rounds ({}, ...): say more of the name",
                many.len(),
                many[0].base()
            ),
        }
    };
    if !other.report.is_clean() {
        eprintln!("warning: {}", other.report.to_string().trim_end().replace('\n', "\nwarning: "));
    }
    Ok(Arc::new(Timeline::new(Arc::new(other))))
}
