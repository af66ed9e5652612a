-- 0002_image_bytes: the bytes of images the service stores, in the database every replica
-- shares, so a replica's disk holds only caches (docs/scaling.md: why not a shared directory).
-- Content-addressed: rows point at bytes by the relative uri images/<ab>/<sha256>.<ext>, whose
-- sha256 is this key; the same image in two spaces is stored once.
CREATE TABLE image_bytes (
    sha256     text  PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- Bounded by PostgresImageBytes.maxBytes before it is written (bytea allows 1 GB).
    bytes      bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Stored images are already compressed (JPEG, PNG, WebP): TOAST's compression would only cost CPU.
ALTER TABLE image_bytes ALTER COLUMN bytes SET STORAGE EXTERNAL;
