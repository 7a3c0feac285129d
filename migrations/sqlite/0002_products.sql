-- Products. Money columns are integer minor units; quantities are integers in the product's unit.
CREATE TABLE products (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL UNIQUE,       -- folded name: uniqueness and search ignore case and spacing
    sku           TEXT    UNIQUE,
    unit          TEXT    NOT NULL DEFAULT 'pcs',
    loose         INTEGER NOT NULL DEFAULT 0 CHECK (loose IN (0, 1)),
    selling_price INTEGER NOT NULL DEFAULT 0 CHECK (selling_price >= 0),
    average_cost  INTEGER NOT NULL DEFAULT 0 CHECK (average_cost >= 0),
    quantity      INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    lower_limit   INTEGER CHECK (lower_limit >= 0),
    upper_limit   INTEGER CHECK (upper_limit >= 0),
    archived      INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX products_listing ON products (archived, name_key);
