import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFile, mkdir, mkdtemp, open, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { pushTestImage } from "./oci-image";
import { run, runChecked, stopProcess, whenEnded } from "./processes";

/**
 * A real, private container registry for tests: CNCF Distribution (Debian's `docker-registry`)
 * on 127.0.0.1 with TLS from a throw-away CA and htpasswd basic auth. Every registry gets its own
 * temp dir (certs, config, storage, log), so several can run side by side.
 */
export interface TestRegistry {
  /** "localhost:<port>", the registry part of image references. */
  host: string;
  /** "https://localhost:<port>" */
  url: string;
  /** PEM of the CA that signed the server certificate. */
  caFile: string;
  /** The registry's own log (access log included); kept out of the test output. */
  logFile: string;
  /** Adds or changes a user; the registry enforces it from the next request on. */
  setUser(name: string, password: string): Promise<void>;
  /** Removes a user; their next request is refused. */
  removeUser(name: string): Promise<void>;
  /** Pushes a tiny single-layer OCI image to `<host>/<repo>:<tag>`; resolves to its manifest digest. */
  pushImage(repo: string, tag: string): Promise<string>;
  /** `skopeo inspect` of `<image>` ("localhost:<port>/repo:tag") with the given auth file. */
  inspectWithAuthfile(image: string, authfile: string): Promise<{ ok: boolean; stderr: string }>;
  /**
   * Whether a pull Secret's own `.dockerconfigjson` (base64, as the Secret holds it) can pull
   * `<image>`: what a kubelet would pull with. The authfile is written under the registry's work
   * dir and removed after.
   */
  pullsWithSecret(image: string, dockerconfigjsonBase64: string): Promise<boolean>;
  /** Stops the registry and removes everything it wrote. Safe to call more than once. */
  stop(): Promise<void>;
}

// The podman engine trusts a registry's CA found here as `<host:port>/ca.crt` (skopeo gets
// --cert-dir instead). The dir is global, so each registry adds only its own port's entry and
// removes it on stop.
const CONTAINERS_CERTS_DIR = "/etc/containers/certs.d";

// The lowest cost Go's bcrypt accepts. The registry verifies the password on every request and
// a pull makes several, so the default cost (10) would add noticeable time to every test.
const BCRYPT_COST = 4;


export async function startTestRegistry(opts: { users?: Record<string, string> } = {}): Promise<TestRegistry> {
  const workDir = await mkdtemp(path.join(tmpdir(), "test-registry-"));
  const certDir = path.join(workDir, "certs"); // skopeo's --cert-dir: holds just ca.crt
  const caFile = path.join(certDir, "ca.crt");
  const htpasswdFile = path.join(workDir, "htpasswd");
  const logFile = path.join(workDir, "registry.log");

  // pushImage needs credentials of its own, independent of the users a test adds and removes.
  const pusher = { name: `harness-pusher-${randomBytes(4).toString("hex")}`, password: randomBytes(18).toString("base64url") };
  const users = new Map<string, string>(); // name → bcrypt hash
  for (const [name, password] of Object.entries({ ...opts.users, [pusher.name]: pusher.password })) {
    users.set(name, await bcrypt.hash(password, BCRYPT_COST));
  }

  let child: { process: ChildProcess; ended: Promise<string> } | undefined;
  let certsDirForPort: string | undefined;
  const killOnExit = () => child?.process.kill("SIGKILL");
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", killOnExit);
    if (child) await stopProcess(child.process, child.ended);
    if (certsDirForPort) await rm(certsDirForPort, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  };

  // Writes are queued so that concurrent setUser/removeUser calls cannot land out of order.
  let htpasswdWrites = Promise.resolve();
  const writeHtpasswd = () => {
    const content = [...users].map(([name, hash]) => `${name}:${hash}\n`).join("");
    const write = htpasswdWrites.then(() => replaceHtpasswd(htpasswdFile, content));
    htpasswdWrites = write.catch(() => undefined); // a failed write must not block later ones
    return write;
  };

  try {
    await mkdir(certDir);
    await createCertificates(workDir, caFile);
    await writeHtpasswd();
    const configFile = path.join(workDir, "config.yml");
    await writeFile(configFile, registryConfig(workDir, htpasswdFile));

    const log = await open(logFile, "w");
    try {
      // Debian ships Distribution as /usr/bin/docker-registry; `serve <config>` is its only mode we need.
      const registryProcess = spawn("docker-registry", ["serve", configFile], { stdio: ["ignore", log.fd, log.fd] });
      child = { process: registryProcess, ended: whenEnded(registryProcess) };
    } finally {
      await log.close();
    }
    process.on("exit", killOnExit);
    const { ended } = child;

    // Port 0 in the config lets the kernel pick a free port without a race; the registry logs it.
    const port = await waitFor("the registry to listen", ended, logFile, async () => {
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(await readFile(logFile, "utf8"));
      return match?.[1];
    });
    const host = `localhost:${port}`;
    const url = `https://${host}`;
    await waitFor("GET /v2/ to answer 401", ended, logFile, async () => ((await getStatus(`${url}/v2/`, caFile)) === 401 ? true : undefined));

    certsDirForPort = path.join(CONTAINERS_CERTS_DIR, host);
    await mkdir(certsDirForPort, { recursive: true });
    await copyFile(caFile, path.join(certsDirForPort, "ca.crt"));

    const pusherAuthfile = path.join(workDir, "pusher-auth.json");
    await writeFile(pusherAuthfile, authfileJson(host, pusher.name, pusher.password), { mode: 0o600 });

    const inspectWithAuthfile = async (image: string, authfile: string) => {
      const r = await run("skopeo", ["inspect", "--authfile", authfile, "--cert-dir", certDir, `docker://${image}`]);
      return { ok: r.code === 0, stderr: r.stderr };
    };

    return {
      host,
      url,
      caFile,
      logFile,
      async setUser(name, password) {
        users.set(name, await bcrypt.hash(password, BCRYPT_COST));
        await writeHtpasswd();
      },
      async removeUser(name) {
        users.delete(name);
        await writeHtpasswd();
      },
      pushImage: (repo, tag) => pushTestImage({ workDir, authfile: pusherAuthfile, certDir: certDir, host, repo, tag }),
      inspectWithAuthfile,
      async pullsWithSecret(image, dockerconfigjsonBase64) {
        const authfile = path.join(workDir, `secret-${randomBytes(6).toString("hex")}.json`);
        await writeFile(authfile, Buffer.from(dockerconfigjsonBase64, "base64"), { mode: 0o600 });
        try {
          return (await inspectWithAuthfile(image, authfile)).ok;
        } finally {
          await rm(authfile, { force: true });
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The JSON of a containers-auth.json / Docker config.json that logs `user` in to `host`. */
export function authfileJson(host: string, user: string, password: string): string {
  return JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString("base64") } } });
}

/**
 * Distribution (2.8.2, checked empirically) re-reads htpasswd on a request only when the file's
 * mtime differs from the one it loaded, so two writes within one timestamp tick would leave the
 * second unseen. The new file therefore always gets an mtime at least a second past the old one;
 * the rename makes the swap atomic, so a request never sees a half-written file.
 */
async function replaceHtpasswd(file: string, content: string): Promise<void> {
  const previousMtimeMs = await stat(file).then((s) => s.mtimeMs, () => 0);
  const next = `${file}.next`;
  await writeFile(next, content, { mode: 0o600 });
  const mtime = new Date(Math.max(Date.now(), Math.floor(previousMtimeMs) + 1000));
  await utimes(next, mtime, mtime);
  await rename(next, file);
}

async function createCertificates(workDir: string, caFile: string): Promise<void> {
  const caKey = path.join(workDir, "ca.key");
  const serverKey = path.join(workDir, "server.key");
  const serverCsr = path.join(workDir, "server.csr");
  const extFile = path.join(workDir, "server-ext.cnf");
  // EC keys: generating them is instant, unlike RSA.
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await runChecked("openssl", [
    "req", "-x509", ...ecKey, "-keyout", caKey, "-out", caFile, "-days", "2", "-subj", "/CN=test-registry throw-away CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await runChecked("openssl", ["req", "-new", ...ecKey, "-keyout", serverKey, "-out", serverCsr, "-subj", "/CN=localhost"]);
  await writeFile(extFile, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  await runChecked("openssl", [
    "x509", "-req", "-in", serverCsr, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial",
    "-days", "2", "-extfile", extFile, "-out", path.join(workDir, "server.crt"),
  ]);
}

function registryConfig(workDir: string, htpasswdFile: string): string {
  // JSON strings are valid YAML scalars, which keeps any path safely quoted.
  const q = (value: string) => JSON.stringify(value);
  return `version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: ${q(path.join(workDir, "storage"))}
http:
  addr: 127.0.0.1:0
  secret: ${q(randomBytes(16).toString("hex"))}
  tls:
    certificate: ${q(path.join(workDir, "server.crt"))}
    key: ${q(path.join(workDir, "server.key"))}
auth:
  htpasswd:
    realm: test-registry
    path: ${q(htpasswdFile)}
`;
}


/** Polls `probe` until it yields a value; fails early, with the log's tail, if the process exits. */
async function waitFor<T>(what: string, ended: Promise<string>, logFile: string, probe: () => Promise<T | undefined>): Promise<T> {
  let endedWhy: string | undefined;
  void ended.then((why) => (endedWhy = why));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (endedWhy !== undefined || Date.now() > deadline) {
      const log = await readFile(logFile, "utf8").catch(() => "");
      const why = endedWhy !== undefined ? `the registry ${endedWhy}` : "timed out";
      throw new Error(`Waiting for ${what}: ${why}. Log tail:\n${log.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function getStatus(url: string, caFile: string): Promise<number | undefined> {
  return readFile(caFile).then(
    (ca) =>
      new Promise((resolve, reject) => {
        const req = request(url, { ca, timeout: 2000 }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", reject);
        req.end();
      }),
  );
}





