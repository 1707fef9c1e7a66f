CREATE TYPE "public"."deployment_action" AS ENUM('deploy', 'scale', 'restart');--> statement-breakpoint
CREATE TYPE "public"."deployment_status" AS ENUM('running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."orchestrator" AS ENUM('kubernetes', 'swarm', 'compose');--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" text PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"container_id" text NOT NULL,
	"actor_id" text,
	"action" "deployment_action" NOT NULL,
	"image" text NOT NULL,
	"registry_id" text,
	"registry_name" text,
	"credential_version" integer,
	"replicas" integer NOT NULL,
	"status" "deployment_status" DEFAULT 'running' NOT NULL,
	"failed_step" text,
	"message" text,
	"log" text DEFAULT '' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pull_secrets" (
	"registry_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"team_id" text NOT NULL,
	"namespace" text NOT NULL,
	"secret_name" text NOT NULL,
	"credential_version" integer NOT NULL,
	"expires_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pull_secrets_registry_id_environment_id_pk" PRIMARY KEY("registry_id","environment_id")
);
--> statement-breakpoint
DROP INDEX "environments_team_slug_idx";--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "container_id" text;--> statement-breakpoint
ALTER TABLE "containers" ADD COLUMN "replicas" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "containers" ADD COLUMN "port" integer;--> statement-breakpoint
ALTER TABLE "containers" ADD COLUMN "restarted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "containers" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "containers" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "orchestrator" "orchestrator" DEFAULT 'kubernetes' NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "connection" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "secret_ciphertext" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "key_id" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_container_id_containers_id_fk" FOREIGN KEY ("container_id") REFERENCES "public"."containers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_secrets" ADD CONSTRAINT "pull_secrets_registry_id_registries_id_fk" FOREIGN KEY ("registry_id") REFERENCES "public"."registries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_secrets" ADD CONSTRAINT "pull_secrets_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pull_secrets" ADD CONSTRAINT "pull_secrets_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deployments_container_idx" ON "deployments" USING btree ("container_id","started_at");--> statement-breakpoint
ALTER TABLE "containers" ADD CONSTRAINT "containers_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "environments" ADD CONSTRAINT "environments_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "environments_slug_idx" ON "environments" USING btree ("slug");--> statement-breakpoint
CREATE UNIQUE INDEX "environments_team_name_idx" ON "environments" USING btree ("team_id","name");