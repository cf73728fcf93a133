-- The owner ended the session. KEYS: hash, the stream at the owner's epoch. ARGV: epoch, ttl ms, complete (1/0), close code, reason.
-- Complete: kept for the window to answer a late resume with its close status; else forgotten.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return -1 end
if epoch ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
if ARGV[3] == '1' then
	redis.call('HSET', KEYS[1], 'state', 'complete', 'code', ARGV[4], 'reason', ARGV[5])
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
	redis.call('DEL', KEYS[1])
end
return 1
