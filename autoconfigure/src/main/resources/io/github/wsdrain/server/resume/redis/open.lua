-- A new session owned by ARGV[1] at epoch 1. KEYS: the session's hash, its stream.
-- ARGV: owner, principal ('-' for none, else ':' .. name), endpoint, ttl ms.
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'epoch', 1, 'principal', ARGV[2], 'endpoint', ARGV[3],
	'written', 0, 'acked', 0, 'delivered', 0, 'state', 'open', 'handed', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
