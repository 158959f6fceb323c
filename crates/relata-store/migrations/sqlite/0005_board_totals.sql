-- Relata schema v5 (SQLite). The pipeline board sums each stage's amounts:
-- an index that holds them answers without reading the table.
CREATE INDEX opportunities_ws_stage_amounts
    ON opportunities(workspace_id, pipeline_id, stage_id, deleted_at, amount_currency, amount_minor);
