CREATE TABLE "live_checks" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pull_secrets" DROP CONSTRAINT "pull_secrets_registry_id_environment_id_pk";--> statement-breakpoint
ALTER TABLE "pull_secrets" ADD CONSTRAINT "pull_secrets_registry_id_environment_id_secret_name_pk" PRIMARY KEY("registry_id","environment_id","secret_name");--> statement-breakpoint
ALTER TABLE "pull_secrets" ADD COLUMN "orchestrator" text DEFAULT 'kubernetes' NOT NULL;--> statement-breakpoint
ALTER TABLE "registries" ADD COLUMN "last_refresh" jsonb;--> statement-breakpoint
ALTER TABLE "live_checks" ADD CONSTRAINT "live_checks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "live_checks_user_at_idx" ON "live_checks" USING btree ("user_id","at");--> statement-breakpoint
CREATE INDEX "pull_secrets_expiry_idx" ON "pull_secrets" USING btree ("expires_at");