--[[
proximity_tracker.lua - Proximity Tracker for ET:Legacy (Lua 5.4, qagame lua_modules)

Records every round: where each player was, every shot, hit and kill with who was nearby,
what kind of fight each kill was (1v1, 2v1, 1v2, ...) and a kill-density grid, as four
tab-separated files in <fs_homepath>/<fs_game>/<output_dir>:

  <date>-<time>-<map>-round-<N>_positions.txt     streamed during the round
  <date>-<time>-<map>-round-<N>_combat.txt        streamed during the round
  <date>-<time>-<map>-round-<N>_engagements.txt   streamed during the round
  <date>-<time>-<map>-round-<N>_heatmap.txt       written when the round ends

The format is described in proxviz's docs/round-format.md (the seed's columns, plus metadata,
a roster and extra columns). Install: copy this file into the fs_game folder (e.g. legacy/)
and add it to the lua_modules cvar; the console then prints
"Lua 5.4 API: file 'proximity_tracker.lua' loaded into Lua VM".

Cost: player state is read once per frame at most, neighbours are found with a spatial grid,
events are written to disk every second, and memory stays bounded however long the round.
]]

local VERSION = "1.0.0"

-- Tracker settings (the seed's eleven keys). Edit here; presets are in proxviz's docs/tracker.md.
config = {
    enabled = true,
    debug = false,
    output_dir = "gamestats/",
    position_update_interval = 1000, -- ms between position snapshots
    max_position_snapshots = 600,    -- in-memory window per player (the files keep everything)
    stationary_threshold = 5,        -- units/s below which a player is not moving
    stationary_duration = 3000,      -- ms to count as stationary
    proximity_check_distance = 300,  -- units for "nearby"
    crossfire_distance = 200,        -- units for crossfire (team-mates this close to an attacker)
    engagement_min_damage = 10,      -- hits below this damage are not logged
    grid_size = 512,                 -- heatmap cell size, units
}

-- The seed's module structure; everything in it is bounded.
proximity = {
    position_history = {},      -- [clientnum] = {snapshots = {time = {}, x = {}, ...}, write_index}
    combat_events = {},         -- the last RECENT_EVENTS events
    active_engagements = {},    -- [victim] = last hit {attacker, time}
    engagement_history = {},    -- the last RECENT_EVENTS engagements
    player_movement = {},       -- [clientnum] = {still_since = ms or nil}
    kill_heatmap = {},          -- ["gx,gy"] = {gx, gy, axis, allies}
    nearby_players_cache = {},  -- per-frame positions of living team players
    last_position_snapshot_time = 0,
    game_start_time = 0,
    round_data = { round_num = 0, map_name = "", start_time = 0 },
}

local et = et
local format, concat, floor, sqrt = string.format, table.concat, math.floor, math.sqrt
local gentity_get = et.gentity_get

local FLUSH_INTERVAL = 1000  -- ms of level time between writes to disk
local FLUSH_LINES = 4096     -- or earlier, when a buffer grows this long
local RECENT_EVENTS = 64
local RESCAN_INTERVAL = 5000 -- ms between full scans of the client slots
local TEAM_NAMES = { [0] = "FREE", [1] = "AXIS", [2] = "ALLIES", [3] = "SPECTATOR" }

local round = nil      -- the round being recorded
local players = {}     -- [cn] = {team, name, alive}
local frame_id, cached_frame = 0, -1
local grid, grid_cell = {}, 300
local max_clients = 64
local error_count = 0

local function debugPrint(text)
    if config.debug then et.G_Print("[PROX] " .. text .. "\n") end
end

local function clean(text)
    return (tostring(text or ""):gsub("[\t\r\n]", " "))
end

-- The seed's utilities ------------------------------------------------------------------------

function distance3D(pos1, pos2)
    local dx, dy, dz = pos1.x - pos2.x, pos1.y - pos2.y, pos1.z - pos2.z
    return sqrt(dx * dx + dy * dy + dz * dz)
end

function getPlayerPos(clientnum)
    local o = gentity_get(clientnum, "ps.origin")
    return { x = o[1], y = o[2], z = o[3] }
end

function getPlayerVelocity(clientnum)
    local v = gentity_get(clientnum, "ps.velocity")
    return { x = v[1], y = v[2], z = v[3] }
end

function getPlayerSpeed(clientnum)
    local v = gentity_get(clientnum, "ps.velocity")
    return sqrt(v[1] * v[1] + v[2] * v[2] + v[3] * v[3])
end

-- Player cache ----------------------------------------------------------------------------------

local function refreshPlayer(cn)
    if cn < 0 or cn >= max_clients or gentity_get(cn, "pers.connected") ~= 2 then
        players[cn] = nil
        return nil
    end
    local p = players[cn] or {}
    p.team = gentity_get(cn, "sess.sessionTeam")
    p.name = clean(gentity_get(cn, "pers.netname"))
    if p.alive == nil then p.alive = gentity_get(cn, "health") > 0 end
    players[cn] = p
    if round and (p.team == 1 or p.team == 2) then
        round.roster[cn] = { team = p.team, name = p.name }
    end
    return p
end

local function rescanPlayers()
    for cn = 0, max_clients - 1 do refreshPlayer(cn) end
end

-- Neighbours: one read of each living team player's position per frame, in a grid ---------------

local px, py, pz = {}, {}, {}

local function refreshFrame()
    if cached_frame == frame_id then return end
    cached_frame = frame_id
    grid = {}
    proximity.nearby_players_cache = px
    for cn = 0, max_clients - 1 do
        local p = players[cn]
        if p and p.alive and (p.team == 1 or p.team == 2) then
            local o = gentity_get(cn, "ps.origin")
            local x, y = o[1], o[2]
            px[cn], py[cn], pz[cn] = x, y, o[3]
            local key = floor(x / grid_cell) * 65536 + floor(y / grid_cell)
            local cell = grid[key]
            if cell then cell[#cell + 1] = cn else grid[key] = { cn } end
        else
            px[cn] = nil
        end
    end
end

local function positionOf(cn)
    refreshFrame()
    if px[cn] then return px[cn], py[cn], pz[cn] end
    local o = gentity_get(cn, "ps.origin")
    return o[1], o[2], o[3]
end

-- Calls visit(other, distance) for each living team player within `distance` of (x, y, z).
local function eachNear(x, y, z, distance, visit)
    refreshFrame()
    local cx, cy = floor(x / grid_cell), floor(y / grid_cell)
    local reach = floor(distance / grid_cell) + 1
    local d2max = distance * distance
    for gx = cx - reach, cx + reach do
        for gy = cy - reach, cy + reach do
            local cell = grid[gx * 65536 + gy]
            if cell then
                for i = 1, #cell do
                    local o = cell[i]
                    local dx, dy, dz = px[o] - x, py[o] - y, pz[o] - z
                    local d2 = dx * dx + dy * dy + dz * dz
                    if d2 <= d2max then visit(o, sqrt(d2)) end
                end
            end
        end
    end
end

-- Team-mates and enemies of `cn` within `distance`, not counting `cn` and `exclude`. The grid
-- walk is written out (no closure) because it runs for every shot and hit.
local function countNearby(cn, distance, exclude)
    local p = players[cn]
    if not p then return 0, 0 end
    local x, y, z = positionOf(cn)
    local team = p.team
    local allies, enemies = 0, 0
    local cx, cy = floor(x / grid_cell), floor(y / grid_cell)
    local reach = floor(distance / grid_cell) + 1
    local d2max = distance * distance
    for gx = cx - reach, cx + reach do
        for gy = cy - reach, cy + reach do
            local cell = grid[gx * 65536 + gy]
            if cell then
                for i = 1, #cell do
                    local o = cell[i]
                    if o ~= cn and o ~= exclude then
                        local dx, dy, dz = px[o] - x, py[o] - y, pz[o] - z
                        if dx * dx + dy * dy + dz * dz <= d2max then
                            if players[o].team == team then allies = allies + 1 else enemies = enemies + 1 end
                        end
                    end
                end
            end
        end
    end
    return allies, enemies
end

function getNearbyPlayers(clientnum, distance_threshold, same_team_only)
    local me = players[clientnum] or refreshPlayer(clientnum)
    local result = {}
    if not me then return result end
    local x, y, z = positionOf(clientnum)
    eachNear(x, y, z, distance_threshold, function(o, d)
        local other = players[o]
        local mate = other.team == me.team
        if o ~= clientnum and (mate or not same_team_only) then
            result[#result + 1] = { clientnum = o, name = other.name, team = TEAM_NAMES[other.team],
                distance = d, is_teammate = mate }
        end
    end)
    table.sort(result, function(a, b) return a.distance < b.distance end)
    return result
end

-- Output -----------------------------------------------------------------------------------------

local KINDS = { "positions", "combat", "engagements" }
local COLUMNS = {
    positions = "clientnum\ttime\tx\ty\tz\tyaw\tpitch\tspeed\tmoving\tteam\thealth",
    combat = "time\ttype\tattacker\ttarget\tdistance\tnearby_allies\tnearby_enemies\tdamage\tweapon\tmod\tattacker_x\tattacker_y\tattacker_z\ttarget_x\ttarget_y\ttarget_z",
    engagements = "engagement_type\tdistance\tkiller_name\tvictim_name\ttime\tkiller\tvictim\tvictim_x\tvictim_y\tvictim_z\tattacker_backup\ttarget_backup",
    heatmap = "grid_x\tgrid_y\taxis_kills\tallies_kills",
}

local function writeFile(kind, mode, data)
    local path = config.output_dir .. round.base .. "_" .. kind .. ".txt"
    local fd = et.trap_FS_FOpenFile(path, mode)
    if fd == nil or fd == 0 then  -- a failed open returns fd 0, not -1
        if not round.failed[kind] then
            round.failed[kind] = true
            et.G_Print("[PROX] cannot open " .. path .. " for writing\n")
        end
        return nil
    end
    et.trap_FS_Write(data, #data, fd)
    et.trap_FS_FCloseFile(fd)
    return path
end

local function header(kind)
    local lines = {
        "# PROXIMITY_TRACKER " .. kind,
        "# format=2",
        "# tracker=proximity_tracker.lua " .. VERSION,
        "# map=" .. round.map,
        "# round=" .. round.number,
        "# grid_size=" .. config.grid_size,
        "# round_start_unix=" .. round.start_unix,
    }
    for _, key in ipairs({ "position_update_interval", "max_position_snapshots", "stationary_threshold",
        "stationary_duration", "proximity_check_distance", "crossfire_distance", "engagement_min_damage" }) do
        lines[#lines + 1] = "# " .. key .. "=" .. tostring(config[key])
    end
    lines[#lines + 1] = "# " .. COLUMNS[kind]
    return concat(lines, "\n") .. "\n"
end

local function rosterLines()
    local lines = {}
    for cn = 0, 63 do
        local r = round.roster[cn]
        if r then lines[#lines + 1] = format("# player\t%d\t%s\t%s\n", cn, TEAM_NAMES[r.team] or "-", r.name) end
    end
    return concat(lines)
end

local function buffer(kind, line)
    local buf = round.buffers[kind]
    buf[#buf + 1] = line
    if #buf >= FLUSH_LINES then
        writeFile(kind, et.FS_APPEND, concat(buf))
        round.buffers[kind] = {}
    end
end

local function flush()
    for _, kind in ipairs(KINDS) do
        local buf = round.buffers[kind]
        if #buf > 0 then
            writeFile(kind, et.FS_APPEND, concat(buf))
            round.buffers[kind] = {}
        end
    end
end

-- Keeps the last RECENT_EVENTS items of a list as a ring (list.next is the slot to write).
local function remember(list, item)
    local at = list.next or 1
    list[at] = item
    list.next = at % RECENT_EVENTS + 1
end

-- The seed's logging and analysis ----------------------------------------------------------------

local function posText(x, y, z)
    if x == nil then return "-\t-\t-" end
    return format("%.1f\t%.1f\t%.1f", x, y, z)
end

function logCombatEvent(event_type, attacker, target, data)
    if not round then return end
    data = data or {}
    local t = data.time or (proximity.level_time - round.start)
    local weapon = data.weapon and format("%d", data.weapon) or "-"
    local mod = data.mod and format("%d", data.mod) or "-"
    buffer("combat", format("%d\t%s\t%d\t%s\t%.1f\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", t, event_type, attacker,
        target and format("%d", target) or "NONE", data.distance or 0, data.nearby_allies or 0,
        data.nearby_enemies or 0, data.damage or 0, weapon, mod,
        posText(data.ax, data.ay, data.az), posText(data.tx, data.ty, data.tz)))
    remember(proximity.combat_events, { time = t, type = event_type, attacker = attacker, target = target })
    debugPrint(format("Combat Event: %s - Attacker: %d, Target: %s", event_type, attacker, tostring(target)))
end

-- The hot path of logCombatEvent for shots: one format call, no tables.
local function logFire(cn, weapon, allies, enemies, x, y, z)
    local buf = round.buffers.combat
    buf[#buf + 1] = format("%d\tfire\t%d\tNONE\t0.0\t%d\t%d\t0\t%d\t-\t%.1f\t%.1f\t%.1f\t-\t-\t-\n",
        proximity.level_time - round.start, cn, allies, enemies, weapon, x, y, z)
    if #buf >= FLUSH_LINES then
        writeFile("combat", et.FS_APPEND, concat(buf))
        round.buffers.combat = {}
    end
end

function analyzeEngagement(attacker, target)
    local ax, ay, az = positionOf(attacker)
    local tx, ty, tz = positionOf(target)
    local dx, dy, dz = ax - tx, ay - ty, az - tz
    local attacker_backup = countNearby(attacker, config.proximity_check_distance, target)
    local target_backup = 0
    local victim = players[target]
    if victim then
        -- The victim may be dead already: count its living team-mates around its body.
        eachNear(tx, ty, tz, config.proximity_check_distance, function(o)
            if o ~= target and o ~= attacker and players[o].team == victim.team then target_backup = target_backup + 1 end
        end)
    end
    return {
        type = format("%dv%d", 1 + attacker_backup, 1 + target_backup),
        distance = sqrt(dx * dx + dy * dy + dz * dz),
        attacker_backup = attacker_backup,
        target_backup = target_backup,
    }
end

-- Round lifecycle --------------------------------------------------------------------------------

-- Whole-number settings and their defaults. Lua 5.4 keeps `1024 / 4` a float (written "256.0"):
-- each is read as a whole number of at least its minimum, else the default with a console note.
local WHOLE_SETTINGS = {
    { "position_update_interval", 1000, 1 }, { "max_position_snapshots", 600, 1 },
    { "stationary_duration", 3000, 0 }, { "proximity_check_distance", 300, 1 },
    { "crossfire_distance", 200, 0 }, { "engagement_min_damage", 10, 0 }, { "grid_size", 512, 1 },
}

local function checkSettings()
    for _, s in ipairs(WHOLE_SETTINGS) do
        local key, default, min = s[1], s[2], s[3]
        local v = tonumber(config[key])
        if v and v == v and v >= min and v < 2 ^ 31 then
            config[key] = math.tointeger(floor(v))
        else
            et.G_Print(format("[PROX] config.%s = %s is not a whole number of at least %d: using %d\n",
                key, tostring(config[key]), min, default))
            config[key] = default
        end
    end
end

-- Whether a file is there already (FOpenFile for reading says its length, -1 when missing).
local function exists(path)
    local fd, len = et.trap_FS_FOpenFile(path, et.FS_READ)
    if fd and fd ~= 0 then et.trap_FS_FCloseFile(fd) end
    return (len or -1) >= 0
end

local function startRound(levelTime)
    checkSettings()
    max_clients = math.min(64, tonumber(et.trap_Cvar_Get("sv_maxclients")) or 64)
    grid_cell = math.max(64, config.proximity_check_distance)
    local map = et.trap_Cvar_Get("mapname")
    if map == "" then map = et.Info_ValueForKey(et.trap_GetConfigstring(et.CS_SERVERINFO), "mapname") end
    map = map:gsub("[^%w_%-]", "_")
    local number = (tonumber(et.trap_Cvar_Get("g_currentRound")) or 0) + 1
    -- A restart within the same second must not overwrite the round before: the next free second.
    local now = os.time()
    local stamp, base = now, nil
    for _ = 1, 60 do
        base = os.date("%Y-%m-%d-%H%M%S", stamp) .. "-" .. map .. "-round-" .. number
        if not exists(config.output_dir .. base .. "_positions.txt") then break end
        stamp = stamp + 1
    end
    round = {
        start = levelTime, map = map, number = number, start_unix = now,
        base = base,
        buffers = { positions = {}, combat = {}, engagements = {} },
        roster = {}, written = {}, failed = {}, next_snapshot = levelTime, next_flush = levelTime + FLUSH_INTERVAL,
        next_rescan = levelTime + RESCAN_INTERVAL,
    }
    proximity.game_start_time = levelTime
    proximity.round_data = { round_num = number, map_name = map, start_time = round.start_unix }
    proximity.position_history, proximity.kill_heatmap, proximity.player_movement = {}, {}, {}
    rescanPlayers()
    for _, kind in ipairs(KINDS) do writeFile(kind, et.FS_WRITE, header(kind)) end
    debugPrint(format("Round started: %s", round.base))
end

local function finishRound(why)
    if not round then return end
    debugPrint("Round ended - saving data")
    flush()
    local roster = rosterLines()
    local path = writeFile("positions", et.FS_APPEND, roster)
    if path then debugPrint("Positions saved: " .. path) end
    local cells = {}
    for _, c in pairs(proximity.kill_heatmap) do cells[#cells + 1] = c end
    table.sort(cells, function(a, b) if a[1] ~= b[1] then return a[1] < b[1] end return a[2] < b[2] end)
    local lines = { header("heatmap"), roster }
    for _, c in ipairs(cells) do lines[#lines + 1] = format("%d\t%d\t%d\t%d\n", c[1], c[2], c[3], c[4]) end
    writeFile("heatmap", et.FS_WRITE, concat(lines))
    if next(round.failed) then
        et.G_Print(format("[PROX] round %s NOT saved (%s): cannot write to %s\n", round.base, why, config.output_dir))
    else
        et.G_Print(format("[PROX] round %s saved (%s)\n", round.base, why))
    end
    round = nil
end

local function snapshot(levelTime)
    local t = levelTime - round.start
    for cn = 0, max_clients - 1 do
        local p = players[cn]
        if p and (p.team == 1 or p.team == 2) then
            local o = gentity_get(cn, "ps.origin")
            local a = gentity_get(cn, "ps.viewangles")
            local v = gentity_get(cn, "ps.velocity")
            local health = gentity_get(cn, "health")
            local speed = sqrt(v[1] * v[1] + v[2] * v[2] + v[3] * v[3])
            local moving = speed > config.stationary_threshold and 1 or 0
            buffer("positions", format("%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\n",
                cn, t, o[1], o[2], o[3], a[2], a[1], speed, moving, p.team, health))
            -- The in-memory window, as parallel arrays (a table per snapshot would be 3x the memory).
            local h = proximity.position_history[cn]
            if not h then
                h = { snapshots = { time = {}, x = {}, y = {}, z = {}, speed = {} }, write_index = 1 }
                proximity.position_history[cn] = h
            end
            local s, i = h.snapshots, h.write_index
            s.time[i], s.x[i], s.y[i], s.z[i], s.speed[i] = t, o[1], o[2], o[3], speed
            h.write_index = i % config.max_position_snapshots + 1
            local m = proximity.player_movement[cn] or {}
            if moving == 1 then m.still_since = nil elseif not m.still_since then m.still_since = t end
            proximity.player_movement[cn] = m
            -- The roster as players join or change: a server crash leaves no round nameless.
            local written = round.written[cn]
            if not written or written.team ~= p.team or written.name ~= p.name then
                buffer("positions", format("# player\t%d\t%s\t%s\n", cn, TEAM_NAMES[p.team] or "-", p.name))
                round.written[cn] = { team = p.team, name = p.name }
            end
            round.roster[cn] = { team = p.team, name = p.name }
        end
    end
    proximity.last_position_snapshot_time = t
end

-- Engine callbacks (each guarded: a tracker error must never reach the server) -------------------

local function guard(name, fn, ...)
    local ok, result = pcall(fn, ...)
    if not ok then
        error_count = error_count + 1
        if error_count <= 10 then et.G_Print(format("[PROX] error in %s: %s\n", name, tostring(result))) end
        return nil
    end
    return result
end

function et_InitGame(levelTime, randomSeed, restart)
    guard("et_InitGame", function()
        et.RegisterModname("proximity_tracker.lua " .. VERSION)
        round, players, frame_id, cached_frame = nil, {}, 0, -1
        proximity.level_time = levelTime
        max_clients = math.min(64, tonumber(et.trap_Cvar_Get("sv_maxclients")) or 64)
        rescanPlayers()
        debugPrint(format("InitGame: Map=%s, Round=%d", et.trap_Cvar_Get("mapname"),
            (tonumber(et.trap_Cvar_Get("g_currentRound")) or 0) + 1))
        if config.enabled and tonumber(et.trap_Cvar_Get("gamestate")) == 0 then startRound(levelTime) end
    end)
end

function et_ShutdownGame(restart)
    guard("et_ShutdownGame", finishRound, "shutdown")
end

function et_RunFrame(levelTime)
    guard("et_RunFrame", function()
        proximity.level_time = levelTime
        frame_id = frame_id + 1
        if not config.enabled then return end
        local gamestate = tonumber(et.trap_Cvar_Get("gamestate"))
        if gamestate == 0 then
            if not round then startRound(levelTime) end
            if levelTime >= round.next_rescan then
                rescanPlayers()
                round.next_rescan = levelTime + RESCAN_INTERVAL
            end
            if levelTime >= round.next_snapshot then
                snapshot(levelTime)
                round.next_snapshot = round.next_snapshot + config.position_update_interval
                if round.next_snapshot <= levelTime then round.next_snapshot = levelTime + config.position_update_interval end
            end
            if levelTime >= round.next_flush then
                flush()
                round.next_flush = levelTime + FLUSH_INTERVAL
            end
        elseif gamestate == 3 and round then
            finishRound("intermission")
        end
    end)
end

function et_WeaponFire(clientNum, weapon)
    guard("et_WeaponFire", function()
        if not round or not players[clientNum] then return end
        local x, y, z = positionOf(clientNum)
        local allies, enemies = countNearby(clientNum, config.proximity_check_distance)
        logFire(clientNum, weapon, allies, enemies, x, y, z)
    end)
    return 0
end

function et_Damage(target, attacker, damage, damageFlags, meansOfDeath)
    guard("et_Damage", function()
        if not round or target < 0 or target >= max_clients or not players[target] then return end
        if damage < config.engagement_min_damage then return end
        local tx, ty, tz = positionOf(target)
        local data = { damage = damage, mod = meansOfDeath, tx = tx, ty = ty, tz = tz }
        if attacker >= 0 and attacker < max_clients and players[attacker] then
            local ax, ay, az = positionOf(attacker)
            data.ax, data.ay, data.az = ax, ay, az
            data.distance = sqrt((ax - tx) ^ 2 + (ay - ty) ^ 2 + (az - tz) ^ 2)
            data.weapon = gentity_get(attacker, "ps.weapon")
            data.nearby_allies, data.nearby_enemies = countNearby(attacker, config.proximity_check_distance, target)
            proximity.active_engagements[target] = { attacker = attacker, time = proximity.level_time }
        end
        logCombatEvent("hit", attacker, target, data)
    end)
end

function et_Obituary(victim, killer, meansOfDeath)
    guard("et_Obituary", function()
        if not round or victim < 0 or victim >= max_clients then return end
        local v = players[victim] or refreshPlayer(victim)
        if not v then return end  -- not a connected client
        local tx, ty, tz = positionOf(victim)
        v.alive = false
        cached_frame = -1  -- the victim no longer counts as nearby
        local data = { mod = meansOfDeath, tx = tx, ty = ty, tz = tz }
        local k = killer >= 0 and killer < max_clients and killer ~= victim and players[killer]
        if k then
            local ax, ay, az = positionOf(killer)
            data.ax, data.ay, data.az = ax, ay, az
            data.weapon = gentity_get(killer, "ps.weapon")
            local e = analyzeEngagement(killer, victim)
            data.distance = e.distance
            data.nearby_allies, data.nearby_enemies = countNearby(killer, config.proximity_check_distance, victim)
            local t = proximity.level_time - round.start
            buffer("engagements", format("%s\t%.1f\t%s\t%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%d\t%d\n", e.type, e.distance,
                k.name, v.name, t, killer, victim, tx, ty, tz, e.attacker_backup, e.target_backup))
            remember(proximity.engagement_history, e)
            debugPrint(format("Engagement: %s at %.1f units", e.type, e.distance))
            local gx, gy = floor(tx / config.grid_size), floor(ty / config.grid_size)
            local key = gx .. "," .. gy
            local cell = proximity.kill_heatmap[key]
            if not cell then cell = { gx, gy, 0, 0 }; proximity.kill_heatmap[key] = cell end
            if k.team == 1 then cell[3] = cell[3] + 1 elseif k.team == 2 then cell[4] = cell[4] + 1 end
        end
        proximity.active_engagements[victim] = nil
        -- The seed's `kill` is a player killed by another player; a suicide, a fall or the
        -- world is a `death` (proxviz's superset), so the seed's SQL and statistics stay true.
        logCombatEvent(k and "kill" or "death", killer, victim, data)
    end)
end

function et_ClientSpawn(clientnum, revived, teamChange, restoreHealth)
    guard("et_ClientSpawn", function()
        local p = refreshPlayer(clientnum)
        if p then p.alive = true end
        cached_frame = -1
        -- A revive is a round event (proxviz's superset: a `# event` line the seed's readers
        -- skip). The engine does not say which medic it was: left unknown (`-`).
        if p and round and (revived == 1 or revived == true) and (p.team == 1 or p.team == 2) then
            local o = gentity_get(clientnum, "ps.origin")
            buffer("combat", format("# event\t%d\trevive\t-\t%d\t%s\t%.1f\t%.1f\t%.1f\t\n",
                proximity.level_time - round.start, clientnum, TEAM_NAMES[p.team], o[1], o[2], o[3]))
        end
    end)
end

function et_ClientBegin(clientnum)
    guard("et_ClientBegin", refreshPlayer, clientnum)
end

function et_ClientUserinfoChanged(clientnum)
    guard("et_ClientUserinfoChanged", refreshPlayer, clientnum)
end

function et_ClientDisconnect(clientnum)
    guard("et_ClientDisconnect", function()
        players[clientnum] = nil
        proximity.position_history[clientnum] = nil
        proximity.player_movement[clientnum] = nil
        proximity.active_engagements[clientnum] = nil
        cached_frame = -1
    end)
end
