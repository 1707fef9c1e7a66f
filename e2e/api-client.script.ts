// A Node script using the typed API client exactly as the README writes it, run by api.spec.ts
// against the test server: DOCKYARD_URL, DOCKYARD_TOKEN. It prints each result as one JSON line.
import { createClient } from "../lib/api/client";
import { exampleInput } from "../lib/registries/examples";

const { registry, environment } = createClient({ baseUrl: process.env.DOCKYARD_URL!, token: process.env.DOCKYARD_TOKEN! });

const created = await registry.create(exampleInput("Custom", "from a script"));
console.log(JSON.stringify({ step: "create", result: created }));
if (!created.ok) process.exit(1);
const { registryId } = created.data;
console.log(JSON.stringify({ step: "list", result: await registry.list({ search: "from a script" }) }));
console.log(JSON.stringify({ step: "environments", result: await environment.list() }));
console.log(JSON.stringify({ step: "delete", result: await registry.delete({ registryId }) }));
console.log(JSON.stringify({ step: "get after delete", result: await registry.get({ registryId }) }));
