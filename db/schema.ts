import { relations, sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const teamRole = pgEnum("team_role", ["owner", "admin", "member"]);
export type TeamRole = (typeof teamRole.enumValues)[number];

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  /** Bumped by "sign out everywhere" and a password change: tokens of an older generation are refused. */
  sessionGeneration: integer("session_generation").notNull().default(0),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const teams = pgTable("teams", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  personal: boolean("personal").notNull().default(false),
  /** How many registries the team has, kept by triggers on registries (drizzle/0011): the list's total without counting them. */
  registryCount: integer("registry_count").notNull().default(0),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const memberships = pgTable(
  "memberships",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: teamRole("role").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

/**
 * Someone asked to join a team before they have an account, or before they said yes. The link
 * carries a random token; only its SHA-256 is stored, so a database read gives no working link.
 * It is bound to the e-mail, expires, and is used at most once (accepted or revoked, never both).
 * At most one is pending per team and e-mail: inviting again revokes the earlier link.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    role: teamRole("role").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: text("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedBy: text("revoked_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("invitations_pending_idx")
      .on(t.teamId, t.email)
      .where(sql`${t.acceptedAt} is null and ${t.revokedAt} is null`),
    index("invitations_team_idx").on(t.teamId, t.createdAt),
  ],
);

/**
 * Sign-in attempts counted per key (`client:<address>` or `email:<e-mail>|<address>`) in a fixed
 * window; one upsert counts and reads, so parallel attempts cannot slip past the limit.
 */
export const signInThrottle = pgTable("sign_in_throttle", {
  key: text("key").primaryKey(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull().defaultNow(),
  attempts: integer("attempts").notNull().default(0),
});

/** Sessions signed out before their token expired: a token whose id is here is refused. */
export const revokedSessions = pgTable(
  "revoked_sessions",
  {
    sessionId: text("session_id").primaryKey(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("revoked_sessions_expiry_idx").on(t.expiresAt)],
);

/** What the registry said to a live check (see lib/registries/live-check.ts). */
export type LiveCheckResult = { status: string; ok: boolean; message: string; host?: string; expiresAt?: string };
export type TestOutcome = { ok: boolean; message: string; fieldErrors?: Record<string, string[]>; live?: LiveCheckResult };
/** The last background refresh of a registry's pull credentials (ECR tokens). */
export type RefreshRecord = { at: string; ok: boolean; refreshed: number; failed: { where: string; message: string }[]; expiresAt?: string | null };

/** A rotation rolled out to every environment at once. */
export type ApplyRecord = { at: string; credentialVersion: number; total: number; done: number; failed: { where: string; message: string }[]; finishedAt?: string };
/** A scope-aware pull probe of every image in use with a registry's credentials. */
export type ProbeRecord = { at: string; credentialVersion: number; total: number; passed: number; results: { image: string; ok: boolean; reason?: string; message: string }[] };

/**
 * Saved registry credentials. Non-secret fields (username, region, login server, URL) are kept in
 * clear for display; the secret ones are one AES-256-GCM envelope, bound to the row's id.
 */
export const registries = pgTable(
  "registries",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type").notNull(),
    visibleFields: jsonb("visible_fields").$type<Record<string, string>>().notNull(),
    secretCiphertext: text("secret_ciphertext"),
    keyId: text("key_id"),
    /** Bumped whenever a credential value changes; deployments record the version they used. */
    credentialVersion: integer("credential_version").notNull().default(1),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    lastTestAt: timestamp("last_test_at", { withTimezone: true }),
    lastTest: jsonb("last_test").$type<TestOutcome>(),
    lastRefresh: jsonb("last_refresh").$type<RefreshRecord>(),
    /** The last "Apply to N environments now" and the pull probe that followed it. */
    lastApply: jsonb("last_apply").$type<ApplyRecord>(),
    lastProbe: jsonb("last_probe").$type<ProbeRecord>(),
  },
  (t) => [
    uniqueIndex("registries_team_name_idx").on(t.teamId, t.name),
    index("registries_team_idx").on(t.teamId, t.createdAt),
    // The list's search is a substring match (ILIKE '%…%'); trigrams (pg_trgm, migration 0009) index it.
    index("registries_name_trgm_idx").using("gin", t.name.op("gin_trgm_ops")),
  ],
);

export const orchestrator = pgEnum("orchestrator", ["kubernetes", "swarm", "compose"]);
export type Orchestrator = (typeof orchestrator.enumValues)[number];

/**
 * A deploy target. `connection` holds what may be shown (mode, Docker host, API server); the
 * kubeconfig, SSH key and TLS material are one AES-256-GCM envelope like registry secrets.
 * The slug is unique within the team, and within the place its names live (`cluster`: the API
 * server, "in-cluster", or the Docker host), where `env-<slug>` of two teams would collide.
 */
export const environments = pgTable(
  "environments",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    orchestrator: orchestrator("orchestrator").notNull().default("kubernetes"),
    connection: jsonb("connection").$type<Record<string, string>>().notNull().default({}),
    /** Where the environment's names live: the API server URL, "in-cluster", or the Docker host. */
    cluster: text("cluster").notNull().default(""),
    secretCiphertext: text("secret_ciphertext"),
    keyId: text("key_id"),
    /** `ssh://` hosts: the host keys seen on first use (known_hosts lines), enforced afterwards. */
    sshKnownHosts: text("ssh_known_hosts"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("environments_team_slug_idx").on(t.teamId, t.slug),
    uniqueIndex("environments_cluster_slug_idx").on(t.cluster, t.slug),
    uniqueIndex("environments_team_name_idx").on(t.teamId, t.name),
  ],
);

/**
 * Workloads. `registryId` RESTRICTs registry deletion: the database, not a check-then-delete,
 * guarantees that no container points at a deleted registry.
 */
export const containers = pgTable(
  "containers",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    environmentId: text("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    sourceType: text("source_type").notNull().default("registry"),
    registryId: text("registry_id").references(() => registries.id, { onDelete: "restrict" }),
    imageName: text("image_name").notNull(),
    imageTag: text("image_tag").notNull(),
    replicas: integer("replicas").notNull().default(1),
    port: integer("port"),
    /** Stamped into the pod template; a restart changes it, which makes Kubernetes roll new pods. */
    restartedAt: timestamp("restarted_at", { withTimezone: true }),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("containers_env_name_idx").on(t.environmentId, t.name), index("containers_registry_idx").on(t.registryId)],
);

export const deploymentAction = pgEnum("deployment_action", ["deploy", "scale", "restart"]);
export type DeploymentAction = (typeof deploymentAction.enumValues)[number];
export const deploymentStatus = pgEnum("deployment_status", ["running", "succeeded", "failed"]);

/** One step of a deploy as the container page shows it live. */
export type DeploymentStep = { name: string; status: "pending" | "running" | "done" | "failed"; detail?: string; at?: string };
/** Why pods (or tasks) could not pull, classified; `message` is the orchestrator's text, redacted. */
export type PullFailureReason = "credentials_refused" | "no_access" | "not_found" | "rate_limited" | "tls" | "network" | "platform" | "other";
export type PullFailure = { reason: PullFailureReason; message: string; image?: string; since?: string };
/** What the orchestrator reports of a workload: rollout progress and pull failures. */
export type RolloutState = {
  desired: number;
  updated: number;
  ready: number;
  available: number;
  observedCurrent: boolean;
  pullFailure?: PullFailure;
  at: string;
};

/** One deploy, scale or restart of a container, with the credential version it pulled with. */
export const deployments = pgTable(
  "deployments",
  {
    id: text("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    containerId: text("container_id")
      .notNull()
      .references(() => containers.id, { onDelete: "cascade" }),
    actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
    action: deploymentAction("action").notNull(),
    image: text("image").notNull(),
    /** Kept as text: the history outlives a registry the container no longer uses. */
    registryId: text("registry_id"),
    registryName: text("registry_name"),
    credentialVersion: integer("credential_version"),
    replicas: integer("replicas").notNull(),
    status: deploymentStatus("status").notNull().default("running"),
    failedStep: text("failed_step"),
    message: text("message"),
    /** Redacted before it is stored. */
    log: text("log").notNull().default(""),
    /** The steps as they happen (credentials, Secret or login, workload, rollout n/m). */
    steps: jsonb("steps").$type<DeploymentStep[]>().notNull().default([]),
    /** `rolled_out`, `pull_failed`, `rollout_timeout` or `failed`; null while running. */
    outcome: text("outcome"),
    /** The classified pull failure that ended the rollout, if any. */
    pullFailure: jsonb("pull_failure").$type<PullFailure>(),
    /** The last state read from the orchestrator. */
    rollout: jsonb("rollout").$type<RolloutState>(),
    /** Which server instance runs it, and when it last said so: a run whose owner died is reaped. */
    runner: text("runner"),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("deployments_container_idx").on(t.containerId, t.startedAt), index("deployments_running_idx").on(t.status, t.heartbeatAt)],
);

/**
 * Where the platform wrote a registry's pull credentials: a Kubernetes Secret in a namespace,
 * or a Swarm service deployed with them. Read to refresh them (ECR tokens) and to clean up.
 */
export const pullSecrets = pgTable(
  "pull_secrets",
  {
    registryId: text("registry_id")
      .notNull()
      .references(() => registries.id, { onDelete: "cascade" }),
    environmentId: text("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** `kubernetes`: a Secret `secretName` in `namespace`; `swarm`: the service `secretName` deployed with registry auth. */
    orchestrator: text("orchestrator").notNull().default("kubernetes"),
    namespace: text("namespace").notNull(),
    secretName: text("secret_name").notNull(),
    credentialVersion: integer("credential_version").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.registryId, t.environmentId, t.secretName] }), index("pull_secrets_expiry_idx").on(t.expiresAt)],
);

/**
 * Whether the pods (or tasks) of one environment can pull from one registry, as the watcher last
 * read it from the orchestrator: OK, or failing since when, why and for which containers.
 */
export const pullHealth = pgTable(
  "pull_health",
  {
    registryId: text("registry_id")
      .notNull()
      .references(() => registries.id, { onDelete: "cascade" }),
    environmentId: text("environment_id")
      .notNull()
      .references(() => environments.id, { onDelete: "cascade" }),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    /** `ok`, `failing` or `unknown` (the orchestrator did not answer). */
    status: text("status").notNull(),
    since: timestamp("since", { withTimezone: true }).notNull().defaultNow(),
    failure: jsonb("failure").$type<PullFailure>(),
    /** The containers whose pods fail to pull (names). */
    failingContainers: jsonb("failing_containers").$type<string[]>().notNull().default([]),
    okContainers: integer("ok_containers").notNull().default(0),
    credentialVersion: integer("credential_version"),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.registryId, t.environmentId] }), index("pull_health_team_idx").on(t.teamId, t.status)],
);

/** The watcher's schedule per environment: backoff for environments that do not answer. */
export const environmentWatch = pgTable("environment_watch", {
  environmentId: text("environment_id")
    .primaryKey()
    .references(() => environments.id, { onDelete: "cascade" }),
  failures: integer("failures").notNull().default(0),
  nextAt: timestamp("next_at", { withTimezone: true }).notNull().defaultNow(),
  lastError: text("last_error"),
  checkedAt: timestamp("checked_at", { withTimezone: true }),
});

/** Live registry checks per user, to rate-limit a feature that opens connections to typed addresses. */
export const liveChecks = pgTable(
  "live_checks",
  {
    id: serial("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("live_checks_user_at_idx").on(t.userId, t.at)],
);

/** Who did what to which registry, when. Never holds a secret value. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: serial("id").primaryKey(),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    registryId: text("registry_id"),
    containerId: text("container_id"),
    actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_events_registry_idx").on(t.teamId, t.registryId, t.at)],
);

/**
 * Personal access tokens for the REST API (/api/v1). Only the SHA-256 of the token is stored: a
 * database read gives no working token. Each acts for its creator in one team with a role no
 * higher than theirs (capped again at every request by their current role), and expires.
 * `windowStart`/`windowRequests` count requests per minute for the rate limit: the one update that
 * authenticates a request also counts it, so parallel requests cannot slip past the limit.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: teamRole("role").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    /** The first characters of the token (`dky_ab12`), so a person can tell their tokens apart. */
    prefix: text("prefix").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull().defaultNow(),
    windowRequests: integer("window_requests").notNull().default(0),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId, t.createdAt)],
);

export const usersRelations = relations(users, ({ many }) => ({ memberships: many(memberships) }));
export const teamsRelations = relations(teams, ({ many }) => ({ memberships: many(memberships) }));
export const membershipsRelations = relations(memberships, ({ one }) => ({
  team: one(teams, { fields: [memberships.teamId], references: [teams.id] }),
  user: one(users, { fields: [memberships.userId], references: [users.id] }),
}));

export type User = typeof users.$inferSelect;
export type Team = typeof teams.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;
export type Registry = typeof registries.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
export type Environment = typeof environments.$inferSelect;
export type Container = typeof containers.$inferSelect;
export type Deployment = typeof deployments.$inferSelect;
export type PullSecret = typeof pullSecrets.$inferSelect;
export type PullHealth = typeof pullHealth.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;

/**
 * One row per run of a periodic job (the ECR refresh, the pull-health watcher): the slot is the
 * interval the run belongs to, counted on the database's clock, so however many dashboard
 * instances tick, the first one to claim a slot runs it and the others skip it.
 */
export const jobRuns = pgTable(
  "job_runs",
  {
    job: text("job").notNull(),
    /** floor(epoch milliseconds / interval milliseconds) at the claim. */
    slot: bigint("slot", { mode: "number" }).notNull(),
    /** The instance that ran it (host:pid:random, as deploy runners are named). */
    runner: text("runner").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** `succeeded`, `failed`, or `overlapped` (a run of an earlier slot still held the job's lock). */
    outcome: text("outcome"),
    /** What the run counted (registries refreshed, environments watched…); never a secret. */
    summary: jsonb("summary").$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.job, t.slot] })],
);

export type JobRunRow = typeof jobRuns.$inferSelect;
