-- 0003_ingest_jobs: where an item came from, shown instead of server paths, and background
-- ingest jobs that survive a restart or a kill.

-- The item's name relative to what was ingested: the path under the ingested folder, the
-- uploaded file's name, or the URL fetched. NULL for rows from before (their file name is shown).
ALTER TABLE items ADD COLUMN path TEXT;

-- One background ingest: a folder the server reads, or a list of URLs.
CREATE TABLE ingest_jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL CHECK (kind IN ('folder', 'urls')),
    -- folder: the resolved absolute folder (never shown); urls: ''
    root        TEXT    NOT NULL,
    recursive   INTEGER NOT NULL DEFAULT 1 CHECK (recursive IN (0, 1)),
    state       TEXT    NOT NULL CHECK (state IN ('listing', 'running', 'completed', 'cancelled', 'failed')),
    -- entries left out while listing (symbolic links, devices, FIFOs, sockets, hidden files)
    skipped_entries INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at TEXT
);

-- The job's work list, written whole in one transaction when listing ends. An item's state
-- changes in the transaction that stores its row, so a kill never loses or repeats one.
CREATE TABLE ingest_job_items (
    job_id  INTEGER NOT NULL REFERENCES ingest_jobs (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    -- folder: path relative to the job's root; urls: the URL
    source  TEXT    NOT NULL,
    state   TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'stored', 'duplicate', 'skipped', 'failed')),
    item_id INTEGER,
    reason  TEXT,
    PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
CREATE INDEX ingest_job_items_by_state ON ingest_job_items (job_id, state, seq);
