CREATE TABLE "revoked_sessions" (
	"session_id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sign_in_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sign_in_failures" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP TABLE "sign_in_failures" CASCADE;--> statement-breakpoint
DROP INDEX "environments_slug_idx";--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "cluster" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "ssh_known_hosts" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "session_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "revoked_sessions_expiry_idx" ON "revoked_sessions" USING btree ("expires_at");--> statement-breakpoint
UPDATE "environments" SET "cluster" = CASE WHEN "orchestrator" = 'kubernetes' THEN CASE WHEN "connection"->>'mode' = 'in-cluster' THEN 'in-cluster' ELSE coalesce("connection"->>'server', '') END ELSE coalesce("connection"->>'dockerHost', '') END;--> statement-breakpoint
CREATE UNIQUE INDEX "environments_team_slug_idx" ON "environments" USING btree ("team_id","slug");--> statement-breakpoint
CREATE UNIQUE INDEX "environments_cluster_slug_idx" ON "environments" USING btree ("cluster","slug");