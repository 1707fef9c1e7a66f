// Lays out the container image's /app from the local build, exactly as the Dockerfile's final
// stage copies it: its `COPY --from=build` lines are read from the Dockerfile and replayed (the
// build stage's /app being this repository after `next build`). No engine here can build the
// image; this is how the tests (e2e/standalone.spec.ts) and the size figure see its contents.
//
//   npx next build && npx tsx scripts/assemble-image.ts /tmp/dockyard-image && du -sh /tmp/dockyard-image/app
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "..");
const BUILD_DIR = "/app";

/** The final stage of a Dockerfile: its instructions, continuation lines joined, comments dropped. */
export function finalStage(dockerfile: string): { instruction: string; args: string }[] {
  const lines = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const from = lines.findLastIndex((l) => /^FROM\s/i.test(l));
  return lines.slice(from + 1).map((l) => {
    const [instruction = "", ...rest] = l.split(/\s+/);
    return { instruction: instruction.toUpperCase(), args: rest.join(" ") };
  });
}

/**
 * What the image runs: its WORKDIR, ENV, CMD and the copies from the build stage. Any other
 * source of files in the final stage is named in `otherCopies` (the Docker CLI's binaries), so
 * a caller knows exactly what the replay leaves out.
 */
export type ImageSpec = {
  workdir: string;
  env: Record<string, string>;
  cmd: string[];
  copies: { src: string; dest: string; intoDir: boolean }[];
  otherCopies: string[];
};

export function imageSpec(dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8")): ImageSpec {
  const spec: ImageSpec = { workdir: "/", env: {}, cmd: [], copies: [], otherCopies: [] };
  for (const { instruction, args } of finalStage(dockerfile)) {
    if (instruction === "WORKDIR") spec.workdir = path.posix.resolve(spec.workdir, args);
    if (instruction === "ENV") for (const [, key = "", value = ""] of args.matchAll(/(\w+)=(\S+)/g)) spec.env[key] = value;
    if (instruction === "CMD") spec.cmd = JSON.parse(args) as string[];
    if (instruction === "COPY") {
      const words = args.split(/\s+/);
      const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
      const [src = "", dest = ""] = words.filter((w) => !w.startsWith("--"));
      if (from === "build") spec.copies.push({ src, dest: path.posix.resolve(spec.workdir, dest), intoDir: dest.endsWith("/") });
      else spec.otherCopies.push(args);
    }
  }
  return spec;
}

/** Replays the final stage's copies from this repository's build into `outDir` (the image's root). */
export function assembleImage(outDir: string): ImageSpec & { appDir: string } {
  const spec = imageSpec();
  for (const { src, dest, intoDir } of spec.copies) {
    if (!src.startsWith(`${BUILD_DIR}/`)) throw new Error(`COPY --from=build ${src}: not under the build stage's ${BUILD_DIR}`);
    const from = path.join(root, src.slice(BUILD_DIR.length + 1));
    if (!existsSync(from)) throw new Error(`${path.relative(root, from)} is missing: run \`npx next build\` first (output: "standalone")`);
    // Docker copies a directory's contents, and a file to the destination (or into it, with a trailing slash).
    const isDir = statSync(from).isDirectory();
    const to = path.join(outDir, isDir || !intoDir ? dest : path.posix.join(dest, path.basename(src)));
    mkdirSync(isDir ? to : path.dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  }
  return { ...spec, appDir: path.join(outDir, spec.workdir) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: npx tsx scripts/assemble-image.ts <output directory>");
    process.exit(2);
  }
  const { appDir, cmd, otherCopies } = assembleImage(path.resolve(out));
  console.log(`image contents in ${appDir}; it runs \`${cmd.join(" ")}\` there`);
  if (otherCopies.length > 0) console.log(`not replayed (tools from other images): ${otherCopies.length} COPY lines`);
}
