-- Record outbound frames before they go to the socket; entry IDs are the sequence numbers,
-- so Redis itself refuses a duplicate or out-of-order one. KEYS: hash, stream.
-- ARGV: epoch, ttl ms, first sequence, then a type ('t' or 'b') and a payload per frame.
-- Frames already written (a retry after a reply that was lost) are skipped.
-- Returns 1, 0 when another node took the session over, -1 when the store lost it,
-- -2 when the first frame does not follow the highest written (nothing written).
local h = redis.call('HMGET', KEYS[1], 'epoch', 'written')
if not h[1] then return -1 end
if h[1] ~= ARGV[1] then return 0 end
local written = tonumber(h[2])
local seq = tonumber(ARGV[3])
if seq > written + 1 then return -2 end
for i = 4, #ARGV, 2 do
	if seq > written then
		redis.call('XADD', KEYS[2], seq .. '-0', 't', ARGV[i], 'p', ARGV[i + 1])
	end
	seq = seq + 1
end
if seq - 1 > written then redis.call('HSET', KEYS[1], 'written', seq - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
