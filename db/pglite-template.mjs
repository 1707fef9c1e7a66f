// The embedded database's empty data dir, made once per PGlite version by a child process, so a
// dashboard starting on a fresh data dir copies files instead of running initdb inside its own
// WASM heap (initdb's memory is never returned to the system, and it takes seconds).
//   node db/pglite-template.mjs   (npm start runs it; it does nothing when the template exists)
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Where db/client.ts looks for it (pgliteTemplateDir there): one directory per PGlite version. */
function templateDir() {
  const version = JSON.parse(readFileSync(path.join(root, "node_modules/@electric-sql/pglite/package.json"), "utf8")).version;
  return path.join(root, "node_modules/.cache/dockyard", `pglite-${version}`);
}

async function makeTemplate() {
  const template = templateDir();
  if (existsSync(path.join(template, "PG_VERSION"))) return template;
  const building = `${template}.tmp-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(path.dirname(template), { recursive: true });
  const { PGlite } = await import("@electric-sql/pglite");
  const db = new PGlite(building);
  await db.query("select 1");
  await db.close();
  // Made aside, then moved into place: a half-made template is never seen.
  rmSync(template, { recursive: true, force: true });
  renameSync(building, template);
  writeFileSync(path.join(template, ".made-by"), "db/pglite-template.mjs\n");
  return template;
}

const started = Date.now();
const made = await makeTemplate();
console.log(`› Embedded database template ready (${path.relative(root, made)}, ${Date.now() - started} ms)`);
