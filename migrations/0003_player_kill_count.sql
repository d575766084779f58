-- rounds.kill_count counts kills in the seed's sense: a player killed by another player (not a
-- suicide, a fall or the world). Rounds imported before counted every death of a player.
UPDATE rounds SET kill_count = (
    SELECT count(*) FROM combat_events c
    WHERE c.round_id = rounds.id
      AND c.event_type = 'kill'
      AND c.attacker BETWEEN 0 AND 63
      AND c.target BETWEEN 0 AND 63
      AND c.attacker <> c.target
);
