//! A map's entities: the entity lump of a Quake 3 BSP (`IBSP` version 47: magic, version, 17
//! lump directory entries of little-endian offset and length, lump 0 the entity text) or a
//! `.ent` file, parsed into key/value blocks; and what proxviz takes from them.

use std::collections::BTreeMap;

use glam::{Vec2, Vec3};

use super::Calibration;
use crate::model::Team;

/// One `{ "key" "value" ... }` block.
pub type Entity = BTreeMap<String, String>;

/// Largest entity text read (real maps have a few hundred KB).
pub(super) const MAX_ENTITY_BYTES: usize = 16 << 20;

/// Most entities kept from one map (real maps have a few thousand).
const MAX_ENTITIES: usize = 65_536;

/// The bounds (mins, maxs) of each of a BSP's models (lump 7: 40 bytes each), `*0` the world;
/// brush entities name theirs with `model "*N"`. Empty when the BSP cannot say.
pub fn bsp_models(bytes: &[u8]) -> Vec<(Vec3, Vec3)> {
    let word = |at: usize| -> Option<[u8; 4]> { bytes.get(at..at + 4)?.try_into().ok() };
    let (Some(offset), Some(length)) = (word(8 + 7 * 8), word(8 + 7 * 8 + 4)) else { return Vec::new() };
    let (offset, length) = (i32::from_le_bytes(offset), i32::from_le_bytes(length));
    let (Ok(offset), Ok(length)) = (usize::try_from(offset), usize::try_from(length)) else { return Vec::new() };
    let Some(lump) = offset.checked_add(length).and_then(|end| bytes.get(offset..end)) else { return Vec::new() };
    let f = |b: &[u8], i: usize| f32::from_le_bytes([b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]]);
    lump.chunks_exact(40)
        .map(|m| (Vec3::new(f(m, 0), f(m, 1), f(m, 2)), Vec3::new(f(m, 3), f(m, 4), f(m, 5))))
        .collect()
}

/// The entity text of a BSP file.
pub fn bsp_entities(bytes: &[u8]) -> Result<String, String> {
    let word = |at: usize| -> Option<i32> { Some(i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?)) };
    if bytes.get(..4) != Some(b"IBSP") {
        return Err("not a BSP file (no IBSP magic)".to_owned());
    }
    match word(4) {
        Some(47) => {}
        Some(v) => return Err(format!("BSP version {v}, not ET's 47")),
        None => return Err("cut short".to_owned()),
    }
    let (Some(offset), Some(length)) = (word(8), word(12)) else { return Err("cut short".to_owned()) };
    let (offset, length) = (usize::try_from(offset).ok(), usize::try_from(length).ok());
    let (Some(offset), Some(length)) = (offset, length) else { return Err("negative entity lump".to_owned()) };
    if length > MAX_ENTITY_BYTES {
        return Err(format!("entity lump of {length} bytes, more than proxviz reads"));
    }
    let lump = offset.checked_add(length).and_then(|end| bytes.get(offset..end)).ok_or("entity lump past the end")?;
    let text = lump.split(|&b| b == 0).next().unwrap_or_default();
    Ok(String::from_utf8_lossy(text).into_owned())
}

/// Parses entity text: blocks of quoted key/value pairs. Anything else is skipped.
pub fn parse_entities(text: &str) -> Vec<Entity> {
    let mut entities = Vec::new();
    let mut current: Option<Entity> = None;
    let mut key: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '{' if entities.len() >= MAX_ENTITIES => break,
            '{' => current = Some(Entity::new()),
            '}' => {
                entities.extend(current.take());
                key = None;
            }
            '"' => {
                let word: String = chars.by_ref().take_while(|&c| c != '"').collect();
                let Some(entity) = current.as_mut() else { continue };
                match key.take() {
                    None => key = Some(word.to_ascii_lowercase()),
                    Some(k) => {
                        entity.insert(k, word);
                    }
                }
            }
            _ => {}
        }
    }
    entities
}

/// The floor of a point at height `z` on a map whose floors have these ceilings: the first
/// whose ceiling is at or above it (0 when none is, or the map has no floors).
pub fn layer_of(ceilings: &[f32], z: f32) -> usize {
    ceilings.iter().position(|&ceil| z <= ceil).unwrap_or(0)
}

/// What proxviz uses of a map's entities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapInfo {
    /// worldspawn `mapcoordsmins` / `mapcoordsmaxs`, when both are there.
    pub calibration: Option<Calibration>,
    /// `cclayerceil<i>` of each of `cclayers` floors: the z ceiling of each.
    pub layer_ceilings: Vec<f32>,
    /// Spawn points (`team_CTF_redspawn`: Axis, `team_CTF_bluespawn`: Allies).
    pub spawns: Vec<(Team, Vec3)>,
    /// Objectives (`trigger_objective_info`, `func_constructible`, `func_explosive`): name and
    /// place (`origin`, when given).
    pub objectives: Vec<(String, Option<Vec3>)>,
}

fn vec2(s: &str) -> Option<Vec2> {
    let mut it = s.split_whitespace().map(str::parse::<f32>);
    let v = Vec2::new(it.next()?.ok()?, it.next()?.ok()?);
    v.is_finite().then_some(v)
}

fn vec3(s: &str) -> Option<Vec3> {
    let mut it = s.split_whitespace().map(str::parse::<f32>);
    let v = Vec3::new(it.next()?.ok()?, it.next()?.ok()?, it.next()?.ok()?);
    v.is_finite().then_some(v)
}

impl MapInfo {
    /// Reads the worldspawn (the first block) and the entities proxviz shows; brush entities
    /// without an `origin` are placed at the centre of their model among `models`.
    pub fn from_entities(entities: &[Entity], models: &[(Vec3, Vec3)]) -> Self {
        let mut info = Self::default();
        if let Some(world) = entities.first().filter(|e| e.get("classname").is_none_or(|c| c == "worldspawn")) {
            let mins = world.get("mapcoordsmins").and_then(|s| vec2(s));
            let maxs = world.get("mapcoordsmaxs").and_then(|s| vec2(s));
            info.calibration = mins.zip(maxs).map(|(top_left, bottom_right)| Calibration { top_left, bottom_right });
            let layers = world.get("cclayers").and_then(|s| s.trim().parse::<usize>().ok()).unwrap_or(0).min(16);
            info.layer_ceilings = (0..layers)
                .map_while(|i| world.get(&format!("cclayerceil{i}")).and_then(|s| s.trim().parse::<f32>().ok()))
                .collect();
        }
        for e in entities.iter().skip(1) {
            let model_centre = || {
                let n: usize = e.get("model")?.strip_prefix('*')?.parse().ok()?;
                let (lo, hi) = models.get(n)?;
                let c = (*lo + *hi) / 2.0;
                c.is_finite().then_some(c)
            };
            let origin = e.get("origin").and_then(|s| vec3(s)).or_else(model_centre);
            match e.get("classname").map(String::as_str) {
                Some("team_CTF_redspawn") => info.spawns.extend(origin.map(|o| (Team::Axis, o))),
                Some("team_CTF_bluespawn") => info.spawns.extend(origin.map(|o| (Team::Allies, o))),
                Some(class @ ("trigger_objective_info" | "func_constructible" | "func_explosive")) => {
                    let name = ["track", "targetname", "target"]
                        .iter()
                        .find_map(|k| e.get(*k))
                        .cloned()
                        .unwrap_or_else(|| class.to_owned());
                    // A trigger and the constructible it describes are one objective.
                    let same = |(n, o): &(String, Option<Vec3>)| {
                        *n == name && o.zip(origin).is_none_or(|(a, b)| a.truncate().distance(b.truncate()) < 600.0)
                    };
                    match info.objectives.iter_mut().find(|o| same(o)) {
                        // The one with a place wins.
                        Some(known) if known.1.is_none() => known.1 = origin,
                        Some(_) => {}
                        None => info.objectives.push((name, origin)),
                    }
                }
                _ => {}
            }
        }
        info
    }

    /// The floor of a point at height `z` ([`layer_of`]).
    pub fn layer_of(&self, z: f32) -> usize {
        layer_of(&self.layer_ceilings, z)
    }
}
