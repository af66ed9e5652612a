-- 0001_initial: the image collection, its embedding spaces, index checkpoints and adapters.
-- SQLite is the source of truth, embeddings included; the FAISS index is rebuilt from `items`.

-- An embedding space: vectors are comparable only within one (model + image-side adapter + dim).
CREATE TABLE spaces (
    id               INTEGER PRIMARY KEY,
    model_id         TEXT    NOT NULL CHECK (length(model_id) > 0),
    -- '' when the image side has no adapter (NULL would defeat the UNIQUE constraint).
    image_adapter_id TEXT    NOT NULL DEFAULT '',
    dimension        INTEGER NOT NULL CHECK (dimension > 0),
    created_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (model_id, image_adapter_id, dimension)
);

-- One stored image. AUTOINCREMENT: ids are never reused, so `id` is also the row sequence the
-- index checkpoint refers to, and the 64-bit id stored in FAISS.
CREATE TABLE items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    uri        TEXT    NOT NULL,
    -- content hash; unique per space (the same image may be embedded by two models)
    sha256     TEXT    NOT NULL CHECK (length(sha256) = 64),
    width      INTEGER CHECK (width IS NULL OR width > 0),
    height     INTEGER CHECK (height IS NULL OR height > 0),
    caption    TEXT,
    metadata   TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    space_id   INTEGER NOT NULL REFERENCES spaces (id),
    -- little-endian float32 × spaces.dimension, L2-normalised
    embedding  BLOB    NOT NULL,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (space_id, sha256)
);
CREATE INDEX items_by_space ON items (space_id, id);

-- Every deletion, in order, so an index checkpoint can replay the deletes it has not seen.
CREATE TABLE item_deletions (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id    INTEGER NOT NULL,
    space_id   INTEGER NOT NULL,
    deleted_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX item_deletions_by_space ON item_deletions (space_id, seq);

-- A trigger, not application code, logs deletions: a row deleted by hand is replayed too.
CREATE TRIGGER items_log_deletion AFTER DELETE ON items
BEGIN
    INSERT INTO item_deletions (item_id, space_id) VALUES (old.id, old.space_id);
END;

-- Each index file written: what it covers. The file's own header is authoritative at start
-- (it is written atomically with the vectors); this table is the history `index stats` shows.
CREATE TABLE index_checkpoints (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    space_id             INTEGER NOT NULL REFERENCES spaces (id),
    factory              TEXT    NOT NULL,
    vector_count         INTEGER NOT NULL,
    applied_item_id      INTEGER NOT NULL,
    applied_deletion_seq INTEGER NOT NULL,
    file_name            TEXT    NOT NULL,
    file_bytes           INTEGER NOT NULL,
    payload_sha256       TEXT    NOT NULL,
    reason               TEXT    NOT NULL CHECK (reason IN ('checkpoint', 'rebuild', 'close')),
    created_at           TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Installed adapters (language, domain, prompt); the admin endpoints fill this table.
CREATE TABLE adapters (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('language', 'domain', 'prompt')),
    name         TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    base_model   TEXT    NOT NULL,
    sha256       TEXT    NOT NULL CHECK (length(sha256) = 64),
    manifest     TEXT    NOT NULL CHECK (json_valid(manifest)),
    path         TEXT    NOT NULL,
    active       INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    installed_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (kind, name, version)
);
