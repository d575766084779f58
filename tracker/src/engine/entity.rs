//! Client slots and `et.gentity_get` / `et.gentity_set` fields with the types the real engine
//! returns: INT as Lua integers, FLOAT as floats, STRING as strings, VEC3 as a new 1-indexed
//! table, INT_ARRAY as one integer at a 0-based index (no bounds check in ET; here an index out
//! of the array reads 0). An unknown field raises `tried to get invalid gentity field`.

/// `pers.connected` values (`clientConnected_t`).
pub const CON_DISCONNECTED: i64 = 0;
/// Connecting.
pub const CON_CONNECTING: i64 = 1;
/// Connected and in the game.
pub const CON_CONNECTED: i64 = 2;

/// ET's angle indices into `ps.viewangles`.
pub const PITCH: usize = 0;
/// Yaw index.
pub const YAW: usize = 1;

/// One client slot as qagame holds it. Fields keep their values after a disconnect (stale), as
/// in the real engine.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSlot {
    /// `pers.connected`.
    pub connected: i64,
    /// Whether the client is a bot.
    pub is_bot: bool,
    /// `pers.netname` (colour codes included).
    pub name: String,
    /// `sess.sessionTeam` (0 free, 1 axis, 2 allies, 3 spectator).
    pub team: i64,
    /// `sess.playerType` (0 soldier .. 4 covert ops).
    pub player_type: i64,
    /// `ps.origin`.
    pub origin: [f32; 3],
    /// `ps.velocity`.
    pub velocity: [f32; 3],
    /// `ps.viewangles` (pitch, yaw, roll).
    pub viewangles: [f32; 3],
    /// `health` (also `ps.stats[0]`).
    pub health: i64,
    /// `ps.weapon`.
    pub weapon: i64,
    /// `ps.ammo`, by weapon.
    pub ammo: [i64; 64],
    /// `pers.playerStats.hitRegions` (head, arms, body, legs): cumulative hits by region.
    pub hit_regions: [i64; 4],
    /// `sess.damage_given`.
    pub damage_given: i64,
    /// `sess.damage_received`.
    pub damage_received: i64,
    /// `sess.kills`.
    pub kills: i64,
    /// `sess.deaths`.
    pub deaths: i64,
    /// The userinfo string (`\name\...\cl_guid\...\ip\...`).
    pub userinfo: String,
}

impl Default for ClientSlot {
    fn default() -> Self {
        Self {
            connected: CON_DISCONNECTED,
            is_bot: false,
            name: String::new(),
            team: 3,
            player_type: 0,
            origin: [0.0; 3],
            velocity: [0.0; 3],
            viewangles: [0.0; 3],
            health: 0,
            weapon: 0,
            ammo: [0; 64],
            hit_regions: [0; 4],
            damage_given: 0,
            damage_received: 0,
            kills: 0,
            deaths: 0,
            userinfo: String::new(),
        }
    }
}

/// A value read from an entity field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// INT fields and INT_ARRAY elements.
    Int(i64),
    /// FLOAT fields.
    Float(f64),
    /// STRING fields.
    Str(String),
    /// VEC3 fields.
    Vec3([f32; 3]),
    /// A client field of an entity that is not a client.
    Nil,
}

/// Why a field access failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// No such field (the engine's own message).
    Invalid(String),
    /// The field cannot be written.
    ReadOnly(String),
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(field) => write!(f, "tried to get invalid gentity field \"{field}\""),
            Self::ReadOnly(field) => write!(f, "tried to set read-only gentity field \"{field}\""),
        }
    }
}

/// Names of the fields this engine knows, lower-case, for documentation and tests.
pub const FIELDS: &[&str] = &[
    "inuse",
    "classname",
    "health",
    "s.number",
    "r.currentorigin",
    "ps.origin",
    "ps.velocity",
    "ps.viewangles",
    "ps.weapon",
    "ps.clientnum",
    "ps.stats",
    "ps.ammo",
    "ps.powerups",
    "pers.netname",
    "pers.connected",
    "pers.playerstats.hitregions",
    "sess.sessionteam",
    "sess.playertype",
    "sess.damage_given",
    "sess.damage_received",
    "sess.kills",
    "sess.deaths",
];

fn element(values: &[i64], index: i64) -> FieldValue {
    FieldValue::Int(usize::try_from(index).ok().and_then(|i| values.get(i)).copied().unwrap_or(0))
}

/// Reads `field` (any case) of client slot `slot` (entity number `entnum`), `None` for a
/// non-client entity.
pub fn get_field(entnum: i64, slot: Option<&ClientSlot>, field: &str, index: i64) -> Result<FieldValue, FieldError> {
    let lower = field.to_ascii_lowercase();
    if !FIELDS.contains(&lower.as_str()) {
        return Err(FieldError::Invalid(field.to_owned()));
    }
    let Some(c) = slot else {
        return Ok(match lower.as_str() {
            "inuse" => FieldValue::Int(0),
            "classname" => FieldValue::Str(String::new()),
            "s.number" => FieldValue::Int(entnum),
            "health" => FieldValue::Int(0),
            "r.currentorigin" => FieldValue::Vec3([0.0; 3]),
            _ => FieldValue::Nil,
        });
    };
    let in_use = c.connected != CON_DISCONNECTED;
    Ok(match lower.as_str() {
        "inuse" => FieldValue::Int(i64::from(in_use)),
        "classname" => FieldValue::Str(if in_use { "player".into() } else { "disconnected".into() }),
        "health" => FieldValue::Int(c.health),
        "s.number" | "ps.clientnum" => FieldValue::Int(entnum),
        "r.currentorigin" | "ps.origin" => FieldValue::Vec3(c.origin),
        "ps.velocity" => FieldValue::Vec3(c.velocity),
        "ps.viewangles" => FieldValue::Vec3(c.viewangles),
        "ps.weapon" => FieldValue::Int(c.weapon),
        "ps.stats" => element(&[c.health, 0, 0, 0, 100], index),
        "ps.ammo" => element(&c.ammo, index),
        "ps.powerups" => element(&[], index),
        "pers.netname" => FieldValue::Str(c.name.clone()),
        "pers.connected" => FieldValue::Int(c.connected),
        "pers.playerstats.hitregions" => element(&c.hit_regions, index),
        "sess.sessionteam" => FieldValue::Int(c.team),
        "sess.playertype" => FieldValue::Int(c.player_type),
        "sess.damage_given" => FieldValue::Int(c.damage_given),
        "sess.damage_received" => FieldValue::Int(c.damage_received),
        "sess.kills" => FieldValue::Int(c.kills),
        "sess.deaths" => FieldValue::Int(c.deaths),
        _ => return Err(FieldError::Invalid(field.to_owned())),
    })
}

/// Writes an integer field; the fields a tracker might set (health, team stats) are writable.
pub fn set_int_field(slot: &mut ClientSlot, field: &str, value: i64) -> Result<(), FieldError> {
    match field.to_ascii_lowercase().as_str() {
        "health" => slot.health = value,
        "ps.weapon" => slot.weapon = value,
        "sess.damage_given" => slot.damage_given = value,
        "sess.damage_received" => slot.damage_received = value,
        "sess.kills" => slot.kills = value,
        "sess.deaths" => slot.deaths = value,
        lower if FIELDS.contains(&lower) => return Err(FieldError::ReadOnly(field.to_owned())),
        _ => return Err(FieldError::Invalid(field.to_owned())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_case_insensitive_and_typed() {
        let slot = ClientSlot { origin: [1.0, 2.0, 3.0], team: 1, name: "^1A".into(), ..ClientSlot::default() };
        assert_eq!(get_field(0, Some(&slot), "PS.Origin", 0), Ok(FieldValue::Vec3([1.0, 2.0, 3.0])));
        assert_eq!(get_field(0, Some(&slot), "sess.sessionTeam", 0), Ok(FieldValue::Int(1)));
        assert_eq!(get_field(0, Some(&slot), "pers.netname", 0), Ok(FieldValue::Str("^1A".into())));
    }

    #[test]
    fn unknown_fields_are_errors_with_the_engine_message() {
        let err = get_field(0, Some(&ClientSlot::default()), "ps.nonsense", 0).expect_err("invalid");
        assert_eq!(err.to_string(), "tried to get invalid gentity field \"ps.nonsense\"");
    }

    #[test]
    fn array_fields_take_a_zero_based_index() {
        let slot = ClientSlot { health: 87, hit_regions: [1, 2, 3, 4], ..ClientSlot::default() };
        assert_eq!(get_field(0, Some(&slot), "ps.stats", 0), Ok(FieldValue::Int(87)));
        assert_eq!(get_field(0, Some(&slot), "pers.playerStats.hitRegions", 3), Ok(FieldValue::Int(4)));
        assert_eq!(get_field(0, Some(&slot), "pers.playerStats.hitRegions", 99), Ok(FieldValue::Int(0)));
    }

    #[test]
    fn client_fields_of_other_entities_are_nil() {
        assert_eq!(get_field(300, None, "pers.netname", 0), Ok(FieldValue::Nil));
        assert_eq!(get_field(300, None, "s.number", 0), Ok(FieldValue::Int(300)));
    }
}
