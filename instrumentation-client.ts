import { config } from "zod/v4/core";

// Runs before any schema is built in the browser. Zod otherwise probes `new Function` to compile
// faster parsers, and the CSP (proxy.ts, no 'unsafe-eval') reports each probe as a violation.
config({ jitless: true });
