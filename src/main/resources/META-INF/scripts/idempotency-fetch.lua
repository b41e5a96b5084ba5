-- Reads a record without changing it.
-- KEYS[1]: the record
-- Returns {'absent'}, {'in-flight', fingerprint} or {'completed', fingerprint, encoded response}.
local record = redis.call('HMGET', KEYS[1], 'state', 'fingerprint', 'response')
local state = record[1]
if not state then
	return {'absent'}
end
if state == 'completed' then
	return {'completed', record[2], record[3]}
end
return {'in-flight', record[2]}
