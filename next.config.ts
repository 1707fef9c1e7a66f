import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The container image runs `.next/standalone` (with scripts/server.mjs, see Dockerfile): the server
  // and only the node_modules files it uses. `npm start` keeps serving the full build in place.
  output: "standalone",
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "pino", "postgres", "prom-client"],
  poweredByHeader: false,
  // The Content-Security-Policy needs a fresh nonce per response, so proxy.ts sets it; these are the same for every response.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          // For browsers without CSP frame-ancestors.
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
