// The embedded database's data dir as a fresh start needs it (initdb run, migrations applied,
// statistics gathered), made by a child process once per PGlite version and set of migrations,
// so a dashboard starting on a fresh data dir copies files instead of running initdb and the
// migrations inside its own WASM heap (that memory is never returned to the system, and it takes
// seconds).
//   node db/pglite-template.mjs   (npm start runs it when templateIsCurrent() says so)
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { processRuns } from "./process-runs.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const migrationsFolder = path.join(root, "drizzle");

/** Where db/client.ts looks for it (pgliteTemplateDir there): a link per PGlite version to the current template. */
function templateLink() {
  const version = JSON.parse(readFileSync(path.join(root, "node_modules/@electric-sql/pglite/package.json"), "utf8")).version;
  return path.join(root, "node_modules/.cache/dockyard", `pglite-${version}`);
}

/**
 * The template of one set of migrations (a changed or added file makes a new one). It never
 * changes once made; one replaced by a newer one is removed only an hour later, so a server still
 * copying it copies it whole (and a server copies into a directory of its own, see db/client.ts).
 */
function templateOfMigrations() {
  const hash = createHash("sha256");
  const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of files(migrationsFolder).sort()) hash.update(`${path.relative(migrationsFolder, file)}\0`).update(readFileSync(file));
  return `${templateLink()}-${hash.digest("hex").slice(0, 16)}`;
}

/** Whether the link leads to the template of the current migrations (cheap: no database is opened). */
export function templateIsCurrent() {
  const link = templateLink();
  return existsSync(path.join(link, "PG_VERSION")) && path.basename(realpathSync(link)) === path.basename(templateOfMigrations());
}

async function makeTemplate() {
  const link = templateLink();
  const template = templateOfMigrations();
  if (templateIsCurrent()) return template;
  if (!existsSync(path.join(template, "PG_VERSION"))) {
    const building = `${template}.tmp-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(path.dirname(template), { recursive: true });
    const { PGlite } = await import("@electric-sql/pglite");
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    const { drizzle } = await import("drizzle-orm/pglite");
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    const db = new PGlite(building, { extensions: { pg_trgm } });
    await migrate(drizzle(db), { migrationsFolder });
    // The planner's statistics of the empty tables: the server analyzes only tables that changed since.
    await db.exec("ANALYZE");
    await db.close();
    writeFileSync(path.join(building, ".made-by"), "db/pglite-template.mjs\n");
    // Made aside, then moved into place: a half-made template is never seen.
    try {
      renameSync(building, template);
    } catch (err) {
      // Another start made the same template meanwhile: theirs is as good.
      if (!existsSync(path.join(template, "PG_VERSION"))) throw err;
      rmSync(building, { recursive: true, force: true });
    }
  }
  // The link is replaced in one step (a directory there is one made before templates had links).
  if (existsSync(link) && !lstatSync(link).isSymbolicLink()) rmSync(link, { recursive: true, force: true });
  const newLink = `${link}.link-${process.pid}`;
  rmSync(newLink, { force: true });
  symlinkSync(path.basename(template), newLink);
  renameSync(newLink, link);
  removeLeftovers(link, template);
  return template;
}

const LEFTOVER_AGE_MS = 60 * 60 * 1000;

/**
 * Templates of older migrations replaced over an hour ago (no server is still copying them), and
 * half-made templates and links of starts that died.
 */
function removeLeftovers(link, current) {
  const dir = path.dirname(link);
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(`${path.basename(link)}-`) && !name.startsWith(`${path.basename(link)}.link-`)) continue;
    const full = path.join(dir, name);
    const ofDeadStart = /\.(?:tmp|link)-(\d+)$/.exec(name);
    if (ofDeadStart) {
      if (!processRuns(Number(ofDeadStart[1]))) rmSync(full, { recursive: true, force: true });
    } else if (full !== current && Date.now() - lstatSync(full).mtimeMs > LEFTOVER_AGE_MS) {
      rmSync(full, { recursive: true, force: true });
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const started = Date.now();
  const made = await makeTemplate();
  console.log(`› Embedded database template ready (${path.relative(root, made)}, ${Date.now() - started} ms)`);
}
