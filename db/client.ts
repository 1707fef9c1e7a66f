import "server-only";
import path from "node:path";
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePostgres, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import postgres from "postgres";
import { errorForLog, logger } from "@/lib/logger";
import { processRuns } from "./process-runs.mjs";
import * as schema from "./schema";

/** Both drivers expose the same query builder; the app is typed against the postgres.js one. */
export type Db = PostgresJsDatabase<typeof schema>;

export type DbHandle = {
  db: Db;
  kind: "postgres" | "pglite";
  migrate: () => Promise<void>;
  close: () => Promise<void>;
  /**
   * Runs `fn` only if no other process (or call) holds the lock `key`; undefined when it is held.
   * PostgreSQL: a session advisory lock on a reserved connection, so one runner across instances.
   * PGlite: one process owns the data dir, so an in-process flag is enough.
   */
  exclusively: <T>(key: number, fn: () => Promise<T>) => Promise<T | undefined>;
};

export const migrationsFolder = path.join(process.cwd(), "drizzle");
const MIGRATION_LOCK_KEY = 0x646b796d; // "dkym"
const held = new Set<number>();

/** PostgreSQL through postgres.js when a URL is given, else embedded PGlite under `dataDir/pglite`. */
export function openDatabase(opts: { databaseUrl?: string; dataDir: string }): DbHandle {
  if (opts.databaseUrl) {
    const client = postgres(opts.databaseUrl, { max: 10, onnotice: () => {}, connect_timeout: 5 });
    const db = drizzlePostgres(client, { schema });
    return {
      db,
      kind: "postgres",
      // Replicas starting together would each apply the pending migrations: the first takes this
      // lock and migrates, the others wait for it and then find nothing left to apply.
      migrate: async () => {
        const reserved = await client.reserve();
        try {
          await reserved`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
          try {
            await migratePostgres(db, { migrationsFolder });
          } finally {
            await reserved`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
          }
        } finally {
          reserved.release();
        }
      },
      close: () => client.end({ timeout: 5 }),
      exclusively: async (key, fn) => {
        const reserved = await client.reserve();
        try {
          const [row] = await reserved`select pg_try_advisory_lock(${key}) as got`;
          if (!row?.got) return undefined;
          try {
            return await fn();
          } finally {
            await reserved`select pg_advisory_unlock(${key})`;
          }
        } finally {
          reserved.release();
        }
      },
    };
  }
  const dir = path.join(opts.dataDir, "pglite");
  mkdirSync(opts.dataDir, { recursive: true });
  const releaseLock = lockDataDir(opts.dataDir);
  seedFromTemplate(dir);
  mkdirSync(dir, { recursive: true });
  // PostgreSQL's WASM runs on V8's baseline compiler only: the optimising tier's compiler memory
  // for PostgreSQL's hot functions stays with the process, 35-60 MiB measured. Scans then take up
  // to about twice the CPU, a few milliseconds on 10,000 rows; a team's registries list reads a
  // few pages. The flag is read while PGlite compiles its module during start-up, and reset once
  // it is ready so that no other WebAssembly of the process (argon2's WASI build) runs on it.
  setFlagsFromString("--liftoff-only");
  // pg_trgm backs the registries search index (drizzle/0009_pg_trgm.sql).
  const client = new PGlite(dir, { postgresqlconf: PGLITE_CONF, extensions: { pg_trgm } });
  void client.waitReady.finally(() => setFlagsFromString("--no-liftoff-only")).catch(() => {});
  const db = drizzlePglite(client, { schema });
  let statisticsTimer: NodeJS.Timeout | undefined;
  return {
    db: db as unknown as Db,
    kind: "pglite",
    migrate: async () => {
      await migratePglite(db, { migrationsFolder });
      await analyzeChangedTables(client);
      statisticsTimer = setInterval(() => {
        analyzeChangedTables(client).catch((err) => logger.warn(errorForLog(err), "embedded database: gathering statistics failed"));
      }, PGLITE_STATISTICS_CHECK_MS).unref();
    },
    close: () => {
      clearInterval(statisticsTimer);
      return client.close().finally(releaseLock);
    },
    exclusively: async (key, fn) => {
      if (held.has(key)) return undefined;
      held.add(key);
      try {
        return await fn();
      } finally {
        held.delete(key);
      }
    },
  };
}

/**
 * Sized for one process's small database; PGlite's defaults size it for a server (128 MB of
 * buffers, 100 connections). The buffer pool is resident from the start, 8 MB holds a team's
 * registries many times over, and the files behind it are in the OS's page cache.
 */
const PGLITE_CONF = [
  "shared_buffers = 8MB",
  "wal_buffers = 512kB",
  "work_mem = 2MB",
  "maintenance_work_mem = 16MB",
  "temp_buffers = 2MB",
  // One session runs in this process; the other slots would only take shared memory.
  "max_connections = 2",
  "superuser_reserved_connections = 0",
  "autovacuum_worker_slots = 1",
  "max_wal_senders = 0",
  "max_replication_slots = 0",
];
/** As often as autovacuum looks (autovacuum_naptime), and as cheap: one catalog query. */
const PGLITE_STATISTICS_CHECK_MS = 60_000;

/**
 * Embedded PostgreSQL has no autovacuum, and its activity counters (n_mod_since_analyze) do not
 * survive a restart, so the size of each table stands in for them: a table is analyzed when it
 * never was, or when it grew or shrank by more than autovacuum's share (10 %, plus two pages)
 * since, as after a migration or an import of many registries. Returns the tables analyzed.
 */
export async function analyzeChangedTables(client: PGlite): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`
    select format('%I.%I', n.nspname, c.relname) as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
      and (c.reltuples < 0 or abs(pg_relation_size(c.oid) / current_setting('block_size')::int - c.relpages) > 2 + c.relpages / 10)`);
  const names = rows.map((r) => r.name);
  if (names.length > 0) await client.exec(`ANALYZE ${names.join(", ")}`);
  return names;
}

/** The link to the migrated data dir db/pglite-template.mjs makes per PGlite version and set of migrations (npm start runs it). */
function pgliteTemplateDir(): string {
  const pkg = path.join(process.cwd(), "node_modules/@electric-sql/pglite/package.json");
  const version = existsSync(pkg) ? (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version : "unknown";
  // A cache made at run time, not a file of the app: the build must not trace it into the standalone output (the image).
  return path.join(/* turbopackIgnore: true */ process.cwd(), "node_modules/.cache/dockyard", `pglite-${version}`);
}

/**
 * A fresh data dir starts as a copy of the template: initdb and the migrations inside this
 * process would take seconds and keep their WASM memory for good. Without a template PGlite
 * runs initdb itself; migrations newer than the template are applied at start as usual.
 */
function seedFromTemplate(dataDir: string) {
  const template = pgliteTemplateDir();
  if (existsSync(path.join(dataDir, "PG_VERSION")) || !existsSync(path.join(template, "PG_VERSION"))) return;
  // Copied aside, then moved into place: a copy cut short (the template removed, the process
  // stopped) never leaves a data dir that looks made. The link's target is resolved once: a newer
  // template replacing it meanwhile is another directory.
  const copying = `${dataDir}.seed-${process.pid}`;
  rmSync(copying, { recursive: true, force: true });
  cpSync(realpathSync(template), copying, { recursive: true });
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(copying, dataDir);
}

/**
 * PGlite has no lock of its own: a second server on the same data dir (two `npm start`, one of
 * which would fail on its port only after opening the database) would write the same files and
 * split the database. The first takes `pglite.lock` (its pid); a lock whose process is gone is
 * taken over. Returns the release.
 */
function lockDataDir(dataDir: string): () => void {
  const lock = path.join(dataDir, "pglite.lock");
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(readFileSync(lock, "utf8").trim());
      if (holder === process.pid) break;
      if (Number.isInteger(holder) && holder > 0 && processRuns(holder)) {
        throw new Error(`The embedded database in ${dataDir} is in use by another Dockyard server (process ${holder}). Stop it, or give this one its own DATA_DIR or a DATABASE_URL.`);
      }
      rmSync(lock, { force: true });
    }
  }
  const release = () => {
    try {
      if (readFileSync(lock, "utf8").trim() === String(process.pid)) unlinkSync(lock);
    } catch {
      // Already gone.
    }
  };
  process.once("exit", release);
  return release;
}

export async function pingDatabase(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.execute(sql`select 1`).then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
