-- Catalog search at 100,000 SKUs (issue 15).
--
-- products_fts: a trigram index of product names (CJK substrings, case-insensitive ASCII),
-- kept in step with `products` by triggers (external content: the names are not stored twice).
-- A MATCH needs at least 3 characters; shorter queries fall back to LIKE.
CREATE VIRTUAL TABLE products_fts USING fts5 (name, content = 'products', content_rowid = 'id', tokenize = 'trigram');
INSERT INTO products_fts (rowid, name) SELECT id, name FROM products;

CREATE TRIGGER products_fts_ai AFTER INSERT ON products BEGIN
    INSERT INTO products_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER products_fts_ad AFTER DELETE ON products BEGIN
    INSERT INTO products_fts (products_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER products_fts_au AFTER UPDATE OF name ON products WHEN old.name IS NOT new.name BEGIN
    INSERT INTO products_fts (products_fts, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO products_fts (rowid, name) VALUES (new.id, new.name);
END;

-- The grid pages through active products of a category in id order.
CREATE INDEX products_active_category ON products (active, category_id, id);

-- Incremental catalog sync: a fingerprint of the platform's list row as last applied,
-- and whether the product's specifications (detail call) still have to be fetched.
ALTER TABLE products ADD COLUMN sync_hash INTEGER;
ALTER TABLE products ADD COLUMN spec_due INTEGER NOT NULL DEFAULT 0;
CREATE INDEX products_spec_due ON products (id) WHERE spec_due = 1;
