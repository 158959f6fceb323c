-- Commerce, schema 5: an invoice the customer disputes (dunning stops).
ALTER TABLE invoices ADD COLUMN disputed INTEGER;
