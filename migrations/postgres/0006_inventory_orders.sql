-- The inventory's orders (by quantity, either way), each served by an index that also holds the
-- archived filter, so a page of 25 out of 100,000 products reads 25 index entries.
CREATE INDEX products_by_quantity ON products (archived, quantity, name_key, id);
