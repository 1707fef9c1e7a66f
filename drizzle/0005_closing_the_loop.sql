CREATE TABLE "environment_watch" (
	"environment_id" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"next_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"checked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pull_health" (
	"registry_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"team_id" text NOT NULL,
	"status" text NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	"failure" jsonb,
	"failing_containers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"ok_containers" integer DEFAULT 0 NOT NULL,
	"credential_version" integer,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pull_health_registry_id_environment_id_pk" PRIMARY KEY("registry_id","environment_id")
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "steps" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "outcome" text;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "pull_failure" jsonb;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "rollout" jsonb;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "runner" text;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "registries" ADD COLUMN "last_apply" jsonb;--> statement-breakpoint
ALTER TABLE "registries" ADD COLUMN "last_probe" jsonb;--> statement-breakpoint
ALTER TABLE "environment_watch" ADD CONSTRAINT "environment_watch_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_health" ADD CONSTRAINT "pull_health_registry_id_registries_id_fk" FOREIGN KEY ("registry_id") REFERENCES "public"."registries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_health" ADD CONSTRAINT "pull_health_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_health" ADD CONSTRAINT "pull_health_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pull_health_team_idx" ON "pull_health" USING btree ("team_id","status");--> statement-breakpoint
CREATE INDEX "deployments_running_idx" ON "deployments" USING btree ("status","heartbeat_at");