//! Maps the simulator plays on: a walkable graph of waypoints in ET world units, with spawns and
//! objectives, laid out inside each map's real command-map bounds so rounds line up with the
//! map's overview image. Layouts are drawn as text: `.` a waypoint, `A`/`L` Axis/Allied spawn,
//! `O` an objective, anything else no waypoint; neighbours in a row or column are connected.

use glam::Vec3;

/// A playable map.
#[derive(Debug, Clone)]
pub struct MapDef {
    /// BSP name (`supply`, `sw_goldrush_te`).
    pub name: &'static str,
    /// Waypoint positions.
    pub nodes: Vec<Vec3>,
    /// Neighbours of each waypoint.
    pub links: Vec<Vec<usize>>,
    /// Axis spawn waypoints.
    pub axis_spawns: Vec<usize>,
    /// Allied spawn waypoints.
    pub allies_spawns: Vec<usize>,
    /// Objective waypoints (what attackers go for and defenders hold).
    pub objectives: Vec<usize>,
    /// `next_hop[a][b]`: the neighbour of `a` on a shortest path to `b`.
    next_hop: Vec<Vec<usize>>,
}

struct Layout {
    name: &'static str,
    /// World x of the left edge and y of the top edge, and the far corner (command-map calibration).
    mins: (f32, f32),
    maxs: (f32, f32),
    rows: &'static [&'static str],
    /// Height variation in units.
    relief: f32,
}

const SUPPLY: Layout = Layout {
    name: "supply",
    mins: (-3200.0, 3200.0),
    maxs: (3200.0, -3200.0),
    relief: 96.0,
    rows: &[
        "AA.....#.....",
        "A..#.#...#.#.",
        "..##.O..##...",
        "..#.....#..#.",
        "....##.O.....",
        ".#....#....#.",
        "..O.#...##...",
        ".#.....#.....",
        "...##.#..#.#.",
        ".#.......#..L",
        "....#.#....LL",
    ],
};

const GOLDRUSH: Layout = Layout {
    name: "sw_goldrush_te",
    mins: (-4224.0, 4352.0),
    maxs: (3712.0, -3584.0),
    relief: 160.0,
    rows: &[
        "L.L....#....#.",
        "L..#.##..#....",
        "..#......#.#..",
        ".#..#.O#....#.",
        "......#...#...",
        ".##.#...#...#.",
        "...#..O...#...",
        ".#...#..#..#..",
        "...#....#....O",
        "#.#..#.#...#..",
        "......#...#.AA",
        ".#.#.....#..AA",
    ],
};

/// Names of the maps the simulator knows.
pub const MAP_NAMES: &[&str] = &["supply", "sw_goldrush_te"];

/// The map called `name`.
pub fn map(name: &str) -> Option<MapDef> {
    [SUPPLY, GOLDRUSH].into_iter().find(|l| l.name == name).map(build)
}

fn build(layout: Layout) -> MapDef {
    let rows = layout.rows.len();
    let cols = layout.rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let cell_w = (layout.maxs.0 - layout.mins.0) / cols as f32;
    let cell_h = (layout.maxs.1 - layout.mins.1) / rows as f32;
    let mut index = vec![vec![None; cols]; rows];
    let mut def = MapDef {
        name: layout.name,
        nodes: Vec::new(),
        links: Vec::new(),
        axis_spawns: Vec::new(),
        allies_spawns: Vec::new(),
        objectives: Vec::new(),
        next_hop: Vec::new(),
    };
    for (r, row) in layout.rows.iter().enumerate() {
        for (c, ch) in row.chars().enumerate() {
            if !matches!(ch, '.' | 'A' | 'L' | 'O') {
                continue;
            }
            let id = def.nodes.len();
            let x = layout.mins.0 + (c as f32 + 0.5) * cell_w;
            let y = layout.mins.1 + (r as f32 + 0.5) * cell_h;
            // Gentle hills: a fixed pattern, so the same map always has the same heights.
            let z = layout.relief * (((r * 3 + c * 7) % 5) as f32 / 4.0) - 16.0;
            def.nodes.push(Vec3::new(x.round(), y.round(), z.round()));
            match ch {
                'A' => def.axis_spawns.push(id),
                'L' => def.allies_spawns.push(id),
                'O' => def.objectives.push(id),
                _ => {}
            }
            index[r][c] = Some(id);
        }
    }
    def.links = vec![Vec::new(); def.nodes.len()];
    for r in 0..rows {
        for c in 0..cols {
            let Some(a) = index[r][c] else { continue };
            for (dr, dc) in [(0, 1), (1, 0)] {
                if let Some(b) = index.get(r + dr).and_then(|row| row.get(c + dc)).copied().flatten() {
                    def.links[a].push(b);
                    def.links[b].push(a);
                }
            }
        }
    }
    def.next_hop = (0..def.nodes.len()).map(|target| bfs_towards(&def.links, target)).collect();
    // next_hop[target][from] was built; store it as [from][target].
    let n = def.nodes.len();
    let by_target = std::mem::take(&mut def.next_hop);
    def.next_hop = (0..n).map(|from| (0..n).map(|to| by_target[to][from]).collect()).collect();
    def
}

/// For every node, the neighbour to step to on a shortest path to `target` (itself if
/// unreachable or already there).
fn bfs_towards(links: &[Vec<usize>], target: usize) -> Vec<usize> {
    let mut step = (0..links.len()).collect::<Vec<_>>();
    let mut seen = vec![false; links.len()];
    let mut queue = std::collections::VecDeque::from([target]);
    seen[target] = true;
    while let Some(n) = queue.pop_front() {
        for &m in &links[n] {
            if !seen[m] {
                seen[m] = true;
                step[m] = n;
                queue.push_back(m);
            }
        }
    }
    step
}

impl MapDef {
    /// The neighbour of `from` on a shortest path to `to`.
    pub fn next_hop(&self, from: usize, to: usize) -> usize {
        self.next_hop[from][to]
    }

    /// Spawn waypoints of a team (1 Axis, 2 Allies).
    pub fn spawns(&self, team: i64) -> &[usize] {
        if team == 1 { &self.axis_spawns } else { &self.allies_spawns }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_map_is_connected_from_spawn_to_spawn_through_the_objectives() {
        for name in MAP_NAMES {
            let m = map(name).expect("known map");
            assert!(!m.axis_spawns.is_empty() && !m.allies_spawns.is_empty() && !m.objectives.is_empty(), "{name}");
            for &goal in m.objectives.iter().chain(&m.axis_spawns) {
                let mut at = m.allies_spawns[0];
                for _ in 0..m.nodes.len() {
                    at = m.next_hop(at, goal);
                }
                assert_eq!(at, goal, "{name}: objective {goal} unreachable");
            }
        }
    }

    #[test]
    fn waypoints_lie_inside_the_command_map_bounds() {
        let m = map("supply").expect("known map");
        assert!(m.nodes.iter().all(|p| p.x.abs() < 3200.0 && p.y.abs() < 3200.0));
        let g = map("sw_goldrush_te").expect("known map");
        assert!(g.nodes.iter().all(|p| (-4224.0..3712.0).contains(&p.x) && (-3584.0..4352.0).contains(&p.y)));
    }
}
