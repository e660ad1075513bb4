-- Retention prunes the oldest audit events through this function instead of a DELETE of its own, so
-- the application's runtime role needs no DELETE privilege on audit_events (see
-- lib/server/db/runtime-role.ts): it runs with its owner's rights, and the append-only trigger still
-- decides what may go (a prefix of events over a year old, up to `through`). Only roles granted
-- EXECUTE may call it.
CREATE FUNCTION "prune_audit_events"("through" BIGINT) RETURNS BIGINT
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  deleted BIGINT;
BEGIN
  PERFORM set_config('rfr.audit_prune_through', "through"::TEXT, true);
  DELETE FROM "audit_events" WHERE "sequence" <= "through";
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('rfr.audit_prune_through', '', true);
  RETURN deleted;
END;
$$;

REVOKE ALL ON FUNCTION "prune_audit_events"(BIGINT) FROM PUBLIC;
