-- Key/value settings the server keeps for itself (for example a generated JWT secret).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Who did what: logins, user and key changes, deploys, container actions.
CREATE TABLE activity_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  user_id TEXT,
  username TEXT,
  action TEXT NOT NULL,
  target TEXT,
  ip TEXT,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX activity_log_at ON activity_log (at);
