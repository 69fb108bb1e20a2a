import { BUCKET_COUNT } from '../shared.ts';

const buckets = Array.from({ length: BUCKET_COUNT }, (_, i) => `b${i} INTEGER NOT NULL DEFAULT 0`).join(', ');

/**
 * Version 1 of the schema: what every database had before versions were recorded (user_version 0).
 * Frozen: `IF NOT EXISTS` makes it a no-op on such a database, which is how those adopt version 1.
 * Change the schema by appending a migration in migrations.ts, never by editing this text.
 *
 * Logs are split in two tables so list queries never touch body pages: `logs` holds every list
 * field (JSON only for small nested values), `log_bodies` holds the detail and the bodies, which
 * body retention nulls out. Both are keyed by the logs rowid (`seq`), which the FTS table shares.
 */
export const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS logs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  route TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  model TEXT,
  upstream_model TEXT,
  provider TEXT,
  key_id TEXT,
  key_prefix TEXT,
  key_name TEXT,
  status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  stream INTEGER NOT NULL,
  incomplete INTEGER NOT NULL,
  error TEXT,
  usage TEXT NOT NULL,
  cost TEXT NOT NULL,
  latency TEXT NOT NULL,
  request_preview TEXT NOT NULL,
  response_preview TEXT NOT NULL,
  client_ip TEXT,
  user_agent TEXT,
  gateway_id TEXT,
  bodies_expired INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS logs_created ON logs(created_at);
CREATE INDEX IF NOT EXISTS logs_key ON logs(key_id, id);
CREATE INDEX IF NOT EXISTS logs_model ON logs(model, id);
CREATE INDEX IF NOT EXISTS logs_provider ON logs(provider, id);
CREATE INDEX IF NOT EXISTS logs_status ON logs(status, id);
CREATE INDEX IF NOT EXISTS logs_outcome ON logs(outcome, id);
CREATE INDEX IF NOT EXISTS logs_route ON logs(route, id);
CREATE INDEX IF NOT EXISTS logs_bodies_live ON logs(created_at) WHERE bodies_expired = 0;

CREATE TABLE IF NOT EXISTS log_bodies (
  seq INTEGER PRIMARY KEY,
  detail TEXT NOT NULL,
  request_body TEXT,
  response_body TEXT,
  raw_stream TEXT
);

-- trigram: substring search that works for Chinese (no word breaks) as well as English;
-- detail=none keeps the index about 40% smaller, and LIKE (the only query used) still runs on it
CREATE VIRTUAL TABLE IF NOT EXISTS logs_fts USING fts5(text, tokenize = 'trigram', detail = none);

CREATE TABLE IF NOT EXISTS rollups (
  dim TEXT NOT NULL,
  value TEXT NOT NULL,
  minute INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  latency_sum_ms REAL NOT NULL DEFAULT 0,
  ${buckets},
  PRIMARY KEY (dim, value, minute)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rollups_time ON rollups(dim, minute);

-- v has no declared type so integers stay integers and JSON text stays text
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS providers (id TEXT PRIMARY KEY, priority INTEGER NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relay_keys (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  last_used_at INTEGER,
  requests INTEGER NOT NULL DEFAULT 0,
  tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (id TEXT PRIMARY KEY, at INTEGER NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS audit_at ON audit(at, id);
`;

/**
 * Version 3: attribution, the prompt reference and scores on \`logs\` (old rows read as having none), the
 * \`log_attrs\` rows the tag and property filters probe, score roll-ups, pending scores and sessions.
 */
export const SCHEMA_V3_ATTRIBUTION = `
ALTER TABLE logs ADD COLUMN user_id TEXT;
ALTER TABLE logs ADD COLUMN session_id TEXT;
ALTER TABLE logs ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE logs ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';
ALTER TABLE logs ADD COLUMN prompt TEXT;
ALTER TABLE logs ADD COLUMN prompt_family TEXT;
ALTER TABLE logs ADD COLUMN prompt_version TEXT;
ALTER TABLE logs ADD COLUMN scores TEXT NOT NULL DEFAULT '{}';
CREATE INDEX logs_user ON logs(user_id, id) WHERE user_id IS NOT NULL;
CREATE INDEX logs_session ON logs(session_id, id) WHERE session_id IS NOT NULL;
CREATE INDEX logs_prompt_family ON logs(prompt_family, id) WHERE prompt_family IS NOT NULL;
CREATE INDEX logs_prompt_version ON logs(prompt_version, id) WHERE prompt_version IS NOT NULL;

-- attribution a log is filtered on besides its own columns: k = 'tag' (v = the tag) or 'p.<name>' (v = the value)
CREATE TABLE log_attrs (k TEXT NOT NULL, v TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (k, v, seq)) WITHOUT ROWID;
CREATE INDEX log_attrs_seq ON log_attrs(seq);

CREATE TABLE score_rollups (
  dim TEXT NOT NULL,
  value TEXT NOT NULL,
  minute INTEGER NOT NULL,
  name TEXT NOT NULL,
  sum REAL NOT NULL DEFAULT 0,
  count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (dim, name, minute, value)
) WITHOUT ROWID;

CREATE TABLE pending_scores (
  log_id TEXT NOT NULL,
  name TEXT NOT NULL,
  key_id TEXT NOT NULL,
  score TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (log_id, name)
) WITHOUT ROWID;
CREATE INDEX pending_scores_at ON pending_scores(at);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX sessions_last ON sessions(last_at, id);
CREATE TABLE session_users (user TEXT NOT NULL, session TEXT NOT NULL, PRIMARY KEY (user, session)) WITHOUT ROWID;
CREATE INDEX session_users_session ON session_users(session);

`;


// busy_timeout first: switching a fresh file to WAL needs a lock that another process opening the same
// new file at the same moment may hold (two `init` runs at once), and without the timeout that fails at
// once with "database is locked".
export const PRAGMAS = `
PRAGMA busy_timeout = 5000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = OFF;
PRAGMA temp_store = MEMORY;
`;

/** Version 2: prompt families and versions; their counters are lifetime rows in rollups (port-prompts.ts). */
export const SCHEMA_V2_PROMPTS = `
CREATE TABLE IF NOT EXISTS prompt_families (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  first_at INTEGER,
  last_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS prompt_families_created ON prompt_families(created_at, id);
CREATE INDEX IF NOT EXISTS prompt_families_updated ON prompt_families(updated_at);
CREATE TABLE IF NOT EXISTS prompt_versions (
  id TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  label TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  first_at INTEGER,
  last_at INTEGER,
  UNIQUE (family_id, label)
);
CREATE INDEX IF NOT EXISTS prompt_versions_created ON prompt_versions(created_at);
`;

/**
 * Version 4: projects (the name's lower-case form is unique), the project of each log's key (\`project_id\`,
 * filtered on like the key), and an index of the calls that used tokens at no known price (contracts'
 * isUnpricedCall), so recounting a period's spend reads those logs only.
 */
export const SCHEMA_V4_PROJECTS = `
CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name_key TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX projects_created ON projects(created_at, id);
ALTER TABLE logs ADD COLUMN project_id TEXT;
CREATE INDEX logs_project ON logs(project_id, id) WHERE project_id IS NOT NULL;
CREATE INDEX logs_unpriced ON logs(created_at)
  WHERE json_extract(cost, '$.price') IS NULL AND (json_extract(usage, '$.prompt') IS NOT NULL OR json_extract(usage, '$.completion') IS NOT NULL);
`;
