-- A fenced update of the owner's counters. KEYS: hash, the stream at the owner's epoch.
-- ARGV: epoch, ttl ms, what ('acked', 'delivered', 'handed', 'token', 'untoken', 'touch'), value.
-- 'acked' also trims the stream below the acknowledgement (Redis >= 6.2).
-- Returns 1, 0 when another node took the session over, -1 when the store lost it.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return -1 end
if epoch ~= ARGV[1] then return 0 end
local what = ARGV[3]
if what == 'acked' then
	if tonumber(ARGV[4]) > tonumber(redis.call('HGET', KEYS[1], 'acked')) then
		redis.call('HSET', KEYS[1], 'acked', ARGV[4])
		redis.call('XTRIM', KEYS[2], 'MINID', (tonumber(ARGV[4]) + 1) .. '-0')
	end
elseif what == 'delivered' then
	if tonumber(ARGV[4]) > tonumber(redis.call('HGET', KEYS[1], 'delivered')) then
		redis.call('HSET', KEYS[1], 'delivered', ARGV[4])
	end
elseif what == 'handed' then
	redis.call('HSET', KEYS[1], 'handed', 1)
	if tonumber(ARGV[4]) > tonumber(redis.call('HGET', KEYS[1], 'delivered')) then
		redis.call('HSET', KEYS[1], 'delivered', ARGV[4])
	end
elseif what == 'token' then
	redis.call('HSET', KEYS[1], 'k:' .. ARGV[4], 1)
elseif what == 'untoken' then
	redis.call('HDEL', KEYS[1], 'k:' .. ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1
