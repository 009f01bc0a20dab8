-- A product's own barcode is looked up by product id (every product row shown carries
-- it); without this index that was a scan of all barcodes per product.
CREATE INDEX barcodes_product ON barcodes (product_id, specification_id);
