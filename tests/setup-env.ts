import { inject } from "vitest";

// Every test file talks to the run's own database with fixed, test-only secrets.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATA_DIR = inject("dataDir");
process.env.AUTH_SECRET = "test-auth-secret-that-is-long-enough-0123456789";
process.env.CREDENTIALS_KEY = Buffer.alloc(32, 7).toString("base64");
process.env.LOG_LEVEL = "silent";
process.env.ALLOW_LOCAL_ORCHESTRATORS = "true";
// Deploys wait for their rollout; a test that expects one never to finish should not wait 2 minutes.
process.env.DEPLOY_ROLLOUT_TIMEOUT_SECONDS = "20";
