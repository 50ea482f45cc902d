// TLS clients this project did not write, against the TLS edge: Node's https module (with its
// default session cache, as Node applications use it) and Node's built-in fetch. Run by
// tls_edge_pgtest.cpp; prints one JSON line and exits 0 unless the script itself failed.
//
//   node tls_clients.mjs https-sequential <baseUrl> <ca> <cert> <key> <n>
//       n GET /metadata, each on a new connection of one https.Agent (keep-alive off): the
//       statuses (or error codes) and how many connections resumed a session
//   node tls_clients.mjs fetch-sequential <baseUrl> <ca> <cert> <key> <n>
//       n GET /metadata with fetch, the connection closed after each: the statuses
//   node tls_clients.mjs concurrent-put <baseUrl> <ca> <cert> <key> <n> <path>
//       reads <path>, then sends n PUTs of it at once, each with If-Match of the version read
//       and on a new connection: the statuses
//   node tls_clients.mjs chunked-put <baseUrl> <ca> <cert> <key> 1 <path>
//       one PUT of <path> whose body is sent in chunks (no Content-Length): status and body
//   node tls_clients.mjs fetch-post <baseUrl> <ca> <cert> <key> 1 <path> <file>
//       one POST to <path> with fetch, the body read from <file> as it is, with the headers a
//       BaRS sender gives (X-Request-Id, X-Correlation-Id: new UUIDs): status and body
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';

const [mode, baseUrl, caFile, certFile, keyFile, count, path, file] = process.argv.slice(2);
const tls = {
  ca: fs.readFileSync(caFile),
  cert: fs.readFileSync(certFile),
  key: fs.readFileSync(keyFile),
};
const n = Number(count);

function request(agent, method, target, { headers = {}, body } = {}) {
  return new Promise((resolve) => {
    // Content-Length, as most clients send it: the edge refuses chunked bodies (411).
    if (body !== undefined && !headers['Transfer-Encoding']) {
      headers = { ...headers, 'Content-Length': Buffer.byteLength(body) };
    }
    const req = https.request(new URL(target, baseUrl), { agent, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        headers: res.headers,
        body: Buffer.concat(chunks).toString(),
        reused: res.socket.isSessionReused(),
      }));
    });
    req.on('error', (e) => resolve({ status: `error:${e.code || e.message}`, reused: false }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// fetch runs on undici, which Node does not export; its global dispatcher's class takes the
// client certificate (connect options) and keeps a TLS session cache per origin.
async function fetchAgent() {
  try { await fetch('http://127.0.0.1:9/'); } catch { /* only makes the global dispatcher */ }
  const Agent = globalThis[Symbol.for('undici.globalDispatcher.1')].constructor;
  return new Agent({ connect: tls, keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
}

async function main() {
  if (mode === 'https-sequential') {
    const agent = new https.Agent({ ...tls, keepAlive: false });
    const statuses = [];
    let reused = 0;
    for (let i = 0; i < n; i++) {
      const r = await request(agent, 'GET', '/metadata', { headers: { Connection: 'close' } });
      statuses.push(r.status);
      if (r.reused) reused++;
    }
    return { statuses, reused };
  }
  if (mode === 'fetch-sequential') {
    const dispatcher = await fetchAgent();
    const statuses = [];
    for (let i = 0; i < n; i++) {
      try {
        const res = await fetch(new URL('/metadata', baseUrl), { dispatcher });
        await res.text();
        statuses.push(res.status);
      } catch (e) {
        statuses.push(`error:${e.cause?.code || e.message}`);
      }
      await new Promise((r) => setTimeout(r, 30));  // past keepAliveTimeout: a new connection
    }
    return { statuses };
  }
  if (mode === 'concurrent-put') {
    const agent = new https.Agent({ ...tls, keepAlive: false });
    const read = await request(agent, 'GET', path);
    if (read.status !== 200) return { error: `read ${path}: ${read.status}` };
    const resource = JSON.parse(read.body);
    const puts = [];
    for (let i = 0; i < n; i++) {
      const changed = { ...resource, active: i % 2 === 0, meta: undefined };
      puts.push(request(agent, 'PUT', path, {
        headers: { 'Content-Type': 'application/fhir+json', 'If-Match': read.headers.etag },
        body: JSON.stringify(changed),
      }));
    }
    return { statuses: (await Promise.all(puts)).map((r) => r.status) };
  }
  if (mode === 'chunked-put') {
    const agent = new https.Agent({ ...tls, keepAlive: false });
    const r = await request(agent, 'PUT', path, {
      headers: { 'Content-Type': 'application/fhir+json', 'Transfer-Encoding': 'chunked' },
      body: '{"resourceType":"Patient"}',
    });
    return { status: r.status, body: r.body };
  }
  if (mode === 'fetch-post') {
    const dispatcher = await fetchAgent();
    try {
      const res = await fetch(new URL(path, baseUrl), {
        dispatcher,
        method: 'POST',
        headers: {
          'Content-Type': 'application/fhir+json',
          Accept: 'application/fhir+json',
          'X-Request-Id': crypto.randomUUID(),
          'X-Correlation-Id': crypto.randomUUID(),
        },
        body: fs.readFileSync(file),
      });
      return { status: res.status, body: await res.text() };
    } catch (e) {
      return { status: `error:${e.cause?.code || e.message}` };
    }
  }
  throw new Error(`unknown mode ${mode}`);
}

console.log(JSON.stringify(await main()));
