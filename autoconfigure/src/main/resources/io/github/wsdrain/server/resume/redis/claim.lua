-- Take a session over, atomically (PROTOCOL.md §4.1-4.3). KEYS: hash, stream.
-- ARGV: token hash, principal ('-' or ':' .. name), endpoint, last, new owner, ttl ms, channel prefix, journal id,
-- the epoch the claiming node holds the session with ('0' for none): a node that still owns it keeps its epoch,
-- so that its own writes in flight are not fenced off.
-- Returns {'none'}, {'below'}, {'beyond'}, {'complete', code, reason}, or
-- {'claimed', new epoch, previous owner, previous epoch, handed, written, delivered, previous owner listening}.
local h = redis.call('HMGET', KEYS[1], 'k:' .. ARGV[1], 'principal', 'endpoint', 'state', 'written', 'acked',
	'delivered', 'epoch', 'owner', 'handed', 'code', 'reason')
if not h[1] or h[2] ~= ARGV[2] or h[3] ~= ARGV[3] then return {'none'} end
if h[4] == 'complete' then return {'complete', h[11], h[12]} end
local last = tonumber(ARGV[4])
if last < tonumber(h[6]) then return {'below'} end
if last > tonumber(h[5]) then return {'beyond'} end
local epoch = h[8]
if h[9] ~= ARGV[5] or h[8] ~= ARGV[9] then epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1) end
redis.call('HSET', KEYS[1], 'owner', ARGV[5], 'acked', last, 'handed', 0)
if redis.call('EXISTS', KEYS[2]) == 1 then
	redis.call('XTRIM', KEYS[2], 'MINID', (last + 1) .. '-0')
	redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
-- The previous owner learns at once; how many listened tells whether it is still running.
local listening = 1
if h[9] ~= ARGV[5] then listening = redis.call('PUBLISH', ARGV[7] .. h[9], ARGV[8] .. ' ' .. epoch) end
return {'claimed', tostring(epoch), h[9], h[8], h[10], h[5], h[7], tostring(listening)}
