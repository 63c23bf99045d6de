-- Which curve an external provider's series is (reference §1.3, "Series–curve mappings"), per tenant.
CREATE TABLE series_curve_mapping (
  id                 uuid             NOT NULL DEFAULT gen_random_uuid(),
  tenant_id          text             NOT NULL DEFAULT current_setting('app.tenant', true),
  external_provider  text             NOT NULL,
  external_series_id text             NOT NULL,
  curve_key          text             NOT NULL,
  mapping_confidence double precision NOT NULL DEFAULT 1.0,
  mapping_method     text             NOT NULL DEFAULT 'manual',
  mapping_notes      text,
  is_active          boolean          NOT NULL DEFAULT true,
  version            integer          NOT NULL DEFAULT 1,
  created_by         text             NOT NULL,
  updated_by         text             NOT NULL,
  created_at         timestamptz      NOT NULL DEFAULT now(),
  updated_at         timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT series_curve_mapping_pkey PRIMARY KEY (id),
  CONSTRAINT series_curve_mapping_series_key UNIQUE (tenant_id, external_provider, external_series_id),
  CONSTRAINT series_curve_mapping_confidence CHECK (mapping_confidence >= 0 AND mapping_confidence <= 1),
  CONSTRAINT series_curve_mapping_provider CHECK (length(external_provider) BETWEEN 1 AND 128),
  CONSTRAINT series_curve_mapping_series CHECK (length(external_series_id) BETWEEN 1 AND 256),
  CONSTRAINT series_curve_mapping_curve CHECK (length(curve_key) BETWEEN 1 AND 512)
);
-- Keyset paging in id order within a tenant, and lookups by curve.
CREATE INDEX series_curve_mapping_tenant_id ON series_curve_mapping (tenant_id, id);
CREATE INDEX series_curve_mapping_curve ON series_curve_mapping (tenant_id, curve_key);
-- Admin search by fuzzy curve key.
CREATE INDEX series_curve_mapping_curve_trgm ON series_curve_mapping USING gin (curve_key public.gin_trgm_ops);

CREATE TRIGGER series_curve_mapping_touch BEFORE UPDATE ON series_curve_mapping
  FOR EACH ROW EXECUTE FUNCTION aurum_touch_row();

ALTER TABLE series_curve_mapping ENABLE ROW LEVEL SECURITY;
ALTER TABLE series_curve_mapping FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON series_curve_mapping
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));
GRANT SELECT, INSERT, UPDATE, DELETE ON series_curve_mapping TO aurum_api;
