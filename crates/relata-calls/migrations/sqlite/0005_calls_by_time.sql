-- Calls, schema 5: a customer's phone calls by time. Their story (the
-- timeline, the screen pop's last episodes) reads a contact's or account's
-- newest calls: by the time of each call, the index walks back from the
-- newest and stops at the page's end; by id, every call of a customer who
-- called hundreds of times was read and sorted. Lists by contact or account
-- still find their calls by the index's first columns.
DROP INDEX phone_calls_ws_contact_id;
DROP INDEX phone_calls_ws_account_id;
CREATE INDEX phone_calls_ws_contact_id ON phone_calls(workspace_id, contact_id, created_at, id);
CREATE INDEX phone_calls_ws_account_id ON phone_calls(workspace_id, account_id, created_at, id);
