import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { runChecked } from "./processes";

/** An `oci:` image layout holding one image, tagged `tag`, whose single layer is /hello.txt. */
export async function writeOciLayout(dir: string, tag: string, fileContent: string): Promise<void> {
  const blobsDir = path.join(dir, "blobs", "sha256");
  await mkdir(blobsDir, { recursive: true });
  const addBlob = async (mediaType: string, data: Buffer) => {
    const hex = createHash("sha256").update(data).digest("hex");
    await writeFile(path.join(blobsDir, hex), data);
    return { mediaType, digest: `sha256:${hex}`, size: data.length };
  };

  const contentDir = path.join(dir, "content");
  await mkdir(contentDir);
  await writeFile(path.join(contentDir, "hello.txt"), fileContent);
  const tarFile = path.join(dir, "layer.tar");
  await runChecked("tar", ["--create", "--file", tarFile, "--owner=0", "--group=0", "--numeric-owner", "-C", contentDir, "hello.txt"]);
  const tar = await readFile(tarFile);
  const diffId = `sha256:${createHash("sha256").update(tar).digest("hex")}`;
  const layerGz = gzipSync(tar);
  const layer = await addBlob("application/vnd.oci.image.layer.v1.tar+gzip", layerGz);

  const config = await addBlob(
    "application/vnd.oci.image.config.v1+json",
    Buffer.from(JSON.stringify({
      architecture: process.arch === "x64" ? "amd64" : process.arch,
      os: "linux",
      rootfs: { type: "layers", diff_ids: [diffId] },
    })),
  );
  const manifest = await addBlob(
    "application/vnd.oci.image.manifest.v1+json",
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config, layers: [layer] })),
  );
  await writeFile(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(
    path.join(dir, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, annotations: { "org.opencontainers.image.ref.name": tag } }] }),
  );
}

/**
 * Builds a tiny image in a scratch layout under `workDir` and pushes it to `<host>/<repo>:<tag>`
 * with skopeo, authenticating from `authfile` and trusting the CA in `certDir`; resolves to the
 * pushed manifest digest.
 */
export async function pushTestImage(opts: { workDir: string; authfile: string; certDir: string; host: string; repo: string; tag: string }): Promise<string> {
  const { workDir, authfile, certDir, host, repo, tag } = opts;
  const layoutDir = await mkdtemp(path.join(workDir, "oci-"));
  try {
    await writeOciLayout(layoutDir, tag, `${repo}:${tag}\n`);
    const digestFile = path.join(layoutDir, "pushed-digest");
    await runChecked("skopeo", [
      "copy",
      // The system signature policy is not ours to depend on; this image is made right here.
      "--insecure-policy",
      "--authfile", authfile,
      "--dest-cert-dir", certDir,
      "--digestfile", digestFile,
      `oci:${layoutDir}:${tag}`,
      `docker://${host}/${repo}:${tag}`,
    ]);
    return (await readFile(digestFile, "utf8")).trim();
  } finally {
    await rm(layoutDir, { recursive: true, force: true });
  }
}
