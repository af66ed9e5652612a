-- 0002_items_by_uri: ingestion and the sidecar look items up by their path/URI.
CREATE INDEX items_by_uri ON items (uri);
