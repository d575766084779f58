-- Revives and objective events of a round (the window's timeline markers): one row per event.
-- `player` did it, to `other`; `team` is the doer's; a place when the round says where.
CREATE TABLE round_events (
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    time_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    player INTEGER,
    other INTEGER,
    team SMALLINT,
    x REAL,
    y REAL,
    z REAL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round_id, seq)
);
CREATE INDEX round_events_kind ON round_events (kind);
