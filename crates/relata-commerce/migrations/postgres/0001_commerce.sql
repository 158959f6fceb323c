-- Commerce, schema 1: products, price books, quotes, orders, invoices and
-- payments (lines of the documents live in document_lines), and the
-- figures commerce keeps on accounts. Storage format v6: keyed by
-- (workspace_id, id).

CREATE TABLE products (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    family TEXT,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    fractional_quantities BOOLEAN,
    tax_rate BIGINT,
    active BOOLEAN,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX products_ws_sku ON products(workspace_id, sku, id);
CREATE INDEX products_ws_name ON products(workspace_id, name, id);
CREATE INDEX products_ws_family ON products(workspace_id, family, id);
CREATE INDEX products_ws_owner ON products(workspace_id, owner_id, id);

CREATE TABLE price_books (
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
    currency TEXT NOT NULL,
    account_id UUID,
    segment TEXT,
    valid_from DATE,
    valid_to DATE,
    active BOOLEAN,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX price_books_ws_currency ON price_books(workspace_id, currency, id);
CREATE INDEX price_books_ws_account ON price_books(workspace_id, account_id, id);
CREATE INDEX price_books_ws_owner ON price_books(workspace_id, owner_id, id);

CREATE TABLE quotes (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    number TEXT,
    revision BIGINT,
    revision_of_id UUID,
    opportunity_id UUID,
    quote_date DATE,
    valid_until DATE,
    status TEXT NOT NULL,
    wins_opportunity BOOLEAN,
    order_id UUID,
    terms TEXT,
    account_id UUID NOT NULL,
    contact_id UUID,
    currency TEXT,
    discount_percent BIGINT,
    rounding TEXT NOT NULL,
    net_total_minor BIGINT,
    net_total_currency TEXT,
    tax_total_minor BIGINT,
    tax_total_currency TEXT,
    grand_total_minor BIGINT,
    grand_total_currency TEXT,
    tax_summary TEXT,
    legal_notes TEXT,
    external_ref TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX quotes_ws_account ON quotes(workspace_id, account_id, id);
CREATE INDEX quotes_ws_opportunity ON quotes(workspace_id, opportunity_id, id);
CREATE INDEX quotes_ws_status ON quotes(workspace_id, status, id);
CREATE INDEX quotes_ws_number ON quotes(workspace_id, number, id);
CREATE INDEX quotes_ws_owner ON quotes(workspace_id, owner_id, id);

CREATE TABLE orders (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    number TEXT,
    quote_id UUID,
    opportunity_id UUID,
    order_date DATE,
    status TEXT NOT NULL,
    delivery_street TEXT,
    delivery_city TEXT,
    delivery_postal_code TEXT,
    delivery_region TEXT,
    delivery_country TEXT,
    notes TEXT,
    account_id UUID NOT NULL,
    contact_id UUID,
    currency TEXT,
    discount_percent BIGINT,
    rounding TEXT NOT NULL,
    net_total_minor BIGINT,
    net_total_currency TEXT,
    tax_total_minor BIGINT,
    tax_total_currency TEXT,
    grand_total_minor BIGINT,
    grand_total_currency TEXT,
    tax_summary TEXT,
    legal_notes TEXT,
    external_ref TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX orders_ws_account ON orders(workspace_id, account_id, id);
CREATE INDEX orders_ws_quote ON orders(workspace_id, quote_id, id);
CREATE INDEX orders_ws_status ON orders(workspace_id, status, id);
CREATE INDEX orders_ws_number ON orders(workspace_id, number, id);
CREATE INDEX orders_ws_owner ON orders(workspace_id, owner_id, id);

CREATE TABLE invoices (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    number TEXT,
    kind TEXT NOT NULL,
    corrects_id UUID,
    order_id UUID,
    issue_date DATE,
    payment_terms_days BIGINT,
    due_date DATE,
    status TEXT NOT NULL,
    paid_amount_minor BIGINT,
    paid_amount_currency TEXT,
    credited_amount_minor BIGINT,
    credited_amount_currency TEXT,
    balance_minor BIGINT,
    balance_currency TEXT,
    account_id UUID NOT NULL,
    contact_id UUID,
    currency TEXT,
    discount_percent BIGINT,
    rounding TEXT NOT NULL,
    net_total_minor BIGINT,
    net_total_currency TEXT,
    tax_total_minor BIGINT,
    tax_total_currency TEXT,
    grand_total_minor BIGINT,
    grand_total_currency TEXT,
    tax_summary TEXT,
    legal_notes TEXT,
    external_ref TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX invoices_ws_account ON invoices(workspace_id, account_id, id);
CREATE INDEX invoices_ws_status ON invoices(workspace_id, status, id);
CREATE INDEX invoices_ws_due_date ON invoices(workspace_id, due_date, id);
CREATE INDEX invoices_ws_number ON invoices(workspace_id, number, id);
CREATE INDEX invoices_ws_order ON invoices(workspace_id, order_id, id);
CREATE INDEX invoices_ws_owner ON invoices(workspace_id, owner_id, id);

CREATE TABLE payments (
    id UUID NOT NULL,
    workspace_id UUID NOT NULL REFERENCES workspaces(id),
    version BIGINT NOT NULL,
    owner_id UUID,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    created_by_id UUID,
    updated_by_id UUID,
    deleted_at TIMESTAMPTZ,
    account_id UUID NOT NULL,
    kind TEXT NOT NULL,
    amount_minor BIGINT,
    amount_currency TEXT,
    payment_date DATE,
    method TEXT NOT NULL,
    reference TEXT,
    allocated_amount_minor BIGINT,
    allocated_amount_currency TEXT,
    unallocated_amount_minor BIGINT,
    unallocated_amount_currency TEXT,
    external_ref TEXT,
    custom JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX payments_ws_account ON payments(workspace_id, account_id, id);
CREATE INDEX payments_ws_payment_date ON payments(workspace_id, payment_date, id);
CREATE INDEX payments_ws_owner ON payments(workspace_id, owner_id, id);

CREATE UNIQUE INDEX products_ws_sku_live ON products(workspace_id, sku) WHERE deleted_at IS NULL;

ALTER TABLE accounts ADD COLUMN price_segment TEXT;
ALTER TABLE accounts ADD COLUMN billing_currency TEXT;
ALTER TABLE accounts ADD COLUMN revenue_this_year_minor BIGINT;
ALTER TABLE accounts ADD COLUMN revenue_this_year_currency TEXT;
ALTER TABLE accounts ADD COLUMN revenue_last_year_minor BIGINT;
ALTER TABLE accounts ADD COLUMN revenue_last_year_currency TEXT;
ALTER TABLE accounts ADD COLUMN revenue_total_minor BIGINT;
ALTER TABLE accounts ADD COLUMN revenue_total_currency TEXT;
ALTER TABLE accounts ADD COLUMN open_balance_minor BIGINT;
ALTER TABLE accounts ADD COLUMN open_balance_currency TEXT;
ALTER TABLE accounts ADD COLUMN overdue_amount_minor BIGINT;
ALTER TABLE accounts ADD COLUMN overdue_amount_currency TEXT;
ALTER TABLE accounts ADD COLUMN overdue_days BIGINT;
ALTER TABLE accounts ADD COLUMN credit_balance_minor BIGINT;
ALTER TABLE accounts ADD COLUMN credit_balance_currency TEXT;
CREATE INDEX accounts_ws_overdue ON accounts(workspace_id, overdue_amount_minor, id);
CREATE INDEX accounts_ws_open_balance ON accounts(workspace_id, open_balance_minor, id);
