-- The first answer to a creating POST, kept 24 hours per (tenant, route, key) and written in the same
-- transaction as the write it answers. completed_at NULL marks a request still in flight.
CREATE TABLE idempotency_record (
  tenant_id    text        NOT NULL DEFAULT current_setting('app.tenant', true),
  route        text        NOT NULL,
  key          text        NOT NULL,
  fingerprint  text        NOT NULL,
  status       integer,
  headers      jsonb,
  body         text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  expires_at   timestamptz NOT NULL DEFAULT now() + interval '24 hours',
  CONSTRAINT idempotency_record_pkey PRIMARY KEY (tenant_id, route, key),
  CONSTRAINT idempotency_record_key_length CHECK (length(key) BETWEEN 1 AND 255),
  CONSTRAINT idempotency_record_answer CHECK ((completed_at IS NULL) = (status IS NULL))
);
CREATE INDEX idempotency_record_expires ON idempotency_record (expires_at);

ALTER TABLE idempotency_record ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_record FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_record
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_record TO aurum_api;
