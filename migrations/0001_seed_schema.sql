-- The seed's four tables, exactly: columns, types and indexes, so that SQL written against the
-- Proximity Tracker's original schema keeps working.

CREATE TABLE player_positions (
    id SERIAL PRIMARY KEY,
    session_date DATE NOT NULL,
    round_number INTEGER NOT NULL,
    clientnum INTEGER NOT NULL,
    timestamp BIGINT NOT NULL,
    x REAL NOT NULL,
    y REAL NOT NULL,
    z REAL NOT NULL,
    yaw REAL NOT NULL,
    pitch REAL NOT NULL,
    speed REAL NOT NULL,
    moving INTEGER NOT NULL
);
CREATE UNIQUE INDEX player_positions_round_client_time ON player_positions (session_date, round_number, clientnum, timestamp);
CREATE INDEX player_positions_round ON player_positions (session_date, round_number);
CREATE INDEX player_positions_client ON player_positions (clientnum);
CREATE INDEX player_positions_time ON player_positions (timestamp);
CREATE INDEX player_positions_client_time_desc ON player_positions (clientnum, timestamp DESC);

CREATE TABLE combat_events (
    id SERIAL PRIMARY KEY,
    session_date DATE NOT NULL,
    round_number INTEGER NOT NULL,
    timestamp BIGINT NOT NULL,
    event_type VARCHAR(20) NOT NULL,
    attacker INTEGER NOT NULL,
    target INTEGER,
    distance REAL,
    nearby_allies INTEGER DEFAULT 0,
    nearby_enemies INTEGER DEFAULT 0,
    damage INTEGER DEFAULT 0
);
CREATE INDEX combat_events_round ON combat_events (session_date, round_number);
CREATE INDEX combat_events_type ON combat_events (event_type);
CREATE INDEX combat_events_attacker ON combat_events (attacker);
CREATE INDEX combat_events_target ON combat_events (target);
CREATE INDEX combat_events_time ON combat_events (timestamp);

CREATE TABLE engagement_analysis (
    id SERIAL PRIMARY KEY,
    session_date DATE NOT NULL,
    round_number INTEGER NOT NULL,
    engagement_type VARCHAR(20) NOT NULL,
    distance REAL NOT NULL,
    killer_name VARCHAR(64),
    victim_name VARCHAR(64)
);

CREATE TABLE proximity_heatmap (
    id SERIAL PRIMARY KEY,
    session_date DATE NOT NULL,
    round_number INTEGER NOT NULL,
    grid_x INTEGER NOT NULL,
    grid_y INTEGER NOT NULL,
    axis_kills INTEGER DEFAULT 0,
    allies_kills INTEGER DEFAULT 0
);
CREATE UNIQUE INDEX proximity_heatmap_round_cell ON proximity_heatmap (session_date, round_number, grid_x, grid_y);
