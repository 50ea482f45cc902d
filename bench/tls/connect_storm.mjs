// Load generator for bench/tls/run.sh: `clients` clients at once, each sending GET <path> on a
// new TLS connection with its client certificate, again and again for `seconds`. Prints one JSON
// line: requests answered per second (each is one handshake), latency percentiles of a request
// on a new connection (connect + handshake + answer), and errors by code.
//
//   node connect_storm.mjs <baseUrl> <ca> <cert> <key> <clients> <seconds> <full|resumed> [path]
//   full: every handshake is a full one (no session cache); resumed: each client resumes its
//   previous session, as Node's default agent does.
import fs from 'node:fs';
import https from 'node:https';

const [baseUrl, caFile, certFile, keyFile, clientsText, secondsText, mode, path = '/healthz'] =
  process.argv.slice(2);
const tls = { ca: fs.readFileSync(caFile), cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
const clients = Number(clientsText);
const deadline = performance.now() + Number(secondsText) * 1000;
const latencies = [];
const errors = {};
let resumed = 0;

function once(agent) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = https.get(new URL(path, baseUrl), { agent, headers: { Connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) {
          latencies.push(performance.now() - started);
          if (res.socket.isSessionReused()) resumed++;
        } else {
          errors[`status ${res.statusCode}`] = (errors[`status ${res.statusCode}`] || 0) + 1;
        }
        resolve();
      });
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => {
      const code = e.code || e.message;
      errors[code] = (errors[code] || 0) + 1;
      resolve();
    });
  });
}

async function client() {
  const agent = new https.Agent({ ...tls, keepAlive: false, maxCachedSessions: mode === 'full' ? 0 : 1 });
  while (performance.now() < deadline) await once(agent);
}

const started = performance.now();
await Promise.all(Array.from({ length: clients }, client));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null);
console.log(JSON.stringify({
  mode,
  clients,
  seconds: Number(elapsed.toFixed(2)),
  answered: latencies.length,
  perSecond: Number((latencies.length / elapsed).toFixed(1)),
  resumed,
  p50ms: pct(0.5) && Number(pct(0.5).toFixed(1)),
  p99ms: pct(0.99) && Number(pct(0.99).toFixed(1)),
  errors,
}));
