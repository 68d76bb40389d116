/**
 * The one script per publish (DESIGN.md, "scale-out"): run atomically by Redis, so the channel's
 * serial, its idempotent ids, its log and its member set never disagree, whichever node writes.
 *
 * KEYS: 1 epoch, 2 sequence counter, 3 log stream, 4 member hash, 5 this node's channel set,
 *       6 the connection's inbound budget ('' for none), 6+i the idempotency key of item i ('' for
 *       none).
 * ARGV: 1 expected epoch, 2 window (entries kept), 3 idempotency window (ms), 4 entry fields as
 *       a JSON fragment (no braces), 5 item count n, 6 node id, 7 channel id, 8 delivery topic,
 *       9 inbound limit per window (0: not counted), 10 inbound window (ms), 10+i item i as JSON,
 *       10+n+i presence op of item i: '' | 's<member key>' | 'd<member key>'.
 * Returns { seq (0 when every item was a repeat), kept flags }; errors EPOCH when the shared
 * state was lost (a Redis restarted empty), so no serial is ever reused under the old epoch, and
 * RATE when the write takes its connection past the inbound limit: counting happens here, in the
 * publish's own round trip, rather than in a second command per publish.
 */
export const APPEND_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('EPOCH shared state lost: the broker epoch changed')
end
local n = tonumber(ARGV[5])
local limit = tonumber(ARGV[9])
if limit > 0 then
  redis.call('SET', KEYS[6], '0', 'NX', 'PX', ARGV[10])
  if redis.call('INCRBY', KEYS[6], math.max(n, 1)) > limit then
    return redis.error_reply('RATE inbound limit exceeded')
  end
end
local kept = {}
local parts = {}
for i = 1, n do
  local keep = 1
  local idkey = KEYS[6 + i]
  if idkey ~= '' then
    if not redis.call('SET', idkey, '1', 'NX', 'PX', ARGV[3]) then keep = 0 end
  end
  kept[i] = keep
  if keep == 1 then parts[#parts + 1] = ARGV[10 + i] end
end
if #parts == 0 then return {0, kept} end
local seq = redis.call('INCR', KEYS[2])
for i = 1, n do
  local op = ARGV[10 + n + i]
  if kept[i] == 1 and op ~= '' then
    local member = string.sub(op, 2)
    if string.sub(op, 1, 1) == 's' then
      redis.call('HSET', KEYS[4], member, ARGV[6] .. '\\n' .. ARGV[10 + i])
      redis.call('SADD', KEYS[5], ARGV[7])
    else
      redis.call('HDEL', KEYS[4], member)
    end
  end
end
local entry = '{"seq":' .. seq .. ',' .. ARGV[4] .. ',"items":[' .. table.concat(parts, ',') .. ']}'
redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[2], seq .. '-0', 'e', entry)
redis.call('PUBLISH', ARGV[8], entry)
return {seq, kept}
`;
