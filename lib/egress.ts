import "server-only";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, Socket, type TcpNetConnectOpts } from "node:net";
import { networkInterfaces } from "node:os";
import type { Duplex } from "node:stream";
import { env } from "@/lib/env";

/**
 * The one outbound policy. Every connection the server opens on a user's behalf (live checks,
 * pull probes, Kubernetes API servers, Docker hosts, the registry a deploy logs in to, ECR) is
 * vetted here: the name is resolved once, every address it resolves to must be outside the
 * refused ranges (or inside a network the operator allowed), and the socket then connects to
 * exactly the vetted address, so a second DNS answer cannot swap it.
 */

export type RefusedKind = "this-host" | "loopback" | "link-local" | "private" | "shared" | "multicast" | "reserved" | "own-address";

const WORDS: Record<RefusedKind, string> = {
  "this-host": "an unspecified (this host) address",
  loopback: "a loopback address",
  "link-local": "a link-local address (where cloud metadata services live)",
  private: "a private-network address",
  shared: "a carrier-grade NAT (shared) address",
  multicast: "a multicast address",
  reserved: "a reserved address",
  "own-address": "an address of this server itself",
};

const RANGES: [RefusedKind, string, number, "ipv4" | "ipv6"][] = [
  ["this-host", "0.0.0.0", 8, "ipv4"],
  ["private", "10.0.0.0", 8, "ipv4"],
  ["shared", "100.64.0.0", 10, "ipv4"],
  ["loopback", "127.0.0.0", 8, "ipv4"],
  ["link-local", "169.254.0.0", 16, "ipv4"],
  ["private", "172.16.0.0", 12, "ipv4"],
  ["reserved", "192.0.0.0", 24, "ipv4"],
  ["reserved", "192.0.2.0", 24, "ipv4"],
  ["private", "192.168.0.0", 16, "ipv4"],
  ["reserved", "198.18.0.0", 15, "ipv4"],
  ["reserved", "198.51.100.0", 24, "ipv4"],
  ["reserved", "203.0.113.0", 24, "ipv4"],
  ["multicast", "224.0.0.0", 4, "ipv4"],
  ["reserved", "240.0.0.0", 4, "ipv4"],
  ["this-host", "::", 128, "ipv6"],
  ["loopback", "::1", 128, "ipv6"],
  // NAT64, 6to4 and Teredo carry an IPv4 address inside; the embedded one could be private.
  ["reserved", "64:ff9b::", 96, "ipv6"],
  ["reserved", "64:ff9b:1::", 48, "ipv6"],
  ["reserved", "100::", 64, "ipv6"],
  ["reserved", "2001::", 32, "ipv6"],
  ["reserved", "2001:db8::", 32, "ipv6"],
  ["reserved", "2002::", 16, "ipv6"],
  ["private", "fc00::", 7, "ipv6"],
  ["link-local", "fe80::", 10, "ipv6"],
  ["reserved", "fec0::", 10, "ipv6"],
  ["multicast", "ff00::", 8, "ipv6"],
];

/** One BlockList per kind, so a verdict can name why an address was refused. */
const REFUSED: [RefusedKind, BlockList][] = [...new Set(RANGES.map(([kind]) => kind))].map((kind) => {
  const list = new BlockList();
  for (const [k, net, prefix, family] of RANGES) if (k === kind) list.addSubnet(net, prefix, family);
  return [kind, list];
});

export type EgressPolicy = {
  /** Networks an operator allows although they are in a refused range. */
  readonly allowed: BlockList;
  /** The CIDRs behind `allowed`, for messages and logs. */
  readonly allowedNetworks: readonly string[];
  /** This host's own interface addresses; read when the policy is made. */
  readonly ownAddresses: ReadonlySet<string>;
  /** The resolver; tests replace it to vet names that point at non-loopback addresses. */
  readonly resolve: (host: string) => Promise<LookupAddress[]>;
};

const systemResolve = (host: string) =>
  new Promise<LookupAddress[]>((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

const familyOf = (address: string) => (isIP(address) === 6 ? "ipv6" : "ipv4");

/** `::ffff:10.0.0.1` is 10.0.0.1 on the wire: vet the IPv4 address inside. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address.toLowerCase().replace(/%.*$/, "");
}

/** `10.0.0.0/8,fd00::/8` → a BlockList used as an allow-list. Invalid entries throw. */
export function egressPolicy(allowedNetworks: readonly string[], opts: { resolve?: EgressPolicy["resolve"]; ownAddresses?: Iterable<string> } = {}): EgressPolicy {
  const allowed = new BlockList();
  for (const cidr of allowedNetworks) {
    const [net = "", prefix] = cidr.split("/");
    const family = familyOf(net);
    allowed.addSubnet(net, Number(prefix ?? (family === "ipv6" ? 128 : 32)), family);
  }
  const own = opts.ownAddresses ?? Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  return { allowed, allowedNetworks: [...allowedNetworks], ownAddresses: new Set([...own].map(unmapped)), resolve: opts.resolve ?? systemResolve };
}

const globalForEgress = globalThis as unknown as { __egressPolicy?: EgressPolicy };

/** The server's policy, from EGRESS_ALLOWED_NETWORKS (alias LIVE_CHECK_ALLOWED_NETWORKS). */
export function serverEgressPolicy(): EgressPolicy {
  globalForEgress.__egressPolicy ??= egressPolicy(env().egressAllowedNetworks);
  return globalForEgress.__egressPolicy;
}

export type Verdict = { ok: true } | { ok: false; kind: RefusedKind };

/** Whether one address may be connected to. Pure: no socket, no DNS. */
export function vetAddress(address: string, policy: EgressPolicy): Verdict {
  const a = unmapped(address);
  const family = familyOf(a);
  if (isIP(a) === 0) return { ok: false, kind: "reserved" };
  if (policy.allowed.check(a, family)) return { ok: true };
  for (const [kind, list] of REFUSED) if (list.check(a, family)) return { ok: false, kind };
  if (policy.ownAddresses.has(a)) return { ok: false, kind: "own-address" };
  return { ok: true };
}

/** A connection the policy refused before any packet was sent. */
export class EgressRefused extends Error {
  readonly code = "EGRESS_REFUSED";
  constructor(
    readonly host: string,
    readonly address: string,
    readonly kind: RefusedKind,
  ) {
    super(
      `${host === address ? host : `${host} resolves to ${address}, which`} is ${WORDS[kind]}; this server does not connect there on a user's behalf. An operator can allow the network with EGRESS_ALLOWED_NETWORKS.`,
    );
    this.name = "EgressRefused";
  }
}

export const isEgressRefused = (err: unknown): err is EgressRefused => err instanceof EgressRefused || (err as { code?: string })?.code === "EGRESS_REFUSED";

const bare = (host: string) => host.replace(/^\[|\]$/g, "");

/**
 * Resolves `host` once and vets every address it has (a name with one bad address is refused
 * whole: which one a client picks is not ours to decide). Returns the addresses to connect to.
 */
export async function resolveVetted(host: string, policy: EgressPolicy = serverEgressPolicy()): Promise<LookupAddress[]> {
  const name = bare(host);
  const addresses = isIP(name) ? [{ address: name, family: isIP(name) }] : await policy.resolve(name);
  if (addresses.length === 0) throw Object.assign(new Error(`${name} has no address`), { code: "ENOTFOUND" });
  for (const { address } of addresses) {
    const verdict = vetAddress(address, policy);
    if (!verdict.ok) throw new EgressRefused(name, address, verdict.kind);
  }
  return addresses;
}

/** A vetted address for a child process that connects by itself (the Docker CLI, ssh). */
export async function vettedAddress(host: string, policy: EgressPolicy = serverEgressPolicy()): Promise<string> {
  return (await resolveVetted(host, policy))[0]!.address;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for sockets: the vetted answer or an EgressRefused, never a second resolution. */
export function egressLookup(policy: EgressPolicy = serverEgressPolicy()) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    resolveVetted(hostname, policy).then(
      (addresses) => (options.all ? callback(null, addresses) : callback(null, addresses[0]!.address, addresses[0]!.family)),
      (err: NodeJS.ErrnoException) => callback(err, ""),
    );
  };
}

/**
 * Node skips `lookup` for an IP literal, so literals are vetted here; a refused one becomes a
 * socket that fails at once (the request reports the EgressRefused, nothing is sent).
 */
function guardedConnect(policy: EgressPolicy, options: TcpNetConnectOpts): EgressRefused | undefined {
  const host = bare(String(options.host ?? "localhost"));
  if (!isIP(host)) return undefined;
  const verdict = vetAddress(host, policy);
  return verdict.ok ? undefined : new EgressRefused(host, host, verdict.kind);
}

function refusedSocket(err: Error): Duplex {
  const socket = new Socket();
  process.nextTick(() => socket.destroy(err));
  return socket;
}

type Connect = (options: TcpNetConnectOpts, cb?: (err: Error | null, socket: Duplex) => void) => Duplex;

/**
 * An agent for `url`'s scheme that only opens vetted connections: every new socket is vetted
 * (IP literals here, names through egressLookup); kept-alive sockets were vetted when opened.
 */
export function egressAgent(protocol: string, policy: EgressPolicy = serverEgressPolicy(), opts: https.AgentOptions = {}): http.Agent {
  const agent = protocol === "http:" ? new http.Agent(opts) : new https.Agent(opts);
  // createConnection exists on both agents at run time; the types leave it out.
  const withConnect = agent as unknown as { createConnection: Connect };
  const connect = withConnect.createConnection.bind(agent);
  withConnect.createConnection = (options, cb) => {
    const refused = guardedConnect(policy, options);
    return refused ? refusedSocket(refused) : connect({ ...options, lookup: egressLookup(policy) }, cb);
  };
  return agent;
}
