-- Record outbound frames before they go to the socket; entry IDs are the sequence numbers,
-- so Redis itself refuses a duplicate or out-of-order one. KEYS: hash, stream.
-- ARGV: epoch, ttl ms, first sequence, then a type ('t' or 'b') and a payload per frame.
-- Returns 1, 0 when another node took the session over, -1 when the store lost it.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return -1 end
if epoch ~= ARGV[1] then return 0 end
local seq = tonumber(ARGV[3])
for i = 4, #ARGV, 2 do
	redis.call('XADD', KEYS[2], seq .. '-0', 't', ARGV[i], 'p', ARGV[i + 1])
	seq = seq + 1
end
redis.call('HSET', KEYS[1], 'written', seq - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
