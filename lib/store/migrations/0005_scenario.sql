-- Scenarios, their runs and the runs' outputs (reference §1.4), one shape for v1 and v2, per tenant.
-- PPA valuations (reference §1.5) read scenario_output's MONTHLY `mid` rows.
CREATE TABLE scenario (
  id          uuid        NOT NULL DEFAULT gen_random_uuid(),
  -- The list order: creation order without clock ties (keyset cursors need a total order).
  seq         bigint      GENERATED ALWAYS AS IDENTITY,
  tenant_id   text        NOT NULL DEFAULT current_setting('app.tenant', true),
  name        text        NOT NULL,
  description text,
  status      text        NOT NULL DEFAULT 'created',
  unique_key  text        NOT NULL,
  assumptions jsonb       NOT NULL DEFAULT '[]'::jsonb,
  parameters  jsonb       NOT NULL DEFAULT '{}'::jsonb,
  tags        jsonb       NOT NULL DEFAULT '[]'::jsonb,
  metadata    jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version     integer     NOT NULL DEFAULT 1,
  created_by  text        NOT NULL,
  updated_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT scenario_pkey PRIMARY KEY (id),
  CONSTRAINT scenario_status CHECK (status IN ('created', 'active', 'archived')),
  CONSTRAINT scenario_name CHECK (length(name) BETWEEN 1 AND 256)
);
-- A name is unique per tenant, case-insensitively.
CREATE UNIQUE INDEX scenario_tenant_name ON scenario (tenant_id, lower(name));
CREATE INDEX scenario_tenant_id ON scenario (tenant_id, id);
CREATE INDEX scenario_tenant_seq ON scenario (tenant_id, seq);

CREATE TRIGGER scenario_touch BEFORE UPDATE ON scenario
  FOR EACH ROW EXECUTE FUNCTION aurum_touch_row();

CREATE TABLE scenario_run (
  id               uuid        NOT NULL DEFAULT gen_random_uuid(),
  seq              bigint      GENERATED ALWAYS AS IDENTITY,
  tenant_id        text        NOT NULL DEFAULT current_setting('app.tenant', true),
  scenario_id      uuid        NOT NULL,
  state            text        NOT NULL DEFAULT 'QUEUED',
  priority         text        NOT NULL DEFAULT 'normal',
  code_version     text,
  seed             bigint,
  timeout_minutes  integer     NOT NULL DEFAULT 60,
  max_memory_mb    integer     NOT NULL DEFAULT 1024,
  environment      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  parameters       jsonb       NOT NULL DEFAULT '{}'::jsonb,
  max_retries      integer     NOT NULL DEFAULT 3,
  retry_count      integer     NOT NULL DEFAULT 0,
  idempotency_key  text,
  input_hash       text        NOT NULL,
  run_key          text        NOT NULL,
  progress_percent double precision NOT NULL DEFAULT 0,
  error_message    text,
  checkpoint       jsonb,
  version          integer     NOT NULL DEFAULT 1,
  created_by       text        NOT NULL,
  updated_by       text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  queued_at        timestamptz NOT NULL DEFAULT now(),
  started_at       timestamptz,
  completed_at     timestamptz,
  cancelled_at     timestamptz,
  CONSTRAINT scenario_run_pkey PRIMARY KEY (id),
  CONSTRAINT scenario_run_scenario FOREIGN KEY (scenario_id) REFERENCES scenario (id) ON DELETE CASCADE,
  CONSTRAINT scenario_run_state CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMEOUT')),
  CONSTRAINT scenario_run_priority CHECK (priority IN ('low', 'normal', 'high', 'critical')),
  CONSTRAINT scenario_run_progress CHECK (progress_percent >= 0 AND progress_percent <= 100)
);
CREATE UNIQUE INDEX scenario_run_idempotency ON scenario_run (tenant_id, scenario_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX scenario_run_key ON scenario_run (tenant_id, run_key);
CREATE INDEX scenario_run_scenario_seq ON scenario_run (tenant_id, scenario_id, seq);

CREATE TRIGGER scenario_run_touch BEFORE UPDATE ON scenario_run
  FOR EACH ROW EXECUTE FUNCTION aurum_touch_row();

-- One row per curve, tenor and metric of a finished run. A run's rows are moved here from the stage in the
-- same transaction that marks the run SUCCEEDED, so a partial output set is never visible.
CREATE TABLE scenario_output (
  tenant_id      text             NOT NULL DEFAULT current_setting('app.tenant', true),
  scenario_id    uuid             NOT NULL,
  run_id         uuid             NOT NULL,
  asof_date      date             NOT NULL,
  curve_key      text             NOT NULL,
  tenor_type     text             NOT NULL,
  contract_month date,
  tenor_label    text             NOT NULL,
  metric         text             NOT NULL,
  value          double precision NOT NULL,
  band_lower     double precision,
  band_upper     double precision,
  attribution    jsonb            NOT NULL DEFAULT '{}'::jsonb,
  version_hash   text             NOT NULL,
  metric_unit    text             NOT NULL DEFAULT 'USD/MWh',
  computed_ts    timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT scenario_output_pkey PRIMARY KEY (tenant_id, scenario_id, run_id, curve_key, tenor_label, metric),
  CONSTRAINT scenario_output_run FOREIGN KEY (run_id) REFERENCES scenario_run (id) ON DELETE CASCADE
);
CREATE INDEX scenario_output_scenario ON scenario_output (tenant_id, scenario_id, metric, computed_ts);

-- The rows a running run has computed so far, checkpoint by checkpoint; a new invocation continues from
-- them. Nobody reads them but the worker.
CREATE TABLE scenario_output_stage (LIKE scenario_output INCLUDING DEFAULTS);
ALTER TABLE scenario_output_stage ADD CONSTRAINT scenario_output_stage_pkey
  PRIMARY KEY (tenant_id, scenario_id, run_id, curve_key, tenor_label, metric);
ALTER TABLE scenario_output_stage ADD CONSTRAINT scenario_output_stage_run
  FOREIGN KEY (run_id) REFERENCES scenario_run (id) ON DELETE CASCADE;

ALTER TABLE scenario ENABLE ROW LEVEL SECURITY;
ALTER TABLE scenario FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scenario
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));
ALTER TABLE scenario_run ENABLE ROW LEVEL SECURITY;
ALTER TABLE scenario_run FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scenario_run
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));
ALTER TABLE scenario_output ENABLE ROW LEVEL SECURITY;
ALTER TABLE scenario_output FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scenario_output
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));
ALTER TABLE scenario_output_stage ENABLE ROW LEVEL SECURITY;
ALTER TABLE scenario_output_stage FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scenario_output_stage
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON scenario, scenario_run, scenario_output, scenario_output_stage TO aurum_api;
