-- Deletes an in-flight record if the caller still owns it, and wakes the waiting duplicates.
-- KEYS[1]: the record
-- ARGV[1]: the owner token returned by the reservation
-- ARGV[2]: the channel on which waiting duplicates listen
-- Returns 1 when released, 0 when the record is gone, completed or owned by another reservation.
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
	return 0
end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], 'released')
return 1
