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
const MAX_ENTITY_BYTES: usize = 16 << 20;

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
    /// Reads the worldspawn (the first block) and the entities proxviz shows.
    pub fn from_entities(entities: &[Entity]) -> Self {
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
            let origin = e.get("origin").and_then(|s| vec3(s));
            match e.get("classname").map(String::as_str) {
                Some("team_CTF_redspawn") => info.spawns.extend(origin.map(|o| (Team::Axis, o))),
                Some("team_CTF_bluespawn") => info.spawns.extend(origin.map(|o| (Team::Allies, o))),
                Some(class @ ("trigger_objective_info" | "func_constructible" | "func_explosive")) => {
                    let name = ["track", "targetname", "target"]
                        .iter()
                        .find_map(|k| e.get(*k))
                        .cloned()
                        .unwrap_or_else(|| class.to_owned());
                    info.objectives.push((name, origin));
                }
                _ => {}
            }
        }
        info
    }

    /// The floor of a point at height `z`: the first layer whose ceiling is at or above it.
    pub fn layer_of(&self, z: f32) -> usize {
        self.layer_ceilings.iter().position(|&ceil| z <= ceil).unwrap_or(0)
    }
}
