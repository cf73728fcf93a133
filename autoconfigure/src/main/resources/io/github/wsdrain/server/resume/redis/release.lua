-- The previous owner, told of a move, records what it delivered and the highest sequence it recorded,
-- with its old epoch. KEYS: hash. ARGV: the old epoch, the last client sequence it delivered, the highest
-- sequence it recorded. Returns 1, or -1 when the store lost the session.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return -1 end
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[1], 'delivered')) then
	redis.call('HSET', KEYS[1], 'delivered', ARGV[2])
end
if tonumber(ARGV[3]) > tonumber(redis.call('HGET', KEYS[1], 'recorded') or '0') then
	redis.call('HSET', KEYS[1], 'recorded', ARGV[3])
end
if tonumber(ARGV[1]) > tonumber(redis.call('HGET', KEYS[1], 'released') or '0') then
	redis.call('HSET', KEYS[1], 'released', ARGV[1])
end
return 1
