-- Stores the response of an in-flight record if the caller still owns it, and wakes the waiting duplicates.
-- KEYS[1]: the record
-- ARGV[1]: the owner token returned by the reservation
-- ARGV[2]: the request fingerprint
-- ARGV[3]: the encoded response
-- ARGV[4]: the time to live of the stored response in milliseconds
-- ARGV[5]: the channel on which waiting duplicates listen
-- Returns 1 when stored, 0 when the record is gone or owned by another reservation.
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
	return 0
end
redis.call('HDEL', KEYS[1], 'token')
redis.call('HSET', KEYS[1], 'state', 'completed', 'fingerprint', ARGV[2], 'response', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[5], 'completed')
return 1
