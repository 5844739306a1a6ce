-- Users, their sessions (every JWT names one), API keys and starred apps.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL COLLATE NOCASE UNIQUE,
  email TEXT,
  -- argon2id PHC string; bcrypt ($2a$/$2b$/$2y$) for imported users until their next login;
  -- '!' marks a login that is disabled until an admin sets a password.
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'user', 'viewer')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_login TEXT
);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  user_agent TEXT,
  ip TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  -- SHA-256 (hex) of the whole key; the key itself is shown once and never stored.
  key_hash TEXT NOT NULL UNIQUE,
  -- The first characters of the key, so a user can tell keys apart.
  key_prefix TEXT NOT NULL,
  -- A key may act with less than its owner's role, never more.
  role TEXT NOT NULL CHECK (role IN ('admin', 'user', 'viewer')),
  created_at TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT
);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE user_stars (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  app_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (user_id, app_id)
);
