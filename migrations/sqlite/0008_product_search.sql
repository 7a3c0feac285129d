-- Search by any part of a product's name ("rice" finds "Basmati Rice") from an index of the
-- name's three-character pieces instead of reading all 100,000 names. It holds the folded
-- names (`name_key`) of the products that are listed (not archived), so counting matches needs
-- nothing else; the triggers below keep it in step with `products`.
CREATE VIRTUAL TABLE products_search USING fts5 (
    name_key, content = 'products', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO products_search (rowid, name_key) SELECT id, name_key FROM products WHERE archived = 0;

CREATE TRIGGER products_search_insert AFTER INSERT ON products WHEN new.archived = 0 BEGIN
    INSERT INTO products_search (rowid, name_key) VALUES (new.id, new.name_key);
END;
CREATE TRIGGER products_search_delete AFTER DELETE ON products WHEN old.archived = 0 BEGIN
    INSERT INTO products_search (products_search, rowid, name_key) VALUES ('delete', old.id, old.name_key);
END;
CREATE TRIGGER products_search_update AFTER UPDATE OF name_key, archived ON products BEGIN
    INSERT INTO products_search (products_search, rowid, name_key)
        SELECT 'delete', old.id, old.name_key WHERE old.archived = 0;
    INSERT INTO products_search (rowid, name_key) SELECT new.id, new.name_key WHERE new.archived = 0;
END;
