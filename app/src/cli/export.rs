//! `proxviz export`: heatmap images of a round or of every round in a folder, rendered offscreen
//! (no window, no display), one PNG per round, with a progress bar.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use proxviz_data::heatmap::{KillPlace, TeamSelection};
use proxviz_data::resolve_rounds;
use proxviz_data::season::{Season, SeasonFilter};

use crate::export::render::{Job, export};
use crate::export::{ExportSettings, SIZE_RANGE, output_path};
use crate::scene::backdrop::{CommandMaps, UserCalibrations};
use crate::scene::compare::{CompareHeat, CompareSettings};
use crate::scene::dirs::index_cache_file;
use crate::scene::model::backdrop::{BackdropMode, BackdropSettings};
use crate::scene::model::clock::mm_ss;
use crate::scene::model::heat::{HeatMode, Scale, Window};
use proxviz_data::Round;
use proxviz_data::gamedata::game_folders;

mod args;
mod clip;
mod compare;

pub use args::{BackdropArg, CompareHeatArg, LayerArg, ModeArg, PlaceArg, ScaleArg, TeamArg};

pub use clip::{Bound, CLIP_SIZE};
use clip::{CLIP_TRAIL_SECS, parse_bound};

/// Arguments of `proxviz export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A folder, one of a round's files, or a round's base path (omit with --demo, --round-id,
    /// or --season from the database).
    #[arg(required_unless_present_any = ["demo", "round_id", "season"])]
    pub path: Option<PathBuf>,
    /// A round stored in PostgreSQL, by id (see `proxviz db rounds`), instead of files.
    #[arg(long, conflicts_with_all = ["path", "demo"])]
    pub round_id: Option<i64>,
    /// Where the database is (with --round-id, or --season without a folder).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// A season heatmap: the kills of every round of one map (--map) in the folder or the
    /// database, over that map, in one image.
    #[arg(long)]
    pub season: bool,
    /// The season's map (default: the map of the first round).
    #[arg(long, requires = "season")]
    pub map: Option<String>,
    /// With --season: the first session date (YYYY-MM-DD). With --animate: the clip's first
    /// replay time (seconds, or m:ss; default: the round's start).
    #[arg(long, value_parser = parse_bound)]
    pub from: Option<Bound>,
    /// With --season: the last session date (YYYY-MM-DD). With --animate: the clip's last
    /// replay time (seconds, or m:ss; default: 60 s of replay after --from).
    #[arg(long, value_parser = parse_bound)]
    pub to: Option<Bound>,
    /// An animated clip of a time range (--from, --to) instead of a picture: --out names a .gif,
    /// or a .mp4 when ffmpeg is installed. Players, names, engagement markers around the time,
    /// the clock and the kill feed, 720 px, unless --layers and --size say otherwise.
    #[arg(long, conflicts_with = "season")]
    pub animate: bool,
    /// Clip frames per second (1–30).
    #[arg(long, default_value_t = 10, requires = "animate", value_parser = clap::value_parser!(u32).range(1..=30))]
    pub fps: u32,
    /// Clip replay speed: replay seconds per second of clip (0.125–32).
    #[arg(long, default_value_t = 1.0, requires = "animate")]
    pub speed: f32,
    /// Only round 1 or only round 2 of the season's stopwatch pairs.
    #[arg(long, requires = "season")]
    pub season_round: Option<u32>,
    /// Only the season's kills where a player whose name contains this killed or died.
    #[arg(long, requires = "season")]
    pub player_name: Option<String>,
    /// Export the demo rounds built into proxviz.
    #[arg(long, conflicts_with = "path")]
    pub demo: bool,
    /// Only rounds whose base name contains this text.
    #[arg(long)]
    pub round: Option<String>,
    /// A PNG file (one round) or a folder (one `<round>.png` each); with --animate a .gif or
    /// .mp4 file, or a folder (one `<round>.gif` each).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Pixels along the longer side (default: 2048, a clip 720).
    #[arg(long, value_parser = clap::value_parser!(u32).range(i64::from(*SIZE_RANGE.start())..=i64::from(*SIZE_RANGE.end())))]
    pub size: Option<u32>,
    /// Grid cells or kernel density.
    #[arg(long, value_enum, default_value_t = ModeArg::Grid)]
    pub mode: ModeArg,
    /// Whose kills (by the killer's team); `diff` is Axis − Allies on a diverging scale.
    #[arg(long, value_enum, default_value_t = TeamArg::Both)]
    pub team: TeamArg,
    /// What to draw, comma-separated: heatmap, markers (engagements), paths, players
    /// (default: heatmap,markers,paths; a clip players,markers).
    #[arg(long, value_delimiter = ',')]
    pub layers: Option<Vec<LayerArg>>,
    /// Grid cell size in units (default: the round's grid_size).
    #[arg(long)]
    pub cell: Option<u32>,
    /// Density radius in units.
    #[arg(long, default_value_t = 150.0)]
    pub radius: f32,
    /// Colour scale.
    #[arg(long, value_enum, default_value_t = ScaleArg::Inferno)]
    pub scale: ScaleArg,
    /// Heatmap opacity, 0–1.
    #[arg(long, default_value_t = 0.75)]
    pub opacity: f32,
    /// The map under the layers: the command map when found, else a silhouette of where
    /// players walked (auto), one of them only, or none.
    #[arg(long, value_enum, default_value_t = BackdropArg::Auto)]
    pub backdrop: BackdropArg,
    /// A game folder (etmain/ or legacy/ of an ET:Legacy install) whose pk3s hold the maps'
    /// command-map images; repeatable. Also PROXVIZ_ETMAIN and the usual install folders.
    #[arg(long)]
    pub etmain: Vec<PathBuf>,
    /// On maps with floors: which floor's command map, and whose players are drawn bright
    /// (default: the ground floor).
    #[arg(long)]
    pub floor: Option<usize>,
    /// Draw the silhouette over the command map too (to check that they line up).
    #[arg(long)]
    pub silhouette_over_image: bool,
    /// Backdrop opacity, 0–1.
    #[arg(long, default_value_t = 1.0)]
    pub backdrop_opacity: f32,
    /// Backdrop brightness, 0–2 (1: as it is).
    #[arg(long, default_value_t = 1.0)]
    pub backdrop_brightness: f32,
    /// Only kills with these client numbers as killer or victim (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub players: Vec<u16>,
    /// Replay time in seconds (players, and --until/--last); default: the end of the round.
    #[arg(long)]
    pub at: Option<f64>,
    /// Count only kills up to --at.
    #[arg(long, conflicts_with = "last")]
    pub until: bool,
    /// Count only kills in the N seconds before --at.
    #[arg(long)]
    pub last: Option<u32>,
    /// Engagement types to leave out (comma-separated, e.g. 1v1,2v2).
    #[arg(long, value_delimiter = ',')]
    pub hide_types: Vec<proxviz_data::EngagementType>,
    /// Where a kill is put on the heatmap: where the victim died, or where the killer stood.
    #[arg(long, value_enum, default_value_t = PlaceArg::Victim)]
    pub place: PlaceArg,
    /// A line from killer to victim for every kill counted.
    #[arg(long)]
    pub lines: bool,
    /// Only kills with these weapons: names or ET weapon numbers, comma-separated (e.g.
    /// `thompson,mp40` or `8,3`).
    #[arg(long, value_delimiter = ',', value_parser = parse_weapon)]
    pub weapons: Vec<u16>,
    /// Only kills within this many seconds of an objective event (plant, defuse, build, capture,
    /// carrier).
    #[arg(long, value_name = "SECS")]
    pub near_objectives: Option<u32>,
    /// Engagement markers only around --at (default: the whole round's).
    #[arg(long)]
    pub markers_near_time: bool,
    /// World rectangle to show, `min_x,min_y,max_x,max_y` (default: the whole round).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub view: Option<Vec<f32>>,
    /// Transparent background.
    #[arg(long)]
    pub transparent: bool,
    /// No title.
    #[arg(long)]
    pub no_title: bool,
    /// No legend.
    #[arg(long)]
    pub no_legend: bool,
    /// No player names (with the players layer).
    #[arg(long)]
    pub no_names: bool,
    /// Compare with another round (ET's stopwatch): `partner` pairs each round with the other
    /// round of its stopwatch pair in the same folder; else a round's path, or part of a base
    /// name in the folder. Its attackers are drawn as ghosts at the same time since the start
    /// (with the players layer), and the objective splits and round times are listed.
    #[arg(long, value_name = "ROUND|partner")]
    pub compare_with: Option<String>,
    /// The compared round's kills: `side` (the two pictures side by side in one PNG; the
    /// default for a picture), `diff` (this round's kills minus the other's, one heatmap), `off`
    /// (the default for a clip).
    #[arg(long, value_enum, requires = "compare_with")]
    pub compare_heat: Option<CompareHeatArg>,
    /// No ghosts of the compared round.
    #[arg(long, requires = "compare_with")]
    pub no_ghosts: bool,
    /// All settings as JSON (what the window's Export passes); overrides the options above.
    #[arg(long, hide = true)]
    pub settings_json: Option<String>,
}

impl ExportArgs {
    /// The export settings these options describe.
    pub fn settings(&self) -> anyhow::Result<ExportSettings> {
        if let Some(json) = &self.settings_json {
            return serde_json::from_str(json).context("--settings-json");
        }
        if !(0.0..=1.0).contains(&self.opacity) {
            anyhow::bail!("--opacity must be between 0 and 1");
        }
        if !(0.0..=1.0).contains(&self.backdrop_opacity) {
            anyhow::bail!("--backdrop-opacity must be between 0 and 1");
        }
        if !(0.0..=2.0).contains(&self.backdrop_brightness) {
            anyhow::bail!("--backdrop-brightness must be between 0 and 2");
        }
        let backdrop = BackdropSettings {
            mode: self.backdrop.into(),
            opacity: self.backdrop_opacity,
            brightness: self.backdrop_brightness,
            marks: false,
            silhouette_over_image: self.silhouette_over_image,
            floor: self.floor,
        };
        let clip = self.clip()?;
        let mut layers = self.layers.clone().unwrap_or_else(|| match clip {
            Some(_) => vec![LayerArg::Players, LayerArg::Markers],
            None => vec![LayerArg::Heatmap, LayerArg::Markers, LayerArg::Paths],
        });
        // Ghosts are players, a difference is a heatmap: a compare shows them unless the
        // layers were chosen.
        if self.compare_with.is_some() && self.layers.is_none() && !layers.contains(&LayerArg::Players) {
            layers.push(LayerArg::Players);
        }
        if self.compare_heat == Some(CompareHeatArg::Diff)
            && self.layers.is_none()
            && !layers.contains(&LayerArg::Heatmap)
        {
            layers.push(LayerArg::Heatmap);
        }
        let size = self.size.unwrap_or(if clip.is_some() { CLIP_SIZE } else { 2048 });
        let backdrop = BackdropSettings { marks: layers.contains(&LayerArg::Objectives), ..backdrop };
        let mut s = ExportSettings { size, backdrop, clip, ..ExportSettings::default() };
        let h = &mut s.heat;
        h.show = layers.contains(&LayerArg::Heatmap);
        h.engagements = layers.contains(&LayerArg::Markers);
        h.paths = layers.contains(&LayerArg::Paths);
        // A clip's markers come and go with the time, as in the window.
        h.engagements_whole_round = !self.markers_near_time && clip.is_none();
        h.mode = match self.mode {
            ModeArg::Grid => HeatMode::Grid,
            ModeArg::Kde => HeatMode::Kde,
        };
        (h.team, h.difference) = match self.team {
            TeamArg::Both => (TeamSelection::Both, false),
            TeamArg::Axis => (TeamSelection::Axis, false),
            TeamArg::Allies => (TeamSelection::Allies, false),
            TeamArg::Diff => (TeamSelection::Both, true),
        };
        h.cell_units = self.cell;
        h.radius_units = self.radius;
        h.scale = match self.scale {
            ScaleArg::Inferno => Scale::Inferno,
            ScaleArg::Viridis => Scale::Viridis,
            ScaleArg::Magma => Scale::Magma,
            ScaleArg::Turbo => Scale::Turbo,
        };
        h.opacity = self.opacity;
        h.players = self.players.clone();
        h.place = match self.place {
            PlaceArg::Victim => KillPlace::Victim,
            PlaceArg::Killer => KillPlace::Killer,
        };
        h.kill_lines = self.lines;
        // A name stands for every number of that weapon (the Axis and the Allied grenade).
        h.weapons = self.weapons.iter().flat_map(|&w| proxviz_data::weapons::same_weapon(w)).collect();
        h.weapons.sort_unstable();
        h.weapons.dedup();
        h.near_objectives_s = self.near_objectives;
        h.hidden_types = self.hide_types.clone();
        h.window = match (self.until, self.last) {
            (true, _) => Window::UpToCursor,
            (false, Some(n)) => Window::LastSeconds(n),
            (false, None) => Window::Whole,
        };
        s.players = layers.contains(&LayerArg::Players);
        // A clip's trails are short: a long fading trail changes every pixel it covers in
        // every frame, which is most of a GIF's size on a big round.
        if clip.is_some() {
            s.trail_secs = CLIP_TRAIL_SECS;
        }
        s.names = !self.no_names;
        s.time_ms = self.at.map(|t| (t.max(0.0) * 1000.0) as u32);
        s.view = match self.view.as_deref() {
            None => None,
            Some(&[x0, y0, x1, y1]) if x0 != x1 && y0 != y1 => Some([x0, y0, x1, y1]),
            Some(_) => anyhow::bail!("--view takes min_x,min_y,max_x,max_y (a rectangle with an area)"),
        };
        s.transparent = self.transparent && clip.is_none();
        s.title = !self.no_title;
        s.legend = !self.no_legend;
        if self.compare_with.is_some() {
            let chosen =
                self.compare_heat.unwrap_or(if clip.is_some() { CompareHeatArg::Off } else { CompareHeatArg::Side });
            let heat = match chosen {
                CompareHeatArg::Side if clip.is_some() => {
                    anyhow::bail!("--compare-heat side makes one picture of two: a clip takes diff or off")
                }
                CompareHeatArg::Side => CompareHeat::SideBySide,
                CompareHeatArg::Diff => CompareHeat::Difference,
                CompareHeatArg::Off => CompareHeat::Off,
            };
            s.compare = Some(CompareSettings { ghosts: !self.no_ghosts, heat, splits: true });
        }
        if self.season {
            s.season = Some(SeasonFilter {
                map: self.map.clone().unwrap_or_default(),
                from: self.date(self.from, "--from")?,
                to: self.date(self.to, "--to")?,
                round_number: self.season_round,
                player: self.player_name.clone(),
            });
            // A season is many rounds: one round's engagement markers and paths would mislead.
            s.heat.engagements = false;
            s.heat.paths = false;
        }
        Ok(s)
    }
}

/// The database URL for `what`, or what to do.
fn database_url<'a>(args: &'a ExportArgs, what: &str) -> anyhow::Result<&'a str> {
    args.database_url.as_deref().filter(|u| !u.is_empty()).with_context(|| {
        format!("{what} needs a database: pass --database-url postgres://user:password@host/db or set DATABASE_URL")
    })
}

/// A weapon by ET number or by name (any case, spaces and dashes ignored: `mp40`, `Mobile
/// MG42`, `k43`).
fn parse_weapon(text: &str) -> Result<u16, String> {
    if let Ok(n) = text.trim().parse::<u16>() {
        return Ok(n);
    }
    let key = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let wanted = key(text);
    proxviz_data::weapons::weapons()
        .find(|(_, name)| key(name) == wanted)
        .map(|(n, _)| n)
        .ok_or_else(|| format!("no ET weapon is called {text:?} (a name such as thompson, mp40, k43, or a number)"))
}

/// What `--at` and `--last` mean for a round they reach past: `--at` after its end shows the
/// end; `--last` longer than the time up to `--at` counts from the round's start.
fn time_notes(settings: &ExportSettings, round: &Round) -> Vec<String> {
    let end = round.duration_ms();
    let mut notes = Vec::new();
    if let Some(clip) = settings.clip {
        if clip.from_ms >= end {
            notes.push(format!(
                "--from {} is at or past the round's end ({}): the clip is its last moment",
                mm_ss(clip.from_ms),
                mm_ss(end)
            ));
        } else if clip.to_ms > end {
            notes.push(format!(
                "--to {} is past the round's end ({}): the clip ends there",
                mm_ss(clip.to_ms),
                mm_ss(end)
            ));
        }
        let frames = clip.frame_times(end).len();
        if frames == crate::scene::picture::MAX_CLIP_FRAMES {
            notes.push(format!("the clip is cut at {frames} frames"));
        }
        return notes;
    }
    if let Some(at) = settings.time_ms.filter(|&t| t > end) {
        notes.push(format!("--at {} is past the round's end ({}): shown at the end", mm_ss(at), mm_ss(end)));
    }
    if let Window::LastSeconds(n) = settings.heat.window {
        let at = settings.time_ms.map_or(end, |t| t.min(end));
        if u64::from(n) * 1000 > u64::from(at) {
            notes.push(format!(
                "--last {n} reaches back before the round's start: every kill up to {} counts",
                mm_ss(at)
            ));
        }
    }
    notes
}

/// Runs `proxviz export`.
pub fn run(args: &ExportArgs, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let mut settings = args.settings()?;
    let from_database = args.round_id.is_some() || (args.season && args.path.is_none() && !args.demo);
    let db = if from_database {
        let url = database_url(args, if args.season { "--season without a folder" } else { "--round-id" })?;
        let rt = super::db::runtime()?;
        let store = rt.block_on(proxviz_store::Store::connect_read(url))?;
        Some((rt, store))
    } else {
        None
    };
    // A season over a folder reads its rounds one at a time (a season's folder holds months of
    // rounds): only the round it is drawn over stays loaded.
    let season_of_folder = settings.season.is_some() && db.is_none() && !args.demo;
    let found = match args.path.as_deref() {
        Some(path) if args.round_id.is_none() && !args.demo => resolve_rounds(path)?,
        _ => Vec::new(),
    };
    let mut rounds = if let (Some(id), Some((rt, store))) = (args.round_id, &db) {
        vec![rt.block_on(store.load_round(id))?]
    } else if args.demo {
        crate::scene::demo::rounds()
    } else if season_of_folder {
        Vec::new()
    } else {
        super::load_all(&found)
    };
    // A season: computed over the folder (all its rounds of the map, before --round picks the one
    // to draw over) or in the database; drawn over one round of its map (the one picked, else
    // the newest).
    let mut season = None;
    if let Some(filter) = settings.season.as_mut() {
        if filter.map.is_empty() {
            let first = rounds
                .iter()
                .find_map(|r| r.map().map(str::to_owned))
                .or_else(|| found.iter().find_map(|f| f.name.map.clone()))
                .or_else(|| found.first().and_then(|f| f.load().map().map(str::to_owned)));
            filter.map = first.context("--season needs --map (no round to take the map from)")?;
        }
        let computed = match &db {
            Some((rt, store)) => rt.block_on(store.season(filter))?,
            None if season_of_folder => {
                // Rounds named for another map are not read at all.
                let of_map = found.iter().filter(|f| f.name.map.as_deref().is_none_or(|m| m == filter.map));
                Season::of_rounds(filter, of_map.map(|f| proxviz_data::Timeline::new(std::sync::Arc::new(f.load()))))
            }
            None => Season::of_rounds(
                filter,
                rounds.iter().map(|r| proxviz_data::Timeline::new(std::sync::Arc::new(r.clone()))),
            ),
        };
        if season_of_folder {
            // The round to draw over: the one picked with --round, else the newest of the map.
            let mut candidates: Vec<&proxviz_data::RoundFiles> = found
                .iter()
                .filter(|f| args.round.as_ref().is_none_or(|part| f.name.base.contains(part.as_str())))
                .filter(|f| f.name.map.as_deref().is_none_or(|m| m == filter.map))
                .collect();
            candidates.sort_by_key(|f| (f.name.date, f.name.start_time));
            while let Some(f) = candidates.pop() {
                let round = f.load();
                if args.round.is_some() || round.map() == Some(filter.map.as_str()) {
                    rounds.push(round);
                    break;
                }
            }
        } else if args.round.is_none() && args.round_id.is_none() {
            rounds.retain(|r| r.map() == Some(filter.map.as_str()));
            rounds.sort_by_key(|r| (r.name.date, r.name.start_time));
            rounds = rounds.pop().into_iter().collect();
            if rounds.is_empty()
                && let Some((rt, store)) = &db
            {
                let newest = proxviz_store::RoundFilter { map: Some(filter.map.clone()), ..Default::default() };
                let page = rt.block_on(store.round_page(&newest, 0, 1))?;
                if let Some(r) = page.rounds.first() {
                    rounds.push(rt.block_on(store.load_round(r.id))?);
                }
            }
        }
        if rounds.is_empty() {
            anyhow::bail!("no round of {} to draw the season over", filter.map);
        }
        eprintln!("note: season of {}: {} rounds, {} kills", filter.map, computed.rounds, computed.kills);
        season = Some(std::sync::Arc::new(computed));
    }
    if let Some(part) = &args.round {
        rounds.retain(|r| r.name.base.contains(part.as_str()));
    }
    if rounds.is_empty() {
        anyhow::bail!(
            "no rounds to export{}",
            args.round.as_ref().map(|r| format!(" matching {r:?}")).unwrap_or_default()
        );
    }
    if season.is_some() {
        rounds.truncate(1);
    }
    for r in &rounds {
        if !r.report.is_clean() {
            eprintln!("warning: {}", r.report.to_string().trim_end().replace('\n', "\nwarning: "));
        }
        for note in time_notes(&settings, r) {
            eprintln!("note: {}: {note}", r.name.base);
        }
    }
    if settings.clip.is_some() {
        use crate::export::clip::{ClipFormat, mp4_available};
        match (ClipFormat::of(&args.out), args.out.extension()) {
            (Some(ClipFormat::Mp4), _) => mp4_available().map_err(anyhow::Error::msg)?,
            (None, Some(ext)) => {
                anyhow::bail!("--animate writes a .gif or a .mp4 (or a folder of them), not .{}", ext.to_string_lossy())
            }
            _ => {}
        }
    } else if crate::export::clip::ClipFormat::of(&args.out).is_some() {
        anyhow::bail!("{} is a clip: add --animate (and --from, --to)", args.out.display());
    }
    let n = rounds.len();
    let compares = match &args.compare_with {
        None => vec![None; n],
        Some(_) if season.is_some() => anyhow::bail!("--compare-with compares two rounds, not a season"),
        Some(what) => compare::compared_rounds(what, &rounds, &found, args.path.as_deref(), args.demo)?,
    };
    let side = settings.compare.is_some_and(|c| c.heat == CompareHeat::SideBySide);
    let mut jobs: Vec<Job> = Vec::new();
    for (round, compare) in rounds.into_iter().zip(compares) {
        let out = output_path(&args.out, &round.name.base, n, settings.clip.is_some());
        let this = compare
            .as_ref()
            .map(|_| std::sync::Arc::new(proxviz_data::Timeline::new(std::sync::Arc::new(round.clone()))));
        if let (true, Some(other), Some(this)) = (side, &compare, this) {
            eprintln!("note: {}: side by side with {}", round.name.base, other.round().name.base);
            let right =
                Job { round: other.round().clone(), out: out.clone(), compare: Some(this), joins_previous: true };
            jobs.push(Job { round, out, compare, joins_previous: false });
            jobs.push(right);
        } else {
            jobs.push(Job { round, out, compare, joins_previous: false });
        }
    }
    let progress = ((n > 1 || settings.clip.is_some()) && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(n as u64);
        let unit = if settings.clip.is_some() { "frames" } else { "rounds" };
        if let Ok(style) = ProgressStyle::with_template(&format!("{{bar:30}} {{pos}}/{{len}} {unit}  {{elapsed}}")) {
            bar.set_style(style);
        }
        bar
    });
    let maps = if matches!(settings.backdrop.mode, BackdropMode::Auto | BackdropMode::Image) || settings.backdrop.marks
    {
        let names = CommandMaps::maps_of(jobs.iter().map(|j| j.round.map()));
        let folders = game_folders(&args.etmain, args.path.as_deref());
        let (user, damaged) = UserCalibrations::read(UserCalibrations::file().as_deref());
        if let Some(note) = damaged {
            eprintln!("note: {note}");
        }
        let found = CommandMaps::search(&folders, &names, index_cache_file().as_deref(), &user);
        // What the search found is worth saying when there is a game install, or when the image
        // was asked for.
        if !folders.is_empty() || settings.backdrop.mode == BackdropMode::Image {
            for note in &found.notes {
                eprintln!("note: {note}");
            }
        }
        found
    } else {
        CommandMaps::default()
    };
    let results = export(jobs, &settings, maps, season, progress.clone());
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let mut failed = 0;
    for result in &results {
        match result {
            Ok(path) => writeln!(out, "{}", path.display())?,
            Err(e) => {
                eprintln!("error: {e}");
                failed += 1;
            }
        }
    }
    if results.len() < n {
        anyhow::bail!("the renderer stopped after {} of {n} rounds", results.len());
    }

    if failed > 0 {
        anyhow::bail!("{failed} of {n} rounds could not be exported");
    }
    Ok(())
}
