-- PPA contracts and their recorded valuations (reference §1.5), per tenant. `terms` is kept exactly as
-- written; the valuation reads the members it knows at valuation time. `seq` orders lists (keyset) in the
-- order records were made.
CREATE TABLE ppa_contract (
  id            uuid        NOT NULL DEFAULT gen_random_uuid(),
  seq           bigint      GENERATED ALWAYS AS IDENTITY,
  tenant_id     text        NOT NULL DEFAULT current_setting('app.tenant', true),
  instrument_id text,
  terms         jsonb       NOT NULL DEFAULT '{}'::jsonb,
  version       integer     NOT NULL DEFAULT 1,
  created_by    text        NOT NULL,
  updated_by    text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ppa_contract_pkey PRIMARY KEY (id),
  CONSTRAINT ppa_contract_terms_object CHECK (jsonb_typeof(terms) = 'object'),
  CONSTRAINT ppa_contract_instrument CHECK (instrument_id IS NULL OR length(instrument_id) BETWEEN 1 AND 256)
);
CREATE INDEX ppa_contract_tenant_seq ON ppa_contract (tenant_id, seq);

CREATE TRIGGER ppa_contract_touch BEFORE UPDATE ON ppa_contract
  FOR EACH ROW EXECUTE FUNCTION aurum_touch_row();

-- One valuation of one contract: what it was valued against (curves at an as-of date, or a scenario run),
-- its totals, and the request and answer as made. Deleting the contract deletes its valuations.
CREATE TABLE ppa_valuation (
  id           uuid             NOT NULL DEFAULT gen_random_uuid(),
  seq          bigint           GENERATED ALWAYS AS IDENTITY,
  tenant_id    text             NOT NULL DEFAULT current_setting('app.tenant', true),
  contract_id  uuid             NOT NULL,
  api_version  text             NOT NULL,
  asof_date    date             NOT NULL,
  scenario_id  uuid,
  run_id       uuid,
  currency     text             NOT NULL DEFAULT 'USD',
  npv          double precision NOT NULL,
  irr          double precision,
  inputs       jsonb            NOT NULL DEFAULT '{}'::jsonb,
  totals       jsonb            NOT NULL DEFAULT '{}'::jsonb,
  created_by   text             NOT NULL,
  created_at   timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT ppa_valuation_pkey PRIMARY KEY (id),
  CONSTRAINT ppa_valuation_contract FOREIGN KEY (contract_id) REFERENCES ppa_contract (id) ON DELETE CASCADE,
  CONSTRAINT ppa_valuation_api_version CHECK (api_version IN ('v1', 'v2'))
);
CREATE INDEX ppa_valuation_contract_seq ON ppa_valuation (tenant_id, contract_id, seq);

-- The rows of a valuation: one per period and metric (cashflow), then its NPV and IRR rows.
CREATE TABLE ppa_valuation_period (
  tenant_id      text             NOT NULL DEFAULT current_setting('app.tenant', true),
  valuation_id   uuid             NOT NULL,
  valuation_seq  bigint           NOT NULL,
  contract_id    uuid             NOT NULL,
  seq            integer          NOT NULL,
  period_start   date             NOT NULL,
  period_end     date             NOT NULL,
  metric         text             NOT NULL,
  value          double precision NOT NULL,
  cashflow       double precision,
  npv            double precision,
  irr            double precision,
  unit           text             NOT NULL,
  curve_key      text,
  version_hash   text,
  CONSTRAINT ppa_valuation_period_pkey PRIMARY KEY (tenant_id, valuation_id, seq),
  CONSTRAINT ppa_valuation_period_valuation FOREIGN KEY (valuation_id) REFERENCES ppa_valuation (id)
    ON DELETE CASCADE
);
CREATE INDEX ppa_valuation_period_contract ON ppa_valuation_period (tenant_id, contract_id, valuation_seq, seq);

ALTER TABLE ppa_contract ENABLE ROW LEVEL SECURITY;
ALTER TABLE ppa_contract FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ppa_contract
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));
ALTER TABLE ppa_valuation ENABLE ROW LEVEL SECURITY;
ALTER TABLE ppa_valuation FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ppa_valuation
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));
ALTER TABLE ppa_valuation_period ENABLE ROW LEVEL SECURITY;
ALTER TABLE ppa_valuation_period FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ppa_valuation_period
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON ppa_contract, ppa_valuation, ppa_valuation_period TO aurum_api;
