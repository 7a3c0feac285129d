-- Tax per product (PRODUCT.md, "Tax"): a product's own rate (NULL: the shop's TAX_RATE) and an
-- optional tax code such as an HSN/SAC code; each bill line keeps the rate, code and tax in force
-- when it was recorded, so editing a product never changes a past bill. Lines of bills recorded
-- before this have no line tax (NULL): their bill was taxed as a whole.
ALTER TABLE products ADD COLUMN tax_rate_bp INTEGER CHECK (tax_rate_bp IS NULL OR tax_rate_bp BETWEEN 0 AND 10000);
ALTER TABLE products ADD COLUMN tax_code TEXT;
ALTER TABLE bill_lines ADD COLUMN tax_rate_bp INTEGER CHECK (tax_rate_bp IS NULL OR tax_rate_bp BETWEEN 0 AND 10000);
ALTER TABLE bill_lines ADD COLUMN tax_code TEXT;
ALTER TABLE bill_lines ADD COLUMN tax INTEGER CHECK (tax IS NULL OR tax >= 0);
