-- Commerce, schema 4: document templates; see the SQLite file.
CREATE TABLE document_templates (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    name TEXT NOT NULL,
    is_default BOOLEAN,
    language TEXT NOT NULL,
    rounding TEXT NOT NULL,
    company_name TEXT,
    company_address TEXT,
    tax_id TEXT,
    registration_id TEXT,
    bank_name TEXT,
    bank_account TEXT,
    contact_line TEXT,
    legal_footer TEXT,
    logo TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX document_templates_ws_name ON document_templates(workspace_id, name, id);
CREATE INDEX document_templates_ws_default ON document_templates(workspace_id, is_default, id);
CREATE INDEX document_templates_ws_owner ON document_templates(workspace_id, owner_id, id);
ALTER TABLE quotes ADD COLUMN template_id UUID;
ALTER TABLE orders ADD COLUMN template_id UUID;
ALTER TABLE invoices ADD COLUMN template_id UUID;
