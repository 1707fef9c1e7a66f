/**
 * A connection that failed, in plain words for a headline ("the name does not resolve"), with the
 * technical code kept apart for a detail line (ENOTFOUND), so users read the cause and support
 * still sees the code. Shared by the registry check, the pull probe and the Kubernetes client.
 */

export type NetworkFailureKind = "timeout" | "tls" | "dns" | "refused" | "network";
export type NetworkFailure = { kind: NetworkFailureKind; words: string; code?: string };

const TLS_WORDS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its certificate is signed by an unknown authority",
  SELF_SIGNED_CERT_IN_CHAIN: "its certificate chain ends in an untrusted (self-signed) authority",
  DEPTH_ZERO_SELF_SIGNED_CERT: "it uses a self-signed certificate",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its certificate is signed by an unknown authority",
  CERT_HAS_EXPIRED: "its certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "its certificate is for another host name",
  EPROTO: "the TLS handshake failed (is it plain HTTP?)",
  ERR_SSL_WRONG_VERSION_NUMBER: "the TLS handshake failed (is it plain HTTP?)",
};

const NETWORK_WORDS: Record<string, [NetworkFailureKind, string]> = {
  ENOTFOUND: ["dns", "the name does not resolve"],
  EAI_AGAIN: ["dns", "the name could not be resolved right now (DNS did not answer)"],
  ECONNREFUSED: ["refused", "the connection was refused: nothing listens there"],
  ECONNRESET: ["network", "the connection was closed before it answered"],
  EHOSTUNREACH: ["network", "there is no route to the host"],
  ENETUNREACH: ["network", "its network is unreachable"],
  ETIMEDOUT: ["timeout", "the connection timed out"],
};

const codeOf = (err: unknown) => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code) ? code : undefined;
};

/** A TLS failure (unknown CA, expired or misnamed certificate, not TLS at all) rather than one of the network. */
export const isTlsFailure = (err: unknown) => Boolean(TLS_WORDS[codeOf(err) ?? ""]);

/** What a failed connection means; never echoes a credential (none is in these errors). */
export function networkFailure(err: unknown, timeoutMs: number): NetworkFailure {
  const e = err as { name?: string; type?: string };
  const code = codeOf(err);
  if (e?.name === "AbortError" || e?.name === "TimeoutError" || e?.type === "aborted" || code === "ABORT_ERR") {
    return { kind: "timeout", words: `it did not answer within ${timeoutMs / 1000} s` };
  }
  if (code && TLS_WORDS[code]) return { kind: "tls", words: TLS_WORDS[code], code };
  const known = code ? NETWORK_WORDS[code] : undefined;
  if (known) return { kind: known[0], words: known[1], code };
  return { kind: "network", words: "the connection failed", code };
}

/** The code for a detail line: "DNS lookup failed: ENOTFOUND". */
export function failureDetail(failure: NetworkFailure): string | undefined {
  if (!failure.code) return undefined;
  return `${failure.kind === "dns" ? "DNS lookup failed" : failure.kind === "tls" ? "TLS error" : "Network error"}: ${failure.code}`;
}

/** "Couldn't reach ghcr.io from this server — the name does not resolve", and the code apart. */
export function unreachableWords(host: string, failure: NetworkFailure): { message: string; detail?: string } {
  const message = failure.kind === "tls" ? `Couldn't connect securely to ${host} — ${failure.words}` : `Couldn't reach ${host} from this server — ${failure.words}`;
  return { message, detail: failureDetail(failure) };
}
