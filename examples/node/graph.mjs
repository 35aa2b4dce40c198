// Microsoft's Graph client for JavaScript (@microsoft/microsoft-graph-client) against
// localgraph, with a client_credentials token from the server's token endpoint.
//
//   localgraph client add --json --tenant contoso.example \
//     --role DeviceManagementManagedDevices.ReadWrite.All
//   NODE_EXTRA_CA_CERTS=data/tls/ca.pem (under --tls) \
//   LOCALGRAPH_URL=https://127.0.0.1:8080 LOCALGRAPH_TENANT=contoso.example \
//   LOCALGRAPH_CLIENT_ID=… LOCALGRAPH_CLIENT_SECRET=… node graph.mjs
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  BatchRequestContent,
  BatchResponseContent,
  Client,
  PageIterator,
  ResponseType,
} from "@microsoft/microsoft-graph-client";

const env = (name) => process.env[name] ?? assert.fail(`${name} is not set`);
const base = env("LOCALGRAPH_URL").replace(/\/$/, "");
const tenant = env("LOCALGRAPH_TENANT");

async function accessToken() {
  const response = await fetch(`${base}/${tenant}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: env("LOCALGRAPH_CLIENT_ID"),
      client_secret: env("LOCALGRAPH_CLIENT_SECRET"),
      scope: "https://graph.microsoft.com/.default",
    }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.access_token;
}

const token = await accessToken();
const client = Client.initWithMiddleware({
  authProvider: { getAccessToken: async () => token },
  baseUrl: base,
  defaultVersion: "v1.0",
  // Without it the client sends the token to Microsoft's hosts only (then: 401).
  customHosts: new Set([new URL(base).hostname]),
});
const devices = "/deviceManagement/managedDevices";
const prefix = `example-${randomUUID().slice(0, 8)}`;

// create
const ids = [];
for (const i of [0, 1, 2]) {
  const created = await client.api(devices).post({
    managedDeviceName: `${prefix}-${i}`,
    complianceState: i ? "compliant" : "noncompliant",
  });
  ids.push(created.id);
}
console.log("created", ids);

// list with $filter and $top (2 a page), every page through the client's iterator
const first = await client
  .api(devices)
  .filter(`startswith(managedDeviceName,'${prefix}')`)
  .orderby("managedDeviceName")
  .top(2)
  .get();
assert.ok(first["@odata.nextLink"], "3 devices at 2 a page: a next link");
const names = [];
await new PageIterator(client, first, (d) => names.push(d.managedDeviceName) > 0).iterate();
assert.deepEqual(names, [0, 1, 2].map((i) => `${prefix}-${i}`));
console.log("listed", names);

// /$count with a filter (text/plain)
const count = await client
  .api(`${devices}/$count`)
  .filter(`startswith(managedDeviceName,'${prefix}') and complianceState eq 'compliant'`)
  .responseType(ResponseType.TEXT)
  .get();
assert.equal(Number(count), 2);
console.log("counted", count, "compliant");

// get, patch
const device = await client.api(`${devices}/${ids[0]}`).get();
assert.equal(device.complianceState, "noncompliant");
const patched = await client.api(`${devices}/${ids[0]}`).patch({ complianceState: "compliant" });
assert.equal(patched.complianceState, "compliant");
console.log("patched", patched.id);

// $batch: a GET of each device. Its URLs go without the version (the client strips the
// scheme and host, and the server reads them relative to /v1.0/$batch).
const batch = new BatchRequestContent(
  ids.map((id, i) => ({ id: String(i), request: new Request(`${base}${devices}/${id}`) })),
);
const answered = new BatchResponseContent(await client.api("/$batch").post(await batch.getContent()));
const statuses = [...answered.getResponses()].map(([id, response]) => [id, response.status]);
assert.deepEqual(statuses, [["0", 200], ["1", 200], ["2", 200]]);
assert.equal((await answered.getResponseById("0").json()).complianceState, "compliant");
console.log("batched", Object.fromEntries(statuses));

// delete
for (const id of ids) await client.api(`${devices}/${id}`).delete();
const left = await client
  .api(`${devices}/$count`)
  .filter(`startswith(managedDeviceName,'${prefix}')`)
  .responseType(ResponseType.TEXT)
  .get();
assert.equal(Number(left), 0);
console.log("deleted", ids.length);
