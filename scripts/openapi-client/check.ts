// Calls every operation of the Recsys HTTP API through a client generated from its OpenAPI document
// (openapi-typescript types + openapi-fetch), compiled with tsc --strict, against a running host; validates every
// response (status, content type, body) against the document with Ajv. Fails naming each mismatch and each operation
// the document has that was not called.
//   node out/check.js <base-url> <openapi.json> <admin-key>
import createClient from "openapi-fetch";
import type { paths, components } from "./recsys.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { readFileSync } from "node:fs";

type Schemas = components["schemas"];
const [baseUrl, documentPath, adminKey] = process.argv.slice(2);
if (!baseUrl || !documentPath || !adminKey) {
  throw new Error("usage: node out/check.js <base-url> <openapi.json> <admin-key>");
}

interface Operation { method: string; path: string; responses: Record<string, { content?: Record<string, unknown> }> }
const document = JSON.parse(readFileSync(documentPath, "utf8")) as { paths: Record<string, Record<string, Operation>> };
const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { int32: true, int64: true, double: true, float: true } });
(addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(document, "recsys");

const called = new Set<string>();
const problems: string[] = [];
let checked = 0;
const pointer = (...parts: string[]): string => parts.map(p => encodeURIComponent(p.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/");

// One response against its operation in the document: the status is documented, and the body matches the schema of
// its content type.
async function check(method: string, template: string, response: Response, body: unknown): Promise<void> {
  const key = `${method.toUpperCase()} ${template}`;
  called.add(key);
  checked++;
  const operation = document.paths[template]?.[method];
  if (!operation) {
    problems.push(`${key}: not in the document`);
    return;
  }

  const status = String(response.status);
  const documented = operation.responses[status];
  if (!documented) {
    problems.push(`${key}: status ${status} is not documented (documented: ${Object.keys(operation.responses).join(", ")})`);
    return;
  }

  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  if (!documented.content) {
    return;
  }

  if (!(type in documented.content)) {
    problems.push(`${key} ${status}: content type '${type}' is not documented (${Object.keys(documented.content).join(", ")})`);
    return;
  }

  const validate = ajv.getSchema(`recsys#/${pointer("paths", template, method, "responses", status, "content", type, "schema")}`);
  if (!validate) {
    problems.push(`${key} ${status}: no schema for ${type}`);
  } else if (!validate(body)) {
    problems.push(`${key} ${status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`);
  }
}

const client = createClient<paths>({ baseUrl });
const admin = { "X-Api-Key": adminKey };

// Reads
const stats = await client.GET("/stats");
await check("get", "/stats", stats.response, stats.data ?? stats.error);
const users: number = stats.data?.users ?? 0;
if (users < 2) {
  throw new Error(`the host serves no model with users (stats: ${JSON.stringify(stats.data)})`);
}

const forUser = await client.GET("/users/{user_id}/recommendations", { params: { path: { user_id: "1" }, query: { num_recommendations: 5, exclude_seen: true } } });
await check("get", "/users/{user_id}/recommendations", forUser.response, forUser.data ?? forUser.error);
const first: Schemas["RecommendationItem"] | undefined = forUser.data?.recommendations[0];
if (!first) {
  throw new Error(`user 1 got no recommendation: ${JSON.stringify(forUser.error)}`);
}

const itemId: string = first.item_id;
const badCount = await client.GET("/users/{user_id}/recommendations", { params: { path: { user_id: "1" }, query: { num_recommendations: 0 } } });
await check("get", "/users/{user_id}/recommendations", badCount.response, badCount.data ?? badCount.error);
const posted = await client.POST("/recommendations", { body: { user_id: "2", num_recommendations: 3, filters: { exclude_items: [itemId] } } });
await check("post", "/recommendations", posted.response, posted.data ?? posted.error);
const unknownUser = await client.POST("/recommendations", { body: { user_id: "no-such-user-anywhere", num_recommendations: 3 } });
await check("post", "/recommendations", unknownUser.response, unknownUser.data ?? unknownUser.error);
const fallback: string | null | undefined = unknownUser.data?.fallback;
const similar = await client.GET("/items/{item_id}/similar", { params: { path: { item_id: itemId }, query: { num_recommendations: 4 } } });
await check("get", "/items/{item_id}/similar", similar.response, similar.data ?? similar.error);
const noItem = await client.GET("/items/{item_id}/similar", { params: { path: { item_id: "no-such-item" } } });
await check("get", "/items/{item_id}/similar", noItem.response, noItem.data ?? noItem.error);

// Writes: one interaction, several, and one out of the rating scale (400 naming it).
const one = await client.POST("/interactions", { body: { user_id: "client-user", item_id: itemId, rating: 4.5, timestamp: 1_700_000_000 } });
await check("post", "/interactions", one.response, one.data ?? one.error);
const many = await client.POST("/interactions", { body: [{ user_id: "client-user", item_id: "1" }, { user_id: "client-user", item_id: "2", interaction_type: "click" }] });
await check("post", "/interactions", many.response, many.data ?? many.error);
const accepted: number = (one.data?.accepted ?? 0) + (many.data?.accepted ?? 0);
const outOfScale = await client.POST("/interactions", { body: { user_id: "client-user", item_id: itemId, rating: 1e10 } });
await check("post", "/interactions", outOfScale.response, outOfScale.data ?? outOfScale.error);
const history = await client.GET("/users/{user_id}/interactions", { params: { path: { user_id: "client-user" } } });
await check("get", "/users/{user_id}/interactions", history.response, history.data ?? history.error);
const stored: Schemas["StoredInteraction"][] = history.data?.interactions ?? [];

// Admin: refused without and with a wrong key; a retraining run started, followed to its end, listed; models reloaded.
const anonymous = await client.POST("/models/retrain", {});
await check("post", "/models/retrain", anonymous.response, anonymous.data ?? anonymous.error);
const wrongKey = await client.GET("/runs", { headers: { "X-Api-Key": "not-the-key" } });
await check("get", "/runs", wrongKey.response, wrongKey.data ?? wrongKey.error);
const retrain = await client.POST("/models/retrain", { headers: admin });
await check("post", "/models/retrain", retrain.response, retrain.data ?? retrain.error);
const runId: string | undefined = retrain.data?.run_id;
if (!runId || !retrain.response.headers.get("location")) {
  throw new Error(`POST /models/retrain did not start a run with a Location: ${retrain.response.status} ${JSON.stringify(retrain.error)}`);
}

let state: Schemas["RunState"] = "Running";
for (let attempt = 0; attempt < 600 && state === "Running"; attempt++) {
  await new Promise(resolve => setTimeout(resolve, 500));
  const run = await client.GET("/runs/{run_id}", { params: { path: { run_id: runId } }, headers: admin });
  await check("get", "/runs/{run_id}", run.response, run.data ?? run.error);
  state = run.data?.state ?? "Failed";
}

const runs = await client.GET("/runs", { params: { query: { take: 5 } }, headers: admin });
await check("get", "/runs", runs.response, runs.data ?? runs.error);
const missingRun = await client.GET("/runs/{run_id}", { params: { path: { run_id: "no-such-run" } }, headers: admin });
await check("get", "/runs/{run_id}", missingRun.response, missingRun.data ?? missingRun.error);
const reload = await client.POST("/admin/reload-models", { params: { query: { force: true } }, headers: admin });
await check("post", "/admin/reload-models", reload.response, reload.data ?? reload.error);
const reloaded: boolean = reload.data?.success ?? false;

const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.keys(item).filter(m => ["get", "post", "put", "delete", "patch"].includes(m)).map(m => `${m.toUpperCase()} ${path}`));
for (const operation of operations.filter(o => !called.has(o))) {
  problems.push(`${operation}: not called by this client`);
}

console.log(`openapi-client: ${operations.length} operations, ${checked} responses checked; run ${runId} ended ${state}; ` +
  `${accepted} interactions accepted, ${stored.length} stored for client-user; unknown user's fallback ${fallback ?? "none"}; reload success ${reloaded}`);
if (state !== "Succeeded") {
  problems.push(`run ${runId} ended ${state}`);
}

if (problems.length > 0) {
  console.error(problems.map(p => `openapi-client: ${p}`).join("\n"));
  process.exit(1);
}
