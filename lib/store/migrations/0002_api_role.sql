-- The role every tenant transaction runs as (the adapters switch to it with set_config('role', …, true)).
-- It owns nothing and cannot bypass row-level security, so the tenant policies bind every statement it runs.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aurum_api') THEN
    CREATE ROLE aurum_api NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
END
$$;
-- The connecting (migration) user must be able to switch to it; a superuser can anyway. Granting again is
-- only a notice.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT aurum_api TO %I', current_user);
  END IF;
END
$$;
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO aurum_api', current_schema());
END
$$;

-- Every tenant table's row version and updated_at move on every update, whatever the statement says, so a
-- version-derived ETag can never stay the same across a change.
CREATE OR REPLACE FUNCTION aurum_touch_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := now();
  NEW.created_at := OLD.created_at;
  NEW.created_by := OLD.created_by;
  NEW.tenant_id := OLD.tenant_id;
  RETURN NEW;
END
$$;
