-- A new session owned by ARGV[1] at epoch 1. KEYS: the session's hash, its stream at epoch 1.
-- ARGV: owner, principal ('-' for none, else ':' .. name), endpoint, ttl ms.
-- The stream is created empty: the owner's appends (XADD NOMKSTREAM) add only to a stream that exists.
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'epoch', 1, 'principal', ARGV[2], 'endpoint', ARGV[3],
	'acked', 0, 'delivered', 0, 'state', 'open', 'handed', 0)
redis.call('XADD', KEYS[2], '0-1', 'f', '')
redis.call('XDEL', KEYS[2], '0-1')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
