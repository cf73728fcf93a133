-- Record outbound frames before they go to the socket, with the acknowledgement that rides along (RedisFrames:
-- an entry per at most 64 KiB of frames, ID <its last sequence>-<its first sequence>, one field 'f': per
-- frame a type byte, a 4-byte big-endian length and the payload). KEYS: hash, stream.
-- ARGV: epoch, ttl ms, the client's acknowledgement ('0' for none), the first sequence, then per entry
-- its frame count and its frames.
-- The owner appends a batch only once the previous one is recorded, so frames at or below the highest
-- written are a repeat of the last append (the writer's retry after a lost reply, or Lettuce's resend
-- after a reconnect): it starts where that append started ('wfirst'), and only its new tail is added, as
-- an entry of its own. Returns 1, 0 when another node took the session over, -1 when the store lost it,
-- -2 when the first frame does not follow the highest written, -3 when frames already written come from
-- anything but a repeat: a second writer at this epoch (nothing written in either case).
local h = redis.call('HMGET', KEYS[1], 'epoch', 'written', 'acked', 'wfirst')
if not h[1] then return -1 end
if h[1] ~= ARGV[1] then return 0 end
local written = tonumber(h[2])
local seq = tonumber(ARGV[4])
if seq > written + 1 then return -2 end
if seq <= written and seq ~= tonumber(h[4]) then return -3 end
for i = 5, #ARGV, 2 do
	local last = seq + tonumber(ARGV[i]) - 1
	if last > written then
		local frames = ARGV[i + 1]
		local from = 1
		for _ = seq, written do
			local a, b, c, d = string.byte(frames, from + 1, from + 4)
			from = from + 5 + ((a * 256 + b) * 256 + c) * 256 + d
		end
		if from > 1 then frames = string.sub(frames, from) end
		redis.call('XADD', KEYS[2], string.format('%d-%d', last, math.max(seq, written + 1)), 'f', frames)
		written = last
	end
	seq = last + 1
end
if written > tonumber(h[2]) then redis.call('HSET', KEYS[1], 'written', written, 'wfirst', ARGV[4]) end
if tonumber(ARGV[3]) > tonumber(h[3]) then
	redis.call('HSET', KEYS[1], 'acked', ARGV[3])
	redis.call('XTRIM', KEYS[2], 'MINID', string.format('%d-0', tonumber(ARGV[3]) + 1))
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
