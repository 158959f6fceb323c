-- Relata schema v22: the home dashboard's figures read covering indexes.
-- A partial index (`WHERE deleted_at IS NULL`) only covers a query when the
-- column of its condition is one of its columns too, hence `deleted_at` last.
-- Activities logged per person since a moment:
DROP INDEX activities_ws_owner_created;
CREATE INDEX activities_ws_owner_created ON activities(workspace_id, owner_id, created_at, deleted_at)
    WHERE deleted_at IS NULL;
-- Open amounts of a pipeline per owner and stage:
CREATE INDEX opportunities_ws_open_amounts
    ON opportunities(workspace_id, pipeline_id, status, owner_id, stage_id, amount_currency, amount_minor, deleted_at)
    WHERE deleted_at IS NULL;
-- Deals won and lost in a period (the win rate):
CREATE INDEX opportunities_ws_closed ON opportunities(workspace_id, closed_at, owner_id, status, deleted_at)
    WHERE deleted_at IS NULL AND closed_at IS NOT NULL;
-- Open deals quiet since a moment, longest quiet first (read in that order,
-- stopping at the page's count, whoever's they are):
CREATE INDEX opportunities_ws_quiet ON opportunities(workspace_id, status, updated_at, id, owner_id, deleted_at)
    WHERE deleted_at IS NULL;
