-- 0001_initial: the shared store of a cluster of replicas. Items, their embeddings (the source of
-- truth, full precision), embedding spaces, the adapter catalog and ingest jobs.
-- Migrations run under an advisory lock, each in a transaction with its schema_migrations row.

-- pgvector: the vector and halfvec types and their HNSW index method. Not a trusted extension:
-- creating it needs a superuser once per database; when an operator already did, this is a no-op.
CREATE EXTENSION IF NOT EXISTS vector;

-- An embedding space: vectors are comparable only within one (model + image-side adapter + dim).
-- 2000: the largest dimension pgvector's HNSW indexes a `vector` (and its halfvec expression
-- index, which allows 4000, is built from it).
CREATE TABLE spaces (
    id               bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id         text    NOT NULL CHECK (length(model_id) > 0),
    -- '' when the image side has no adapter (NULL would defeat the UNIQUE constraint).
    image_adapter_id text    NOT NULL DEFAULT '',
    dimension        integer NOT NULL CHECK (dimension BETWEEN 1 AND 2000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model_id, image_adapter_id, dimension)
);

-- One stored image. Ids come from one sequence and are never reused, as in the embedded store.
CREATE TABLE items (
    id         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    space_id   bigint  NOT NULL REFERENCES spaces (id),
    uri        text    NOT NULL,
    -- The name clients are shown (the path under an ingested folder, an upload's file name).
    path       text,
    -- Content hash, unique per space: the dedupe key (the same image may be in two spaces).
    sha256     text    NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    width      integer CHECK (width IS NULL OR width > 0),
    height     integer CHECK (height IS NULL OR height > 0),
    caption    text,
    metadata   jsonb   NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (space_id, sha256)
);
CREATE INDEX items_by_space ON items (space_id, id);
CREATE INDEX items_by_uri ON items (uri);
-- Metadata filters are containment (`metadata @> '{"k": v}'`), which this index serves.
CREATE INDEX items_metadata ON items USING gin (metadata jsonb_path_ops);

-- The item's L2-normalised embedding, float32 (vector without a fixed dimension: spaces differ).
-- The approximate index is per space, an expression index the store creates when it first opens
-- a space: `embeddings_hnsw_<space id>` on (embedding::halfvec(d)) WHERE space_id = <id>
-- (docs/scaling.md: why HNSW, why halfvec for the index and float32 for exact search).
CREATE TABLE embeddings (
    item_id   bigint PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    space_id  bigint NOT NULL REFERENCES spaces (id),
    embedding vector NOT NULL
);
CREATE INDEX embeddings_by_space ON embeddings (space_id);
-- Kept in the row, never compressed: a 512-d vector (2 KB) is past the TOAST threshold, and
-- compressing floats gains nothing but costs every exact scan a decompression attempt
-- (docs/scaling.md: exact p99 116 ms instead of 154 at 20k x 512). Up to 2000 dimensions (8 KB)
-- still fit in a page.
ALTER TABLE embeddings ALTER COLUMN embedding SET STORAGE PLAIN;

-- Installed adapters (language, domain, prompt): the catalog every replica follows.
CREATE TABLE adapters (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text    NOT NULL CHECK (kind IN ('language', 'domain', 'prompt')),
    name         text    NOT NULL,
    version      text    NOT NULL,
    base_model   text    NOT NULL,
    sha256       text    NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    manifest     jsonb   NOT NULL,
    path         text    NOT NULL,
    active       boolean NOT NULL DEFAULT false,
    installed_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, name, version)
);

-- What each replica serves per adapter kind, as it last reported: an admin listing shows every
-- replica's state, and a replica that could not load the catalog's choice says why here.
CREATE TABLE adapter_replicas (
    replica_id  text   NOT NULL,
    kind        text   NOT NULL CHECK (kind IN ('language', 'domain', 'prompt')),
    adapter_id  bigint REFERENCES adapters (id) ON DELETE SET NULL,
    state       text   NOT NULL CHECK (state IN ('loading', 'serving', 'failed')),
    error       text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (replica_id, kind)
);

-- One background ingest: a folder the server reads, or a list of URLs. `owner` is the replica
-- running it (it also holds the job's advisory lock; when that replica dies, its session and so
-- the lock go with it, and another replica takes the job over).
CREATE TABLE ingest_jobs (
    id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text    NOT NULL CHECK (kind IN ('folder', 'urls')),
    -- folder: the resolved absolute folder (never shown); urls: ''
    root            text    NOT NULL,
    recursive       boolean NOT NULL DEFAULT true,
    state           text    NOT NULL CHECK (state IN ('listing', 'running', 'completed', 'cancelled', 'failed')),
    skipped_entries integer NOT NULL DEFAULT 0,
    error           text,
    owner           text,
    heartbeat_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);

-- The job's work list. An item's state changes in the transaction that stores its row, so a kill
-- never loses or repeats one.
CREATE TABLE ingest_job_items (
    job_id  bigint  NOT NULL REFERENCES ingest_jobs (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    -- folder: path relative to the job's root; urls: the URL
    source  text    NOT NULL,
    state   text    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'stored', 'duplicate', 'skipped', 'failed')),
    item_id bigint,
    reason  text,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX ingest_job_items_by_state ON ingest_job_items (job_id, state, seq);
