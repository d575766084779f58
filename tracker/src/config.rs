//! Editing the tracker's `config` table the way a server admin does: by changing the values in
//! the file. Also the seed's three presets.

/// A named set of config values (the seed's "Recommended Settings").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// `high`, `balanced` or `low`.
    pub name: &'static str,
    /// `position_update_interval` (ms).
    pub position_update_interval: u32,
    /// `proximity_check_distance` (units).
    pub proximity_check_distance: u32,
    /// `grid_size` (units).
    pub grid_size: u32,
}

/// High detail, balanced (the defaults) and low detail.
pub const PRESETS: [Preset; 3] = [
    Preset { name: "high", position_update_interval: 500, proximity_check_distance: 500, grid_size: 256 },
    Preset { name: "balanced", position_update_interval: 1000, proximity_check_distance: 300, grid_size: 512 },
    Preset { name: "low", position_update_interval: 2000, proximity_check_distance: 200, grid_size: 1024 },
];

impl Preset {
    /// The preset called `name`.
    pub fn named(name: &str) -> Option<Self> {
        PRESETS.into_iter().find(|p| p.name == name)
    }

    /// The tracker source with this preset's values.
    pub fn apply(&self, source: &str) -> Result<String, String> {
        with_config(
            source,
            &[
                ("position_update_interval", self.position_update_interval.to_string()),
                ("proximity_check_distance", self.proximity_check_distance.to_string()),
                ("grid_size", self.grid_size.to_string()),
            ],
        )
    }
}

/// `source` with the given keys of its `config = { ... }` table set to new Lua values; an error
/// names a key the table does not have.
pub fn with_config(source: &str, values: &[(&str, String)]) -> Result<String, String> {
    let start = source.find("config = {").ok_or("no `config = {` table in the tracker")?;
    let end = start + source[start..].find("\n}").ok_or("the config table is not closed")?;
    let mut block = source[start..end].to_owned();
    for (key, value) in values {
        let needle = format!("\n    {key} = ");
        let at = block.find(&needle).ok_or_else(|| format!("the tracker's config has no key {key}"))?;
        let value_start = at + needle.len();
        let value_end =
            value_start + block[value_start..].find(',').ok_or_else(|| format!("{key} has no trailing comma"))?;
        block.replace_range(value_start..value_end, value);
    }
    Ok(format!("{}{}{}", &source[..start], block, &source[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_value_is_replaced_in_place() {
        let src = "x = 1\nconfig = {\n    enabled = true,\n    grid_size = 512,                 -- units\n}\n";
        let out = with_config(src, &[("grid_size", "256".into())]).expect("edits");
        assert_eq!(out, "x = 1\nconfig = {\n    enabled = true,\n    grid_size = 256,                 -- units\n}\n");
        assert!(with_config(src, &[("nope", "1".into())]).is_err());
    }

    #[test]
    fn presets_apply_to_the_shipped_tracker() {
        for p in PRESETS {
            let out = p.apply(crate::TRACKER_LUA).expect("applies");
            assert!(out.contains(&format!("grid_size = {},", p.grid_size)));
            assert!(out.contains(&format!("position_update_interval = {},", p.position_update_interval)));
        }
    }
}
