-- Relata schema v23: one person's quiet deals read their own deals.
-- Read through opportunities_ws_quiet (every open deal in quiet order), the
-- deals of someone with few or none were found only after reading every
-- quiet deal of the workspace (36 ms over 1,000,000 contacts for someone
-- with none, against 0.03 ms here); the planner takes this index for one
-- owner or a few, the other for a large team.
CREATE INDEX opportunities_ws_owner_quiet ON opportunities(workspace_id, owner_id, status, updated_at, id, deleted_at)
    WHERE deleted_at IS NULL;
