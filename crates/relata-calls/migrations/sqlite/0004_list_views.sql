-- Calls, schema 4: a call list may select its contacts by a saved view.
ALTER TABLE call_lists ADD COLUMN saved_view TEXT;
