-- Take a session over, atomically (PROTOCOL.md §4.1-4.3). KEYS: hash.
-- ARGV: token hash, principal ('-' or ':' .. name), endpoint, last, new owner, ttl ms, channel prefix, journal id,
-- the epoch the claiming node holds the session with ('0' for none): a node that still owns it keeps its epoch,
-- so that its own writes in flight are not fenced off; the stream's name without its epoch. The stream
-- shares the hash's hash tag, and so its Redis Cluster slot, but is not a key of the call: its name depends on
-- the epoch read here.
-- The stream is named by the epoch: a new epoch renames it, so that the previous owner's appends (XADD
-- NOMKSTREAM to its old name) add nothing. The highest sequence written is that of the stream's last entry
-- (ID <last sequence>-<first sequence>), or the acknowledgement when every entry is trimmed.
-- Returns {'none'}, {'below'}, {'beyond'}, {'lost'} (the stream is gone), {'complete', code, reason}, or
-- {'claimed', new epoch, previous owner, previous epoch, handed, written, delivered, previous owner listening}.
local h = redis.call('HMGET', KEYS[1], 'k:' .. ARGV[1], 'principal', 'endpoint', 'state', 'acked',
	'delivered', 'epoch', 'owner', 'handed', 'code', 'reason')
if not h[1] or h[2] ~= ARGV[2] or h[3] ~= ARGV[3] then return {'none'} end
if h[4] == 'complete' then return {'complete', h[10], h[11]} end
local stream = ARGV[10] .. ':' .. h[7]
if redis.call('EXISTS', stream) == 0 then return {'lost'} end
local written = tonumber(h[5])
local newest = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
if newest then
	local id = newest[1]
	written = math.max(written, tonumber(string.sub(id, 1, string.find(id, '-', 1, true) - 1)))
end
local last = tonumber(ARGV[4])
if last < tonumber(h[5]) then return {'below'} end
if last > written then return {'beyond'} end
local epoch = h[7]
if h[8] ~= ARGV[5] or h[7] ~= ARGV[9] then
	epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
	local moved = ARGV[10] .. ':' .. epoch
	redis.call('RENAME', stream, moved)
	stream = moved
end
redis.call('HSET', KEYS[1], 'owner', ARGV[5], 'acked', last, 'handed', 0)
redis.call('XTRIM', stream, 'MINID', (last + 1) .. '-0')
redis.call('PEXPIRE', stream, ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
-- The previous owner learns at once; how many listened tells whether it is still running.
local listening = 1
if h[8] ~= ARGV[5] then listening = redis.call('PUBLISH', ARGV[7] .. h[8], ARGV[8] .. ' ' .. epoch) end
return {'claimed', tostring(epoch), h[8], h[7], h[9], tostring(written), h[6], tostring(listening)}
