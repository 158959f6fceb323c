-- Commerce, schema 5: an invoice the customer disputes; see the SQLite file.
ALTER TABLE invoices ADD COLUMN disputed BOOLEAN;
