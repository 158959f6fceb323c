-- Calls, schema 3: a phone call knows the call to make it was dialled for,
-- the call activity it was logged as and the order taken during it; a call
-- list says how its calls are shared among its agents.
ALTER TABLE phone_calls ADD COLUMN call_queue_entry_id BLOB;
ALTER TABLE phone_calls ADD COLUMN activity_id BLOB;
ALTER TABLE phone_calls ADD COLUMN order_id BLOB;
CREATE INDEX phone_calls_ws_entry ON phone_calls(workspace_id, call_queue_entry_id, id);
ALTER TABLE call_lists ADD COLUMN distribution TEXT;
ALTER TABLE call_lists ADD COLUMN skill TEXT;
