//! ET:Legacy's weapon numbers (`WP_*`) and means of death (`MOD_*`) as the names players know,
//! for kill feeds, hover text and filters. The numbers are the game's (unchanged since 2.76);
//! an unknown number reads as `weapon 77` / `means 77` rather than a guess.

/// `WP_*` numbers and their names, in the game's order.
const WEAPONS: [(u16, &str); 56] = [
    (0, "none"),
    (1, "Knife"),
    (2, "Luger"),
    (3, "MP40"),
    (4, "Grenade"),
    (5, "Panzerfaust"),
    (6, "Flamethrower"),
    (7, "Colt"),
    (8, "Thompson"),
    (9, "Grenade"),
    (10, "Sten"),
    (11, "Syringe"),
    (12, "Ammo pack"),
    (13, "Artillery"),
    (14, "Silenced Luger"),
    (15, "Dynamite"),
    (16, "Smoke trail"),
    (17, "Map mortar"),
    (18, "Big explosion"),
    (19, "Medkit"),
    (20, "Binoculars"),
    (21, "Pliers"),
    (22, "Smoke marker"),
    (23, "K43 rifle"),
    (24, "M1 carbine"),
    (25, "M1 Garand"),
    (26, "Landmine"),
    (27, "Satchel"),
    (28, "Satchel detonator"),
    (29, "Smoke bomb"),
    (30, "Mobile MG42"),
    (31, "K43"),
    (32, "FG42"),
    (33, "MG42"),
    (34, "Mortar"),
    (35, "Akimbo Colts"),
    (36, "Akimbo Lugers"),
    (37, "GPG40"),
    (38, "M7"),
    (39, "Silenced Colt"),
    (40, "Scoped Garand"),
    (41, "Scoped K43"),
    (42, "Scoped FG42"),
    (43, "Mortar (set)"),
    (44, "Adrenaline"),
    (45, "Akimbo silenced Colts"),
    (46, "Akimbo silenced Lugers"),
    (47, "Mobile MG42 (set)"),
    (48, "Ka-Bar knife"),
    (49, "Mobile Browning"),
    (50, "Mobile Browning (set)"),
    (51, "Granatwerfer"),
    (52, "Granatwerfer (set)"),
    (53, "Bazooka"),
    (54, "MP34"),
    (55, "Airstrike"),
];

/// `MOD_*` numbers and their names, in the game's order.
const MEANS: [(u16, &str); 67] = [
    (0, "unknown"),
    (1, "Machinegun"),
    (2, "Browning"),
    (3, "MG42"),
    (4, "Grenade"),
    (5, "Knife"),
    (6, "Luger"),
    (7, "Colt"),
    (8, "MP40"),
    (9, "Thompson"),
    (10, "Sten"),
    (11, "M1 Garand"),
    (12, "Silenced Luger"),
    (13, "FG42"),
    (14, "Scoped FG42"),
    (15, "Panzerfaust"),
    (16, "Grenade"),
    (17, "Flamethrower"),
    (18, "Grenade"),
    (19, "Map mortar"),
    (20, "Map mortar splash"),
    (21, "Kicked"),
    (22, "Dynamite"),
    (23, "Airstrike"),
    (24, "Syringe"),
    (25, "Ammo"),
    (26, "Artillery"),
    (27, "Drowned"),
    (28, "Slime"),
    (29, "Lava"),
    (30, "Crushed"),
    (31, "Telefrag"),
    (32, "Fell"),
    (33, "Suicide"),
    (34, "Laser"),
    (35, "Trigger hurt"),
    (36, "Explosion"),
    (37, "M1 carbine"),
    (38, "K43 rifle"),
    (39, "GPG40"),
    (40, "M7"),
    (41, "Landmine"),
    (42, "Satchel"),
    (43, "Smoke bomb"),
    (44, "Mobile MG42"),
    (45, "Silenced Colt"),
    (46, "Scoped Garand"),
    (47, "Crushed by construction"),
    (48, "Crushed by construction"),
    (49, "Crushed by construction"),
    (50, "K43"),
    (51, "Scoped K43"),
    (52, "Mortar"),
    (53, "Akimbo Colts"),
    (54, "Akimbo Lugers"),
    (55, "Akimbo silenced Colts"),
    (56, "Akimbo silenced Lugers"),
    (57, "Smoke grenade"),
    (58, "Swapped places"),
    (59, "Switched team"),
    (60, "Shoved"),
    (61, "Ka-Bar knife"),
    (62, "Mobile Browning"),
    (63, "Granatwerfer"),
    (64, "Bazooka"),
    (65, "Backstab"),
    (66, "MP34"),
];

fn lookup(table: &[(u16, &'static str)], id: u16) -> Option<&'static str> {
    table.get(usize::from(id)).filter(|(n, _)| *n == id).map(|(_, name)| *name)
}

/// A weapon's name (`WP_*` number), `None` for a number the game does not have.
pub fn weapon_name(id: u16) -> Option<&'static str> {
    lookup(&WEAPONS, id)
}

/// A means of death's name (`MOD_*` number), `None` for a number the game does not have.
pub fn means_name(id: u16) -> Option<&'static str> {
    lookup(&MEANS, id)
}

/// A weapon's name, or `weapon 77` for a number the game does not have.
pub fn weapon_label(id: u16) -> String {
    weapon_name(id).map_or_else(|| format!("weapon {id}"), str::to_owned)
}

/// What killed, as a kill feed says it: the means of death when the round has it (it tells a
/// backstab from a knife, a fall from a push), else the weapon, else `?`.
pub fn killed_with(mod_id: Option<u16>, weapon: Option<u16>) -> String {
    match (mod_id, weapon) {
        (Some(m), _) if m != 0 => means_name(m).map_or_else(|| format!("means {m}"), str::to_owned),
        (_, Some(w)) if w != 0 => weapon_label(w),
        _ => "?".to_owned(),
    }
}

/// Every weapon number with the same name as `id` (the Axis and the Allied grenade are two
/// numbers), `id` itself first; just `id` for a number the game does not have.
pub fn same_weapon(id: u16) -> Vec<u16> {
    let mut ids = vec![id];
    if let Some(name) = weapon_name(id) {
        ids.extend(WEAPONS.iter().filter(|(n, w)| *w == name && *n != id).map(|(n, _)| *n));
    }
    ids
}

/// Every weapon number and name, for filters.
pub fn weapons() -> impl Iterator<Item = (u16, &'static str)> {
    WEAPONS.iter().copied()
}

/// Every means of death number and name, for filters.
pub fn means() -> impl Iterator<Item = (u16, &'static str)> {
    MEANS.iter().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_in_number_order_without_gaps() {
        assert!(WEAPONS.iter().enumerate().all(|(i, (n, _))| usize::from(*n) == i));
        assert!(MEANS.iter().enumerate().all(|(i, (n, _))| usize::from(*n) == i));
    }

    #[test]
    fn the_numbers_the_game_exports_to_lua_have_their_names() {
        // The checked ones (et-lua-api reference): WP_*.
        for (id, name) in [(1, "Knife"), (2, "Luger"), (3, "MP40"), (5, "Panzerfaust"), (7, "Colt"), (8, "Thompson")] {
            assert_eq!(weapon_name(id), Some(name));
        }
        for (id, name) in [(10, "Sten"), (23, "K43 rifle"), (24, "M1 carbine"), (25, "M1 Garand")] {
            assert_eq!(weapon_name(id), Some(name));
        }
        assert_eq!(weapon_name(30), Some("Mobile MG42"));
        assert_eq!(weapon_name(31), Some("K43"));
        // MOD_*.
        for (id, name) in [(3, "MG42"), (4, "Grenade"), (5, "Knife"), (9, "Thompson"), (15, "Panzerfaust")] {
            assert_eq!(means_name(id), Some(name));
        }
        for (id, name) in [(22, "Dynamite"), (23, "Airstrike"), (26, "Artillery"), (32, "Fell"), (33, "Suicide")] {
            assert_eq!(means_name(id), Some(name));
        }
        for (id, name) in [(41, "Landmine"), (44, "Mobile MG42"), (50, "K43"), (52, "Mortar"), (65, "Backstab")] {
            assert_eq!(means_name(id), Some(name));
        }
    }

    #[test]
    fn a_feed_names_the_means_then_the_weapon_and_never_guesses() {
        assert_eq!(killed_with(Some(65), Some(1)), "Backstab");
        assert_eq!(killed_with(None, Some(8)), "Thompson");
        assert_eq!(killed_with(Some(0), Some(3)), "MP40", "MOD_UNKNOWN says nothing");
        assert_eq!(killed_with(Some(900), None), "means 900");
        assert_eq!(killed_with(None, Some(u16::MAX)), "weapon 65535");
        assert_eq!(killed_with(None, None), "?");
        assert_eq!(weapon_name(56), None);
        assert_eq!(same_weapon(9), [9, 4], "both teams' grenades");
        assert_eq!(same_weapon(8), [8]);
        assert_eq!(same_weapon(900), [900]);
    }
}
