-- Commerce, schema 4: document templates (what quotes, orders and invoices
-- print, and the rounding new documents take), and the template a
-- document names.
CREATE TABLE document_templates (
    id BLOB NOT NULL,
    workspace_id BLOB NOT NULL REFERENCES workspaces(id),
    version INTEGER NOT NULL,
    owner_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by_id BLOB,
    updated_by_id BLOB,
    deleted_at TEXT,
    name TEXT NOT NULL,
    is_default INTEGER,
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
    custom TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX document_templates_ws_name ON document_templates(workspace_id, name, id);
CREATE INDEX document_templates_ws_default ON document_templates(workspace_id, is_default, id);
CREATE INDEX document_templates_ws_owner ON document_templates(workspace_id, owner_id, id);
ALTER TABLE quotes ADD COLUMN template_id BLOB;
ALTER TABLE orders ADD COLUMN template_id BLOB;
ALTER TABLE invoices ADD COLUMN template_id BLOB;
