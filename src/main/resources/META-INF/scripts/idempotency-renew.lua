-- Extends the lease of an in-flight record if the caller still owns it.
-- KEYS[1]: the record
-- ARGV[1]: the owner token returned by the reservation
-- ARGV[2]: the new lease in milliseconds, counted from now
-- Returns 1 when renewed, 0 when the record is gone, completed or owned by another reservation.
if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then
	return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
