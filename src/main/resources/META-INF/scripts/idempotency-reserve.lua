-- Reserves an idempotency key or returns the record stored for it, in one atomic step.
-- KEYS[1]: the record, a hash with the fields state, fingerprint, token and response
-- ARGV[1]: the owner token of the new reservation
-- ARGV[2]: the request fingerprint
-- ARGV[3]: the lease in milliseconds, the expiry of the new in-flight record
-- Returns {'reserved'}, {'in-flight', fingerprint} or {'completed', fingerprint, encoded response}.
local record = redis.call('HMGET', KEYS[1], 'state', 'fingerprint', 'response')
local state = record[1]
if not state then
	-- The in-flight record gets its lease as expiry in the same script, so it never exists without one.
	redis.call('DEL', KEYS[1])
	redis.call('HSET', KEYS[1], 'state', 'in-flight', 'fingerprint', ARGV[2], 'token', ARGV[1])
	redis.call('PEXPIRE', KEYS[1], ARGV[3])
	return {'reserved'}
end
if state == 'completed' then
	return {'completed', record[2], record[3]}
end
return {'in-flight', record[2]}
