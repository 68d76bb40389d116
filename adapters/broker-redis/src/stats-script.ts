/**
 * Adds one node's counts of one app-minute to the cluster's, atomically, so concurrent nodes
 * never lose each other's increments: counters sum, `.peak` entries keep the maximum.
 *
 * KEYS: 1 the minute's hash, 2 the app's minutes (sorted set), 3 the apps (sorted set).
 * ARGV: 1 minute start (ms), 2 app id, 3 ttl (ms), 4 minutes kept per app, 5 the hash key of a
 *       minute without its minute (to drop the oldest), 6.. field, value pairs.
 */
export const STATS_ADD_SCRIPT = `
for i = 6, #ARGV, 2 do
  local field = ARGV[i]
  if string.sub(field, -5) == '.peak' then
    local current = redis.call('HGET', KEYS[1], field)
    if not current or tonumber(ARGV[i + 1]) > tonumber(current) then
      redis.call('HSET', KEYS[1], field, ARGV[i + 1])
    end
  else
    redis.call('HINCRBYFLOAT', KEYS[1], field, ARGV[i + 1])
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if excess > 0 then
  for _, minute in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do
    redis.call('DEL', ARGV[5] .. minute)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
end
local latest = redis.call('ZSCORE', KEYS[3], ARGV[2])
if not latest or tonumber(latest) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[3], ARGV[1], ARGV[2])
end
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 1
`;
