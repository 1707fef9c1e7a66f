import "server-only";
import { lookup as dnsLookup } from "node:dns";
import { BlockList, isIP } from "node:net";

/**
 * Which addresses a user-triggered outbound check may connect to. Loopback, link-local (cloud
 * metadata at 169.254.169.254 and fd00:ec2::254 included), private, unique-local, CGNAT,
 * multicast and reserved ranges are refused unless an operator allows a network explicitly.
 */

const BLOCKED: [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 128, "ipv6"],
  ["::1", 128, "ipv6"],
  ["64:ff9b::", 96, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
];

const blocked = new BlockList();
for (const [net, prefix, family] of BLOCKED) blocked.addSubnet(net, prefix, family);

/** `127.0.0.0/8,10.1.0.0/16` → a BlockList used as an allow-list. */
export function parseNetworks(list: readonly string[]): BlockList {
  const allowed = new BlockList();
  for (const cidr of list) {
    const [net = "", prefix] = cidr.split("/");
    const family = isIP(net) === 6 ? "ipv6" : "ipv4";
    allowed.addSubnet(net, Number(prefix ?? (family === "ipv6" ? 128 : 32)), family);
  }
  return allowed;
}

export class BlockedAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to ${address}, a private, loopback or link-local address`);
    this.name = "BlockedAddressError";
  }
}

export function isAllowedAddress(address: string, allowed: BlockList): boolean {
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  return !blocked.check(address, family) || allowed.check(address, family);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void;

/**
 * A `lookup` for http(s).request that resolves once and refuses the connection before it is
 * made when any address is not allowed; the socket then connects to exactly the vetted address,
 * so a DNS answer cannot change between the check and the connect.
 */
export function guardedLookup(allowed: BlockList) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => {
      if (err) return callback(err, "");
      const bad = addresses.find((a) => !isAllowedAddress(a.address, allowed));
      if (bad) return callback(new BlockedAddressError(hostname, bad.address) as NodeJS.ErrnoException, "");
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "");
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}
