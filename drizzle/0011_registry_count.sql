-- No registry may be added or removed between the count below and the triggers: one that was
-- (by a replica still running the previous version) would be counted wrong for good.
LOCK TABLE "registries" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "registry_count" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- The registries list shows how many registries the team has on every page: counting them each time
-- grows with the team (a scan of 100,000 rows), so the count is kept with the rows, by triggers that
-- fire once per statement (a statement inserting many rows updates the team once). A registry
-- never moves to another team, so updates leave the count as it is.
UPDATE "teams" SET "registry_count" = (SELECT count(*) FROM "registries" WHERE "registries"."team_id" = "teams"."id");
--> statement-breakpoint
CREATE FUNCTION "registries_counted_in"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "teams" SET "registry_count" = "registry_count" + c.n
  FROM (SELECT "team_id", count(*) AS n FROM "added" GROUP BY "team_id") c
  WHERE "teams"."id" = c."team_id";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "registries_counted_out"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "teams" SET "registry_count" = "registry_count" - c.n
  FROM (SELECT "team_id", count(*) AS n FROM "removed" GROUP BY "team_id") c
  WHERE "teams"."id" = c."team_id";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "registries_count_insert" AFTER INSERT ON "registries" REFERENCING NEW TABLE AS "added" FOR EACH STATEMENT EXECUTE FUNCTION "registries_counted_in"();
--> statement-breakpoint
CREATE TRIGGER "registries_count_delete" AFTER DELETE ON "registries" REFERENCING OLD TABLE AS "removed" FOR EACH STATEMENT EXECUTE FUNCTION "registries_counted_out"();
