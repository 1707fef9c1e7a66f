import "server-only";
import { isIP } from "node:net";
import { env } from "@/lib/env";

/**
 * scripts/server.mjs drops any copy of this header the client sent and sets it to the socket's
 * peer address. Next.js itself only sets X-Forwarded-For when it is absent, so a client-sent one
 * would survive: the peer address has to come from our own server.
 */
export const PEER_ADDRESS_HEADER = "x-dockyard-peer-address";

/**
 * scripts/server.mjs sets this variable in its own process. Under plain `next start` or `next dev`
 * nothing strips the header, so it is not believed there.
 */
export const PEER_ADDRESS_STAMPED_ENV = "DOCKYARD_PEER_ADDRESS_STAMPED";

/** The client key when the peer address is unknown (next dev): every client shares it. */
export const UNKNOWN_CLIENT = "unknown";

/**
 * Who is asking, as a throttle key: the socket's peer address, or, when `trustProxyHops`
 * reverse proxies are in front, the address the outermost trusted proxy saw (each proxy appends
 * the address it was connected from, so the entries left of those are the client's to forge).
 * IPv6 clients are keyed by their /64, which one host usually has whole.
 */
export function clientAddressFrom(headers: Headers, trustProxyHops: number): string {
  const peer = normalized(headers.get(PEER_ADDRESS_HEADER));
  if (!peer) return UNKNOWN_CLIENT;
  if (trustProxyHops === 0) return peer;
  const forwarded = (headers.get("x-forwarded-for") ?? "").split(",").map((a) => a.trim()).filter(Boolean);
  const chain = [...forwarded, peer];
  // An entry our own proxy wrote is an address; anything else means the proxy is not what the setting says.
  return normalized(chain[Math.max(chain.length - 1 - trustProxyHops, 0)]) ?? peer;
}

/** The client address of a request to the running server, per the operator's proxy setting. */
export function clientAddress(headers: Headers): string {
  if (process.env[PEER_ADDRESS_STAMPED_ENV] !== "1") return UNKNOWN_CLIENT;
  return clientAddressFrom(headers, env().trustProxyHops);
}

function normalized(address: string | null | undefined): string | undefined {
  if (!address) return undefined;
  const plain = address.replace(/%.*$/, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
  if (mapped) return mapped[1];
  switch (isIP(plain)) {
    case 4:
      return plain;
    case 6:
      return `${ipv6Groups(plain).slice(0, 4).join(":")}::/64`;
    default:
      return undefined;
  }
}

/** The eight 16-bit groups of a valid IPv6 address, "::" expanded and leading zeros dropped. */
function ipv6Groups(address: string): string[] {
  const toGroups = (part: string) => (part ? part.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : []);
  const [head = "", tail] = address.split("::");
  const left = toGroups(head);
  const right = tail === undefined ? [] : toGroups(tail);
  const zeros = Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}
