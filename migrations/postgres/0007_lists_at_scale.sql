-- Lists that must cost the same at chain scale as in a corner shop.
--
-- /expiry pages soonest first by (expires_on, id), one index range a page, however many lots
-- have expired.
DROP INDEX lots_open_by_expiry;
CREATE INDEX lots_open_by_expiry ON lots (expires_on, id) WHERE remaining > 0 AND expires_on IS NOT NULL;

-- The dashboard's stock value, summed from this index alone.
CREATE INDEX lots_open_value ON lots (unit_cost, remaining) WHERE remaining > 0;

-- The dashboard's low-stock list in its own order (lowest share of the limit first; the
-- expression is written exactly as the query writes it) and the overstock list by name, each
-- holding only the products it lists, so the first ten rows and a capped count read only those.
CREATE INDEX products_low_stock ON products ((CAST(quantity AS REAL) / CAST(lower_limit AS REAL)), name_key, id)
    WHERE archived = 0 AND quantity < lower_limit;
CREATE INDEX products_overstock ON products (name_key, id) WHERE archived = 0 AND quantity > upper_limit;
