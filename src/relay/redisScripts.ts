/**
 * The Lua scripts of the Redis directory (redisDirectory.ts): one script per atomic change, so
 * that no two relays ever see a half-made change (Redis runs a script alone, start to end).
 * docs/protocol.md "Several relays" lists the keys.
 *
 * Every key lives under the hash tag `{peerchat}` (one slot, so a Redis Cluster would keep them on
 * one node, as the scripts need). Times come from Redis (TIME), so the relays' clocks never
 * decide a lease.
 *
 * Every script that changes something checks first that the data epoch is the one the relay
 * joined (EPOCH otherwise: Redis lost its data, the relay joins again and refills it) and that
 * the relay still holds a lease (FENCED otherwise: it was taken for dead and its sessions
 * reaped; it must stop acting on them and join again).
 */

/** Key prefix and the changes channel. */
export const KEY_PREFIX = '{peerchat}:';
export const CHANGES_CHANNEL = `${KEY_PREFIX}changes`;
export const LOG_KEY = `${KEY_PREFIX}log`;

/** Most entries kept in the change log (XADD MAXLEN ~): a relay further behind reloads a snapshot. */
export const LOG_MAX_ENTRIES = 10_000;

const COMMON = `
local P = '${KEY_PREFIX}'
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- A change for every relay: versioned ones (a device online or offline) are also appended to the
-- log, under the version as stream id, so that a relay that missed some reads them back.
local function publish(epoch, c)
  c.e = epoch
  local json = cjson.encode(c)
  if c.v then
    redis.call('XADD', P .. 'log', 'MAXLEN', '~', ${LOG_MAX_ENTRIES}, c.v .. '-1', 'c', json)
  end
  redis.call('PUBLISH', P .. 'changes', json)
  return json
end
local function check_epoch(epoch)
  return redis.call('GET', P .. 'epoch') == epoch
end
-- Ends session id: the record, the device's mapping, its member's set, its relay's set; the
-- nickname is released (leave) or reserved for its owner (timeout) when the member's last device
-- goes. Returns the published change, or nil if there was no such session.
local function end_session(epoch, id, reason, reserve_ms)
  local sk = P .. 's:' .. id
  local r = redis.call('HMGET', sk, 'dev', 'own', 'nk', 'nick', 'tag', 'relay')
  if not r[1] then return nil end
  redis.call('DEL', sk)
  if redis.call('HGET', P .. 'dev', r[1]) == tostring(id) then redis.call('HDEL', P .. 'dev', r[1]) end
  local devs = P .. 'devs:' .. r[2]
  redis.call('SREM', devs, id)
  redis.call('SREM', P .. 'held:' .. r[6], id)
  if redis.call('SCARD', devs) == 0 then
    local nkey = P .. 'nick:' .. r[3]
    local okey = P .. 'owner:' .. r[2]
    if reason == 'timeout' then
      -- Reserved for its owner, and the owner's binding goes with the reservation (nothing of a
      -- member who never comes back stays in Redis).
      if redis.call('HGET', nkey, 'owner') == r[2] then redis.call('PEXPIRE', nkey, reserve_ms) end
      redis.call('PEXPIRE', okey, reserve_ms)
    else
      if redis.call('HGET', nkey, 'owner') == r[2] then redis.call('DEL', nkey) end
      redis.call('DEL', okey)
    end
  end
  local v = redis.call('INCR', P .. 'version')
  return publish(epoch, { v = v, op = 'off', id = tonumber(id), tag = r[5], nick = r[4], relay = r[6] })
end
-- Binds nickname nk (shown as display) to identity own, releasing the one it held before.
local function bind_nick(own, nk, display)
  local old = redis.call('GET', P .. 'owner:' .. own)
  if old and old ~= nk and redis.call('HGET', P .. 'nick:' .. old, 'owner') == own then
    redis.call('DEL', P .. 'nick:' .. old)
  end
  local nkey = P .. 'nick:' .. nk
  redis.call('HSET', nkey, 'owner', own, 'display', display)
  redis.call('PERSIST', nkey)
  redis.call('SET', P .. 'owner:' .. own, nk) -- no TTL: the member is online again
end
`;

/**
 * join: a relay (re)joins. Creates the data epoch if Redis has none (ARGV[1], the relay's
 * candidate), takes a lease, publishes the relay's mesh address, and raises the roster version
 * to at least the relay's own (a Redis restarted empty must never count versions again from 0:
 * clients would take new changes for old news).
 * ARGV: epoch candidate, relay id, lease ms, relay info (JSON), version floor.
 * Returns { epoch, created (1|0), version }.
 */
export const JOIN = `${COMMON}
local created = 0
if redis.call('SET', P .. 'epoch', ARGV[1], 'NX') then created = 1 end
local epoch = redis.call('GET', P .. 'epoch')
redis.call('ZADD', P .. 'leases', now_ms() + tonumber(ARGV[3]), ARGV[2])
redis.call('HSET', P .. 'relays', ARGV[2], ARGV[4])
local v = tonumber(redis.call('GET', P .. 'version') or '0')
local floor = tonumber(ARGV[5])
if v < floor then
  redis.call('SET', P .. 'version', floor)
  v = floor
end
return { epoch, created, v }
`;

/**
 * heartbeat: renews the relay's lease and reaps relays whose lease ran out more than the grace
 * ago: their sessions end as timeouts (nicknames reserved), at most ARGV[7] per call. A relay
 * reaps only if its own lease had not run out (it has been in touch all along): after Redis was
 * paused or unreachable for everyone, nobody is taken for dead before renewing.
 * ARGV: epoch, relay id, lease ms, grace ms, relay info (JSON), nickname reserve ms, reap budget.
 * Returns { 'OK', version, reaped, more (1: call again), now, relays (flat id, info), leases (flat id, until) }
 * or { 'EPOCH' } / { 'FENCED' }.
 */
export const HEARTBEAT = `${COMMON}
local epoch, relay = ARGV[1], ARGV[2]
if not check_epoch(epoch) then return { 'EPOCH' } end
local prev = redis.call('ZSCORE', P .. 'leases', relay)
if not prev then return { 'FENCED' } end
local now = now_ms()
redis.call('ZADD', P .. 'leases', now + tonumber(ARGV[3]), relay)
redis.call('HSET', P .. 'relays', relay, ARGV[5])
local reaped, more = 0, 0
if tonumber(prev) >= now then
  local budget = tonumber(ARGV[7])
  local dead = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now - tonumber(ARGV[4]))
  for _, d in ipairs(dead) do
    if d ~= relay then
      local held = P .. 'held:' .. d
      if budget > reaped then
        for _, id in ipairs(redis.call('SRANDMEMBER', held, budget - reaped)) do
          end_session(epoch, id, 'timeout', ARGV[6])
          redis.call('SREM', held, id)
          reaped = reaped + 1
        end
      end
      if redis.call('SCARD', held) == 0 then
        redis.call('ZREM', P .. 'leases', d)
        redis.call('HDEL', P .. 'relays', d)
      else
        more = 1
      end
    end
  end
end
return { 'OK', redis.call('GET', P .. 'version') or '0', reaped, more, now,
  redis.call('HGETALL', P .. 'relays'), redis.call('ZRANGE', P .. 'leases', 0, -1, 'WITHSCORES') }
`;

/**
 * register: a device registers on relay ARGV[2] (docs/protocol.md "Members and devices"):
 * NICK_TAKEN (another identity holds the nickname, live or reserved: the reply carries the
 * reservation's remaining ms, -1 if live) → BAD_SIGNATURE (the device key belongs to another
 * identity) → NICK_MISMATCH (another nickname while another device of the identity is online) →
 * the device's session: BAD_COOKIE if it moves with a cookie older than the one that bound it,
 * RELAY_FULL unless allowed, else it is this relay's now (a move: same id, fencing generation + 1,
 * a route change, no presence), renamed if the nickname differs → else RELAY_FULL unless allowed
 * → a new session with the first free id among the candidates (RETRY if none is free).
 * ARGV: epoch, relay, device key, identity key, nick key, nick shown, tag (hex), cert (base64),
 *       cookie seconds, allow (1|0: the relay has room for one more session, or already serves
 *       this device), moving (1|0), candidate ids…
 * Returns { 'OK', kind, id, devices, gen, changes… } or { code, details… }.
 */
export const REGISTER = `${COMMON}
local epoch, relay, dev, own, nk, display, tag, cert = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local ck = tonumber(ARGV[9])
if not check_epoch(epoch) then return { 'EPOCH' } end
if not redis.call('ZSCORE', P .. 'leases', relay) then return { 'FENCED' } end
local nkey = P .. 'nick:' .. nk
local holder = redis.call('HGET', nkey, 'owner')
if holder and holder ~= own then return { 'NICK_TAKEN', redis.call('PTTL', nkey) } end
local sid = redis.call('HGET', P .. 'dev', dev)
local sk = sid and (P .. 's:' .. sid)
if sid and redis.call('EXISTS', sk) == 0 then
  redis.call('HDEL', P .. 'dev', dev)
  sid = nil
end
if sid and redis.call('HGET', sk, 'own') ~= own then return { 'BAD_SIGNATURE' } end
local devs = P .. 'devs:' .. own
local mnk = redis.call('GET', P .. 'owner:' .. own)
if mnk and mnk ~= nk then
  local others = redis.call('SCARD', devs)
  if sid and redis.call('SISMEMBER', devs, sid) == 1 then others = others - 1 end
  if others > 0 then
    return { 'NICK_MISMATCH', redis.call('HGET', P .. 'nick:' .. mnk, 'display') or mnk, others }
  end
end
if mnk == nk then
  local d = redis.call('HGET', nkey, 'display')
  if d then display = d end
end
local out = { 'OK', 'new', 0, 0, 1 }
if sid then
  local r = redis.call('HMGET', sk, 'relay', 'ck', 'nk', 'gen', 'nick', 'tag')
  if (r[1] ~= relay or ARGV[11] == '1') and ck < tonumber(r[2]) then return { 'BAD_COOKIE' } end
  -- A session this relay does not serve yet (moving in from another relay) takes a place here
  -- like a new one: a full relay refuses it, and the device tries another relay of its list.
  if ARGV[10] ~= '1' then return { 'RELAY_FULL' } end
  out[2] = 'resumed'
  out[3] = tonumber(sid)
  local gen = tonumber(r[4])
  redis.call('HSET', sk, 'cert', cert)
  if r[1] ~= relay then
    gen = gen + 1
    redis.call('HSET', sk, 'relay', relay, 'gen', gen, 'ck', ck)
    redis.call('SREM', P .. 'held:' .. r[1], sid)
    redis.call('SADD', P .. 'held:' .. relay, sid)
    out[2] = 'moved'
    table.insert(out, publish(epoch, { op = 'mv', id = tonumber(sid), relay = relay, gen = gen, cert = cert }))
  end
  if r[3] ~= nk then
    bind_nick(own, nk, display)
    redis.call('HSET', sk, 'nick', display, 'nk', nk)
    local v1 = redis.call('INCR', P .. 'version')
    table.insert(out, publish(epoch, { v = v1, op = 'off', id = tonumber(sid), tag = r[6], nick = r[5], relay = relay }))
    local v2 = redis.call('INCR', P .. 'version')
    table.insert(out, publish(epoch, { v = v2, op = 'on', id = tonumber(sid), dev = dev, own = own, nick = display, nk = nk,
      tag = r[6], cert = cert, relay = relay, gen = gen }))
    if out[2] == 'resumed' then out[2] = 'renamed' end
  end
  out[5] = gen
else
  if ARGV[10] ~= '1' then return { 'RELAY_FULL' } end
  local id
  for i = 12, #ARGV do
    if redis.call('EXISTS', P .. 's:' .. ARGV[i]) == 0 then
      id = ARGV[i]
      break
    end
  end
  if not id then return { 'RETRY' } end
  bind_nick(own, nk, display)
  local v = redis.call('INCR', P .. 'version')
  redis.call('HSET', P .. 's:' .. id, 'dev', dev, 'own', own, 'nick', display, 'nk', nk, 'tag', tag, 'cert', cert,
    'relay', relay, 'gen', 1, 'ck', ck, 'j', v)
  redis.call('HSET', P .. 'dev', dev, id)
  redis.call('SADD', devs, id)
  redis.call('SADD', P .. 'held:' .. relay, id)
  out[3] = tonumber(id)
  table.insert(out, publish(epoch, { v = v, op = 'on', id = tonumber(id), dev = dev, own = own, nick = display, nk = nk,
    tag = tag, cert = cert, relay = relay, gen = 1 }))
end
out[4] = redis.call('SCARD', devs)
return out
`;

/**
 * end: relay ARGV[2] ends session ARGV[3] it holds (LEAVE, idle timeout). A session another relay
 * holds now (the device moved) is not touched: NOT_HOLDER.
 * ARGV: epoch, relay, id, reason (leave|timeout), nickname reserve ms.
 * Returns { 'OK', change } or { 'GONE' } / { 'NOT_HOLDER' } / { 'EPOCH' } / { 'FENCED' }.
 */
export const END = `${COMMON}
if not check_epoch(ARGV[1]) then return { 'EPOCH' } end
if not redis.call('ZSCORE', P .. 'leases', ARGV[2]) then return { 'FENCED' } end
local holder = redis.call('HGET', P .. 's:' .. ARGV[3], 'relay')
if not holder then
  redis.call('SREM', P .. 'held:' .. ARGV[2], ARGV[3])
  return { 'GONE' }
end
if holder ~= ARGV[2] then return { 'NOT_HOLDER' } end
return { 'OK', end_session(ARGV[1], ARGV[3], ARGV[4], ARGV[5]) }
`;

/**
 * cert: the device behind session ARGV[3] renewed its certificate (same keys) on relay ARGV[2].
 * ARGV: epoch, relay, id, cert (base64). Returns { 'OK' } or { 'NOT_HOLDER' }.
 */
export const CERT = `${COMMON}
if not check_epoch(ARGV[1]) then return { 'EPOCH' } end
local sk = P .. 's:' .. ARGV[3]
if redis.call('HGET', sk, 'relay') ~= ARGV[2] then return { 'NOT_HOLDER' } end
redis.call('HSET', sk, 'cert', ARGV[4])
publish(ARGV[1], { op = 'cert', id = tonumber(ARGV[3]), cert = ARGV[4] })
return { 'OK' }
`;

/**
 * restore: a relay refills a Redis that lost its data (or that reaped it) with sessions from its
 * view, each as it was (same id, relay, nickname): only if the session, the device and the
 * nickname are all free (or the nickname is the same identity's). A session of a relay that has
 * no lease gets one that has already run out, so that it is reaped after the grace unless that
 * relay comes back. Each session put back is published as online: a relay whose view lacks it
 * (it applied its reaping, or it reloaded before this restore) adds it; one that has it sees a
 * duplicate and only moves its version on.
 * ARGV: epoch, relay, then one JSON record per session ({id, dev, own, nick, nk, tag, cert, relay, gen, j}).
 * Returns one status per record: ok | exists | device | nick.
 */
export const RESTORE = `${COMMON}
if not check_epoch(ARGV[1]) then return { 'EPOCH' } end
local now = now_ms()
local out = {}
for i = 3, #ARGV do
  local r = cjson.decode(ARGV[i])
  local id = tostring(r.id)
  local status = 'ok'
  if redis.call('EXISTS', P .. 's:' .. id) == 1 then
    status = 'exists'
  elseif redis.call('HEXISTS', P .. 'dev', r.dev) == 1 then
    status = 'device'
  else
    local holder = redis.call('HGET', P .. 'nick:' .. r.nk, 'owner')
    local mnk = redis.call('GET', P .. 'owner:' .. r.own)
    if (holder and holder ~= r.own) or (mnk and mnk ~= r.nk and redis.call('SCARD', P .. 'devs:' .. r.own) > 0) then
      status = 'nick'
    end
  end
  if status == 'ok' then
    bind_nick(r.own, r.nk, r.nick)
    redis.call('HSET', P .. 's:' .. id, 'dev', r.dev, 'own', r.own, 'nick', r.nick, 'nk', r.nk, 'tag', r.tag,
      'cert', r.cert, 'relay', r.relay, 'gen', r.gen, 'ck', 0, 'j', r.j)
    redis.call('HSET', P .. 'dev', r.dev, id)
    redis.call('SADD', P .. 'devs:' .. r.own, id)
    redis.call('SADD', P .. 'held:' .. r.relay, id)
    if r.relay ~= ARGV[2] and not redis.call('ZSCORE', P .. 'leases', r.relay) then
      redis.call('ZADD', P .. 'leases', now, r.relay)
    end
    local v = redis.call('INCR', P .. 'version')
    publish(ARGV[1], { v = v, op = 'on', id = r.id, dev = r.dev, own = r.own, nick = r.nick, nk = r.nk,
      tag = r.tag, cert = r.cert, relay = r.relay, gen = r.gen })
  end
  table.insert(out, status)
end
return out
`;

/**
 * snapshot: the whole directory at one version, for a relay that (re)loads its view.
 * Returns { epoch, version, records… } with each record { id, dev, own, nick, nk, tag, cert, relay, gen, j }.
 */
export const SNAPSHOT = `${COMMON}
local out = { redis.call('GET', P .. 'epoch') or '', redis.call('GET', P .. 'version') or '0' }
for _, id in ipairs(redis.call('HVALS', P .. 'dev')) do
  local r = redis.call('HMGET', P .. 's:' .. id, 'dev', 'own', 'nick', 'nk', 'tag', 'cert', 'relay', 'gen', 'j')
  if r[1] then
    table.insert(out, { id, r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9] })
  end
end
return out
`;

/**
 * release: a relay that stops cleanly gives up its lease now; its sessions stay for their
 * devices to take to another relay, and are reaped after the grace if they do not.
 * ARGV: epoch, relay.
 */
export const RELEASE = `${COMMON}
if not check_epoch(ARGV[1]) then return 0 end
if not redis.call('ZSCORE', P .. 'leases', ARGV[2]) then return 0 end
redis.call('ZADD', P .. 'leases', now_ms(), ARGV[2])
return 1
`;
