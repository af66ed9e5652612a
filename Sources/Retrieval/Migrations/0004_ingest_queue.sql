-- 0004_ingest_queue: ingest jobs wait in a queue (state 'queued', in submission order) until a
-- running slot is free, and record when they first left it.
--
-- SQLite cannot change a CHECK constraint in place, so ingest_jobs is rebuilt. Its work list
-- refers to it with ON DELETE CASCADE and foreign keys are on (and cannot be turned off inside
-- the migration's transaction): dropping ingest_jobs while ingest_job_items still refers to it
-- would delete every work item. So the work list is set aside first, the parent rebuilt with no
-- child in place, and the child recreated and refilled.

CREATE TABLE ingest_job_items_kept AS SELECT job_id, seq, source, state, item_id, reason FROM ingest_job_items;
DROP TABLE ingest_job_items;

CREATE TABLE ingest_jobs_next (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL CHECK (kind IN ('folder', 'urls')),
    -- folder: the resolved absolute folder (never shown); urls: ''
    root        TEXT    NOT NULL,
    recursive   INTEGER NOT NULL DEFAULT 1 CHECK (recursive IN (0, 1)),
    -- queued → listing (a folder not listed yet) → running → completed | cancelled | failed
    state       TEXT    NOT NULL CHECK (state IN ('queued', 'listing', 'running', 'completed', 'cancelled', 'failed')),
    -- entries left out while listing (symbolic links, devices, FIFOs, sockets, hidden files)
    skipped_entries INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    -- when the job first left the queue; NULL while it has never run
    started_at  TEXT,
    finished_at TEXT
);
-- Jobs from before the queue had started when they were created.
INSERT INTO ingest_jobs_next (id, kind, root, recursive, state, skipped_entries, error, created_at, started_at, finished_at)
    SELECT id, kind, root, recursive, state, skipped_entries, error, created_at, created_at, finished_at FROM ingest_jobs;
-- Ids keep growing from where they were (AUTOINCREMENT never reuses one).
DELETE FROM sqlite_sequence WHERE name = 'ingest_jobs_next';
INSERT INTO sqlite_sequence (name, seq) SELECT 'ingest_jobs_next', seq FROM sqlite_sequence WHERE name = 'ingest_jobs';
DROP TABLE ingest_jobs;
ALTER TABLE ingest_jobs_next RENAME TO ingest_jobs;
-- The queue: unfinished jobs in submission order.
CREATE INDEX ingest_jobs_by_state ON ingest_jobs (state, id);

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
INSERT INTO ingest_job_items (job_id, seq, source, state, item_id, reason)
    SELECT job_id, seq, source, state, item_id, reason FROM ingest_job_items_kept;
DROP TABLE ingest_job_items_kept;
CREATE INDEX ingest_job_items_by_state ON ingest_job_items (job_id, state, seq);
