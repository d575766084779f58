-- The season view and the round browser.
--
-- season_kills: one row per player kill with a place, as the window's heatmap counts it (the
-- victim's position; the killer's team at the time). season_cells and season_months: those
-- kills summed per map, day (or month), round number, killer team and 64-unit cell, kept up to
-- date by every import and replacement, so a season heatmap over 100,000 rounds reads whole
-- months from the monthly sums and only the days at the ends of its date range from the daily
-- ones, instead of millions of kills. player_names: each clean name once, so a name filter scans
-- thousands of names instead of millions of roster rows.

ALTER TABLE rounds ADD COLUMN import_notes TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX rounds_newest ON rounds (session_date DESC, start_time DESC NULLS LAST, id DESC);
CREATE INDEX rounds_map_newest ON rounds (map, session_date DESC, start_time DESC NULLS LAST, id DESC);

CREATE TABLE player_names (
    id BIGSERIAL PRIMARY KEY,
    name_clean TEXT NOT NULL UNIQUE
);
INSERT INTO player_names (name_clean) SELECT DISTINCT name_clean FROM round_players;
ALTER TABLE round_players ADD COLUMN name_id BIGINT REFERENCES player_names (id);
UPDATE round_players p SET name_id = n.id FROM player_names n WHERE n.name_clean = p.name_clean;
CREATE INDEX round_players_name_id ON round_players (name_id, round_id);

CREATE TABLE season_kills (
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    killer SMALLINT,
    victim SMALLINT,
    killer_team SMALLINT,
    x REAL NOT NULL CHECK (abs(x) <= 1000000),
    y REAL NOT NULL CHECK (abs(y) <= 1000000)
);
CREATE INDEX season_kills_round ON season_kills (round_id);

-- Kills of rounds imported before: the combat line's victim position, else the victim's last
-- sample at or before the kill; the killer's team from their last sample, else the roster.
INSERT INTO season_kills (round_id, killer, victim, killer_team, x, y)
SELECT k.round_id, k.attacker, k.target, k.team, k.x, k.y FROM (
    SELECT c.round_id, c.attacker::smallint AS attacker, c.target::smallint AS target,
           COALESCE(
               (SELECT pp.team FROM player_positions pp
                WHERE pp.round_id = c.round_id AND pp.clientnum = c.attacker AND pp.timestamp <= c.timestamp
                  AND pp.team IS NOT NULL
                ORDER BY pp.timestamp DESC LIMIT 1),
               kp.team) AS team,
           COALESCE(c.target_x, p.x) AS x, COALESCE(c.target_y, p.y) AS y
    FROM combat_events c
    LEFT JOIN round_players kp ON kp.round_id = c.round_id AND kp.clientnum = c.attacker
    LEFT JOIN LATERAL (
        SELECT pp.x, pp.y FROM player_positions pp
        WHERE c.target_x IS NULL AND pp.round_id = c.round_id AND pp.clientnum = c.target AND pp.timestamp <= c.timestamp
        ORDER BY pp.timestamp DESC LIMIT 1) p ON TRUE
    WHERE c.round_id IS NOT NULL AND c.event_type = 'kill'
      AND c.attacker BETWEEN 0 AND 63 AND c.target BETWEEN 0 AND 63 AND c.attacker <> c.target
) k
WHERE abs(k.x) <= 1000000 AND abs(k.y) <= 1000000;

CREATE TABLE season_cells (
    map TEXT NOT NULL,
    session_date DATE NOT NULL,
    round_number INTEGER NOT NULL,
    -- 1 Axis, 2 Allies, 0 unknown.
    killer_team SMALLINT NOT NULL,
    cx INTEGER NOT NULL,
    cy INTEGER NOT NULL,
    kills BIGINT NOT NULL,
    PRIMARY KEY (map, session_date, round_number, killer_team, cx, cy)
);

INSERT INTO season_cells (map, session_date, round_number, killer_team, cx, cy, kills)
SELECT r.map, r.session_date, r.round_number, COALESCE(k.killer_team, 0), floor(k.x / 64)::int, floor(k.y / 64)::int,
       count(*)
FROM season_kills k JOIN rounds r ON r.id = k.round_id
WHERE r.map IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TABLE season_months (
    map TEXT NOT NULL,
    month DATE NOT NULL,
    round_number INTEGER NOT NULL,
    killer_team SMALLINT NOT NULL,
    cx INTEGER NOT NULL,
    cy INTEGER NOT NULL,
    kills BIGINT NOT NULL,
    PRIMARY KEY (map, month, round_number, killer_team, cx, cy)
);

INSERT INTO season_months (map, month, round_number, killer_team, cx, cy, kills)
SELECT map, date_trunc('month', session_date)::date, round_number, killer_team, cx, cy, sum(kills)
FROM season_cells
GROUP BY 1, 2, 3, 4, 5, 6;

-- Deleting a round (by hand, or an import replacing it) takes its kills out of the sums first,
-- while its season_kills are still there; one writer per map and month at a time, as imports.
CREATE FUNCTION season_forget_round() RETURNS trigger AS $$
BEGIN
    IF OLD.map IS NULL THEN
        RETURN OLD;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(OLD.map || '/' || date_trunc('month', OLD.session_date)::date::text, 31));
    UPDATE season_cells s SET kills = s.kills - d.n
    FROM (SELECT COALESCE(killer_team, 0) AS team, floor(x / 64)::int AS cx, floor(y / 64)::int AS cy, count(*) AS n
          FROM season_kills WHERE round_id = OLD.id GROUP BY 1, 2, 3) d
    WHERE s.map = OLD.map AND s.session_date = OLD.session_date AND s.round_number = OLD.round_number
      AND s.killer_team = d.team AND s.cx = d.cx AND s.cy = d.cy;
    DELETE FROM season_cells WHERE map = OLD.map AND session_date = OLD.session_date AND kills <= 0;
    UPDATE season_months s SET kills = s.kills - d.n
    FROM (SELECT COALESCE(killer_team, 0) AS team, floor(x / 64)::int AS cx, floor(y / 64)::int AS cy, count(*) AS n
          FROM season_kills WHERE round_id = OLD.id GROUP BY 1, 2, 3) d
    WHERE s.map = OLD.map AND s.month = date_trunc('month', OLD.session_date)::date
      AND s.round_number = OLD.round_number AND s.killer_team = d.team AND s.cx = d.cx AND s.cy = d.cy;
    DELETE FROM season_months WHERE map = OLD.map AND month = date_trunc('month', OLD.session_date)::date AND kills <= 0;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER rounds_season_forget BEFORE DELETE ON rounds FOR EACH ROW EXECUTE FUNCTION season_forget_round();
