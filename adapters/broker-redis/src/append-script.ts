/**
 * The one script per publish (DESIGN.md, "scale-out"): run atomically by Redis, so the channel's
 * serial, its idempotent ids, its log and its member set never disagree, whichever node writes.
 *
 * KEYS: 1 epoch, 2 sequence counter, 3 log stream, 4 member hash, 5 this node's channel set,
 *       5+i the idempotency key of item i ('' for none).
 * ARGV: 1 expected epoch, 2 window (entries kept), 3 idempotency window (ms), 4 entry fields as
 *       a JSON fragment (no braces), 5 item count n, 6 node id, 7 channel id, 8 delivery topic,
 *       8+i item i as JSON, 8+n+i presence op of item i: '' | 's<member key>' | 'd<member key>'.
 * Returns { seq (0 when every item was a repeat), kept flags }; errors EPOCH when the shared
 * state was lost (a Redis restarted empty), so no serial is ever reused under the old epoch.
 */
export const APPEND_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('EPOCH shared state lost: the broker epoch changed')
end
local n = tonumber(ARGV[5])
local kept = {}
local parts = {}
for i = 1, n do
  local keep = 1
  local idkey = KEYS[5 + i]
  if idkey ~= '' then
    if not redis.call('SET', idkey, '1', 'NX', 'PX', ARGV[3]) then keep = 0 end
  end
  kept[i] = keep
  if keep == 1 then parts[#parts + 1] = ARGV[8 + i] end
end
if #parts == 0 then return {0, kept} end
local seq = redis.call('INCR', KEYS[2])
for i = 1, n do
  local op = ARGV[8 + n + i]
  if kept[i] == 1 and op ~= '' then
    local member = string.sub(op, 2)
    if string.sub(op, 1, 1) == 's' then
      redis.call('HSET', KEYS[4], member, ARGV[6] .. '\\n' .. ARGV[8 + i])
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
