-- proxviz's additions. The seed keys rows by (session_date, round_number) only, so two maps
-- played on one day collide. Every row now also belongs to a `rounds` row (one per set of round
-- files); the seed's two unique indexes stay as plain indexes on the same columns (its queries
-- keep their plans) and uniqueness moves to (round_id, ...). Seed columns are unchanged; the
-- superset columns of docs/round-format.md are added, nullable.

CREATE TABLE rounds (
    id BIGSERIAL PRIMARY KEY,
    base_name TEXT NOT NULL UNIQUE,
    session_date DATE NOT NULL,
    start_time TIME,
    map TEXT,
    round_number INTEGER NOT NULL,
    round_in_name INTEGER,
    zero_based BOOLEAN NOT NULL DEFAULT FALSE,
    metadata JSONB NOT NULL DEFAULT '{}',
    load_report JSONB NOT NULL DEFAULT '{}',
    source_files TEXT[] NOT NULL,
    content_hash TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    duration_ms BIGINT NOT NULL DEFAULT 0,
    player_count INTEGER NOT NULL DEFAULT 0,
    position_count INTEGER NOT NULL DEFAULT 0,
    combat_count INTEGER NOT NULL DEFAULT 0,
    kill_count INTEGER NOT NULL DEFAULT 0,
    engagement_count INTEGER NOT NULL DEFAULT 0,
    heatmap_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rounds_date ON rounds (session_date);
CREATE INDEX rounds_map_date ON rounds (map, session_date);

CREATE TABLE round_players (
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    clientnum INTEGER NOT NULL,
    team SMALLINT,
    name TEXT NOT NULL,
    name_clean TEXT NOT NULL,
    PRIMARY KEY (round_id, clientnum)
);
CREATE INDEX round_players_name ON round_players (name_clean);

ALTER TABLE player_positions
    ADD COLUMN round_id BIGINT REFERENCES rounds (id) ON DELETE CASCADE,
    ADD COLUMN team SMALLINT,
    ADD COLUMN health SMALLINT;
DROP INDEX player_positions_round_client_time;
CREATE INDEX player_positions_round_client_time ON player_positions (session_date, round_number, clientnum, timestamp);
CREATE UNIQUE INDEX player_positions_round_id_client_time ON player_positions (round_id, clientnum, timestamp);

ALTER TABLE combat_events
    ADD COLUMN round_id BIGINT REFERENCES rounds (id) ON DELETE CASCADE,
    ADD COLUMN seq INTEGER,
    ADD COLUMN weapon INTEGER,
    ADD COLUMN mod INTEGER,
    ADD COLUMN attacker_x REAL,
    ADD COLUMN attacker_y REAL,
    ADD COLUMN attacker_z REAL,
    ADD COLUMN target_x REAL,
    ADD COLUMN target_y REAL,
    ADD COLUMN target_z REAL;
CREATE INDEX combat_events_round_id ON combat_events (round_id, seq);
CREATE INDEX combat_events_kills ON combat_events (round_id) WHERE event_type = 'kill';

ALTER TABLE engagement_analysis
    ADD COLUMN round_id BIGINT REFERENCES rounds (id) ON DELETE CASCADE,
    ADD COLUMN seq INTEGER,
    ADD COLUMN time_ms BIGINT,
    ADD COLUMN killer INTEGER,
    ADD COLUMN victim INTEGER,
    ADD COLUMN victim_x REAL,
    ADD COLUMN victim_y REAL,
    ADD COLUMN victim_z REAL,
    ADD COLUMN attacker_backup INTEGER,
    ADD COLUMN target_backup INTEGER;
CREATE INDEX engagement_analysis_round ON engagement_analysis (session_date, round_number);
CREATE INDEX engagement_analysis_round_id ON engagement_analysis (round_id, seq);

ALTER TABLE proximity_heatmap
    ADD COLUMN round_id BIGINT REFERENCES rounds (id) ON DELETE CASCADE,
    ADD COLUMN seq INTEGER;
DROP INDEX proximity_heatmap_round_cell;
CREATE INDEX proximity_heatmap_round_cell ON proximity_heatmap (session_date, round_number, grid_x, grid_y);
CREATE UNIQUE INDEX proximity_heatmap_round_id_cell ON proximity_heatmap (round_id, grid_x, grid_y);
