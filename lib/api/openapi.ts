import "server-only";
import { z } from "zod";
import { RATE_LIMIT } from "@/lib/api-tokens/tokens";
import { endpoints, pathIdsOf, type Endpoint } from "./endpoints";
import { problemResponse } from "./responses";

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the endpoint table and its zod schemas
 * (zod's JSON Schema output, which is OpenAPI 3.1's dialect). Schemas with a meta `id` become
 * shared components.
 */

type JsonSchema = Record<string, unknown>;
const components: Record<string, JsonSchema> = {};

/** A zod schema as JSON Schema, its named parts moved to `components.schemas`. */
function schemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $defs, ...rest } = JSON.parse(
    JSON.stringify(z.toJSONSchema(schema, { io, unrepresentable: "any", reused: "inline" })).replaceAll('"#/$defs/', '"#/components/schemas/'),
  ) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  Object.assign(components, $defs);
  // The document's dialect is OpenAPI 3.1's default, JSON Schema 2020-12: no need to say it per schema.
  delete rest.$schema;
  return rest;
}

/** The body as the caller sends it: the action's input without what the path already says. */
function bodySchemaOf(endpoint: Endpoint): JsonSchema {
  const schema = schemaOf(endpoint.body!, "input");
  const fromPath = Object.keys(pathIdsOf(endpoint));
  const strip = (s: JsonSchema) => {
    const properties = s.properties as Record<string, unknown> | undefined;
    for (const key of fromPath) delete properties?.[key];
    if (Array.isArray(s.required)) s.required = s.required.filter((key) => !fromPath.includes(key));
  };
  strip(schema);
  for (const branch of (schema.oneOf ?? schema.anyOf ?? []) as JsonSchema[]) strip(branch);
  return schema;
}

const problemContent = (description: string) => ({ description, content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } });

function operationOf(endpoint: Endpoint) {
  const pathParameters = [...endpoint.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
    description: name === "team" ? "The team's slug; the token must be for this team" : undefined,
  }));
  const queryProperties = endpoint.query ? ((schemaOf(endpoint.query, "input").properties ?? {}) as Record<string, JsonSchema>) : {};
  const queryParameters = Object.entries(queryProperties).map(([name, schema]) => ({ name, in: "query", required: false, schema }));
  return {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    description: endpoint.description,
    tags: [endpoint.tag],
    parameters: [...pathParameters, ...queryParameters],
    ...(endpoint.body ? { requestBody: { required: true, content: { "application/json": { schema: bodySchemaOf(endpoint) } } } } : {}),
    responses: {
      [endpoint.status]: { description: "OK", content: { "application/json": { schema: schemaOf(endpoint.response, "output") } } },
      ...(endpoint.body ? { 400: problemContent("The body is not a JSON object") } : {}),
      401: problemContent("No token, or a wrong, expired or revoked one"),
      ...(endpoint.path.includes("{team}") ? { 403: problemContent("The token's role (or its creator's) may not do this"), 404: problemContent("No such team for this token, or no such object in the team") } : {}),
      ...(endpoint.method === "GET" ? {} : { 409: problemContent("Conflicts with the current state (a name taken, in use, a deploy running)") }),
      ...(endpoint.body || endpoint.query ? { 422: problemContent("Field errors in `errors`") } : {}),
      429: { ...problemContent(`Over ${RATE_LIMIT.requests} requests a minute for this token`), headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds until the token's window ends" } } },
      500: problemContent("Something failed on the server; nothing about it is shown"),
    },
  };
}

let document: JsonSchema | undefined;

export function openApiDocument(): JsonSchema {
  if (document) return document;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of Object.values(endpoints) as Endpoint[]) {
    (paths[endpoint.path] ??= {})[endpoint.method.toLowerCase()] = operationOf(endpoint);
  }
  schemaOf(problemResponse, "output");
  document = {
    openapi: "3.1.0",
    info: {
      title: "Dockyard API",
      version: "1",
      description: `Automate registries, environments and deploys. Authenticate with a personal access token (Account → API tokens): \`Authorization: Bearer dky_…\`. A token acts in one team with a role no higher than its creator's; each token may make ${RATE_LIMIT.requests} requests a minute. Errors are \`application/problem+json\`.`,
    },
    servers: [{ url: "/api/v1" }],
    security: [{ token: [] }],
    tags: [{ name: "Registries" }, { name: "Environments" }, { name: "Containers" }, { name: "Token" }],
    paths,
    components: { schemas: components, securitySchemes: { token: { type: "http", scheme: "bearer", description: "A personal access token, dky_…" } } },
  };
  return document;
}
