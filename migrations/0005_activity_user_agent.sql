-- The client that acted (User-Agent header), as the original product's activity log records it.
ALTER TABLE activity_log ADD COLUMN user_agent TEXT;
