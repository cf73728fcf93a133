-- The recorded frames from sequence ARGV[1] on, read by a new owner. KEYS: hash, the stream at its epoch.
-- Returns the session's epoch (false when the store lost it), then the stream entries that hold a frame
-- from ARGV[1] on (RedisFrames), each its ID and its fields, in order.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
return {epoch, redis.call('XRANGE', KEYS[2], ARGV[1] .. '-0', '+')}
