-- OAuth authorization-code flows of the Enhanced Mount Manager that were started and not yet
-- completed. The state itself is never stored, only its SHA-256, and a row is used once.
CREATE TABLE mount_oauth_states (
  state_hash TEXT PRIMARY KEY,
  container_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX mount_oauth_states_expires ON mount_oauth_states (expires_at);
