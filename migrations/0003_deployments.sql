-- Deployments and their progress events. Events are written here before they are broadcast,
-- so a client subscribing at any time (or after a restart) can replay them in order.
CREATE TABLE deployments (
  id TEXT PRIMARY KEY,
  app_id TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'in-progress', 'completed', 'failed', 'interrupted', 'cancelled')),
  step TEXT,
  progress INTEGER NOT NULL DEFAULT 0,
  project TEXT NOT NULL,
  is_redeploy INTEGER NOT NULL DEFAULT 0,
  user_id TEXT,
  username TEXT,
  -- Names of the variables the request set; values are not kept here (they may be secrets).
  config_keys TEXT NOT NULL DEFAULT '[]',
  error TEXT,
  result TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX deployments_app ON deployments (app_id, started_at);
CREATE INDEX deployments_status ON deployments (status);
CREATE INDEX deployments_started ON deployments (started_at);

CREATE TABLE deployment_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  event TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX deployment_events_deployment ON deployment_events (deployment_id, id);
