// Load generator and publisher, in one Node process (one clock: performance.now()).
//
// 1. Checks what socket.io-client's websocket offers in its handshake (a capture server on loopback):
//    like browsers, `ws` offers permessage-deflate.
// 2. Reads the server's RSS with 0 clients, connects N websocket-only clients (bounded concurrency),
//    each emits `join` {thread_id} and waits for the ack; reads RSS again with N idle clients.
// 3. Publishes ~1 KB posts over HTTP, open loop, at 10 posts/s for --duration seconds, then at rising
//    rates for --ramp-duration seconds each until saturation (deliveries/s stop rising, latency
//    explodes, deliveries are lost or the step cannot drain), within --max-steps and --budget.
//    Each post's body starts with "B<post id>T<send time in ms>", so every client computes
//    send → receipt latency and counts its deliveries.
// Prints one JSON object (the results) on stdout; progress goes to stderr.
//
//   node load.js --url http://127.0.0.1:5102 --server-pid 1234 --mode ref --clients 1000
//   node load.js --url http://127.0.0.1:5100 --server-pid 1234 --mode forum --clients 1000 \
//       --email anna@example.pl --password mieszkanka-demo
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const { performance } = require("node:perf_hooks");
const { io } = require("socket.io-client");

// ---------------------------------------------------------------- options
const DEFAULTS = {
  url: "http://127.0.0.1:5102",
  mode: "ref", // "ref": POST /publish with a forum-shaped event; "forum": log in, POST /api/v1/threads/<id>/posts
  serverPid: 0,
  clients: 100,
  thread: 1,
  email: "anna@example.pl",
  password: "mieszkanka-demo",
  duration: 10, // seconds of the first step (10 posts/s)
  rampDuration: 5, // seconds of each later step
  rates: "10,20,50,100,200,500,1000,2000",
  bodyBytes: 1000, // length of the post's text
  maxLatencyMs: 2000, // a step whose per-delivery p99 exceeds this is saturated
  drainMs: 15000, // longest wait, after a step's last post, for its deliveries
  quietMs: 3000, // ... or this long without any delivery
  maxSteps: 8,
  budget: 120, // seconds for all steps of one run
  connectConcurrency: 50,
  connectTimeout: 120, // seconds to connect and join all clients
  // Concurrent publish requests. Kept low: eventlet.wsgi serves at most 1024 connections by
  // default, and at N=1000 every keep-alive publisher connection counts against that.
  maxInflight: 16,
  settleMs: 2000, // quiet time before each RSS reading
  out: "",
  trace: "", // a file for one line per post: id, step rate, send time, publish ms, first/last latency
};

function parseArgs(argv) {
  const opts = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new Error(`unexpected argument ${arg}`);
    const key = arg.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in DEFAULTS)) throw new Error(`unknown option ${arg}`);
    const value = argv[++i];
    if (value === undefined) throw new Error(`${arg} needs a value`);
    opts[key] = typeof DEFAULTS[key] === "number" ? Number(value) : value;
    if (typeof DEFAULTS[key] === "number" && !Number.isFinite(opts[key])) {
      throw new Error(`${arg} needs a number`);
    }
  }
  opts.rates = String(opts.rates)
    .split(",")
    .map(Number)
    .filter((r) => r > 0);
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const log = (...args) => console.error(`[load ${opts.mode} N=${opts.clients}]`, ...args);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();

// ---------------------------------------------------------------- server process readings
function readRssKiB(pid) {
  if (!pid) return null;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

const CLK_TCK = 100; // USER_HZ on Linux
function readCpuSeconds(pid) {
  if (!pid) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  } catch {
    return null;
  }
}

function ownCpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function settledRss(pid) {
  await sleep(opts.settleMs);
  const samples = [];
  for (let i = 0; i < 5; i++) {
    samples.push(readRssKiB(pid));
    await sleep(100);
  }
  return samples.filter((v) => v !== null).sort((a, b) => a - b)[2] ?? null;
}

// ---------------------------------------------------------------- HTTP (publisher)
const target = new URL(opts.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxInflight });
const cookies = new Map();

function request(method, path, body) {
  return new Promise((resolve) => {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const headers = { Accept: "application/json" };
    if (payload) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = payload.length;
    }
    if (cookies.size) {
      headers.Cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    const req = http.request(
      { host: target.hostname, port: target.port, path, method, headers, agent, timeout: 30000 },
      (res) => {
        for (const line of res.headers["set-cookie"] || []) {
          const [pair] = line.split(";");
          const eq = pair.indexOf("=");
          if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (err) => resolve({ status: 0, body: String(err) }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve({ status: 0, body: String(err) }));
    if (payload) req.write(payload);
    req.end();
  });
}

// The post's text: an id and the send time first, then filler to bodyBytes characters.
const FILLER =
  "Proponuję, żeby w ramach budżetu obywatelskiego odnowić skwer przy ulicy Kalwaryjskiej: " +
  "nowe ławki, więcej drzew, stojaki na rowery i poidełko. Koszt szacuję na około 300 tys. zł. ";
function bodyText(postId, sentAt) {
  const head = `B${postId}T${sentAt.toFixed(3)} `;
  let text = head;
  while (text.length < opts.bodyBytes) text += FILLER;
  return text.slice(0, Math.max(opts.bodyBytes, head.length));
}

// The references broadcast what they are given: give them an event shaped like the forum's.
function forumShapedEvent(postId, text) {
  const created = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  return {
    seq: postId + 1,
    room_id: 1,
    thread_id: opts.thread,
    thread_prev_seq: postId,
    post: {
      id: postId + 100,
      thread_id: opts.thread,
      parent_id: 1,
      depth: 1,
      author: { id: 2, display_name: "Anna Kowalczyk", badges: [] },
      body_source: text,
      body_html: `<p>${text}</p>`,
      created_at: created,
      edited_at: null,
      deleted: false,
    },
  };
}

async function login() {
  const res = await request("POST", "/api/v1/session", {
    email: opts.email,
    password: opts.password,
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.body.slice(0, 200)}`);
  log(`logged in as ${opts.email}`);
}

function publishPath() {
  return opts.mode === "forum" ? `/api/v1/threads/${opts.thread}/posts` : "/publish";
}

// ---------------------------------------------------------------- per-post bookkeeping
const MAX_POSTS = 200000;
const postSent = new Float64Array(MAX_POSTS); // send time (ms)
const postGot = new Uint32Array(MAX_POSTS); // deliveries received
const postLast = new Float64Array(MAX_POSTS); // latency of the latest delivery so far
const postStep = new Int16Array(MAX_POSTS).fill(-1);
const postOk = new Uint8Array(MAX_POSTS); // 1 once the publish request succeeded
const postFirst = new Float64Array(MAX_POSTS).fill(Infinity); // latency of the first delivery
const postPublishMs = new Float64Array(MAX_POSTS); // publish request's response time
let nextPostId = 0;

let currentStep = null; // the step whose deliveries are being recorded
const steps = [];
let lastDeliveryAt = 0;
let eventBytes = null; // size of one received event's JSON (to compare servers' payloads)
let eventSample = null; // that event, its texts cut short
let unparsed = 0;
let lateDeliveries = 0; // deliveries of a post of an earlier step (after its drain)

function onPostCreated(data) {
  const t = now();
  lastDeliveryAt = t;
  const text = data && data.post && data.post.body_source;
  if (typeof text !== "string" || text.charCodeAt(0) !== 66 /* B */) {
    unparsed++;
    return;
  }
  const tIdx = text.indexOf("T");
  const space = text.indexOf(" ");
  const postId = Number(text.slice(1, tIdx));
  const sentAt = Number(text.slice(tIdx + 1, space));
  if (!(postId >= 0 && postId < MAX_POSTS) || !Number.isFinite(sentAt)) {
    unparsed++;
    return;
  }
  if (eventBytes === null) {
    eventBytes = Buffer.byteLength(JSON.stringify(data));
    const post = { ...data.post, body_source: `${text.slice(0, 24)}…`, body_html: `${String(data.post.body_html).slice(0, 24)}…` };
    eventSample = JSON.stringify({ ...data, post });
  }
  const latency = t - sentAt;
  postGot[postId]++;
  if (latency > postLast[postId]) postLast[postId] = latency;
  if (latency < postFirst[postId]) postFirst[postId] = latency;
  const step = steps[postStep[postId]];
  if (step && step === currentStep) {
    step.latencies.push(latency);
    step.received++;
    if (t > step.lastReceipt) step.lastReceipt = t;
  } else {
    lateDeliveries++;
  }
}

// ---------------------------------------------------------------- clients
const clients = [];
let disconnects = 0;
let negotiatedExtensions = null;

function connectOne(index) {
  return new Promise((resolve) => {
    const socket = io(opts.url, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: 30000,
    });
    let settled = false;
    const done = (ok, why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok, why, socket });
    };
    const timer = setTimeout(() => done(false, "connect+join timeout"), 45000);
    socket.on("post_created", onPostCreated);
    socket.on("connect_error", (err) => done(false, `connect_error: ${err.message}`));
    socket.on("disconnect", (reason) => {
      if (settled) disconnects++;
      done(false, `disconnect: ${reason}`);
    });
    socket.on("connect", async () => {
      if (index === 0) {
        const ws = socket.io.engine && socket.io.engine.transport && socket.io.engine.transport.ws;
        negotiatedExtensions = ws ? ws.extensions || "(none)" : "(unknown)";
      }
      try {
        const ack = await socket.timeout(30000).emitWithAck("join", { thread_id: opts.thread });
        if (ack && ack.error) done(false, `join refused: ${JSON.stringify(ack.error)}`);
        else done(true);
      } catch (err) {
        done(false, `join: ${err.message}`);
      }
    });
  });
}

async function connectAll(n) {
  const started = now();
  const deadline = started + opts.connectTimeout * 1000;
  let next = 0;
  const failures = [];
  async function worker() {
    while (next < n && now() < deadline) {
      const index = next++;
      const result = await connectOne(index);
      if (result.ok) clients.push(result.socket);
      else {
        failures.push(result.why);
        result.socket.close();
      }
    }
  }
  // The first client alone: its handshake tells which extensions the server accepted.
  if (n > 0) {
    next = 1;
    const first = await connectOne(0);
    if (first.ok) clients.push(first.socket);
    else {
      failures.push(first.why);
      first.socket.close();
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.connectConcurrency, n) }, worker));
  return { seconds: (now() - started) / 1000, failures };
}

// What socket.io-client's websocket sends in its handshake: a loopback server records the request.
function captureOffer() {
  return new Promise((resolve) => {
    let result = null;
    const server = net.createServer((sock) => {
      let head = "";
      sock.on("data", (chunk) => {
        head += chunk.toString("latin1");
        if (head.includes("\r\n\r\n")) {
          const match = head.match(/^sec-websocket-extensions:\s*(.*)$/im);
          result = match ? match[1].trim() : "(none)";
          sock.destroy();
        }
      });
      sock.on("error", () => {});
    });
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      const socket = io(`http://127.0.0.1:${port}`, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        timeout: 3000,
      });
      const finish = () => {
        socket.close();
        server.close();
        resolve(result ?? "(no handshake seen)");
      };
      socket.on("connect_error", finish);
      setTimeout(finish, 3000);
    });
  });
}

// ---------------------------------------------------------------- steps
function quantile(sorted, q) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

async function runStep(index, rate, seconds) {
  const n = clients.length;
  const step = {
    index,
    rate,
    seconds,
    latencies: [],
    received: 0,
    firstSend: 0,
    lastReceipt: 0,
    posts: [],
    failed: 0,
    failures: {},
    publishMs: [],
  };
  steps.push(step);
  currentStep = step;
  const cpu0 = readCpuSeconds(opts.serverPid);
  const own0 = ownCpuSeconds();
  const t0 = now();
  step.firstSend = t0;
  const total = Math.round(rate * seconds);
  let sent = 0;
  let inflight = 0;
  let skipped = 0; // due but not sent: the publisher was at its in-flight limit until the end
  const pending = new Set();

  function publishOne() {
    const postId = nextPostId++;
    const sentAt = now();
    postSent[postId] = sentAt;
    postStep[postId] = index;
    step.posts.push(postId);
    const text = bodyText(postId, sentAt);
    const body = opts.mode === "forum" ? { body: text } : forumShapedEvent(postId, text);
    inflight++;
    const p = request("POST", publishPath(), body).then((res) => {
      inflight--;
      postPublishMs[postId] = now() - sentAt;
      step.publishMs.push(postPublishMs[postId]);
      if (res.status >= 200 && res.status < 300) postOk[postId] = 1;
      else {
        step.failed++;
        const key = `${res.status} ${res.body.slice(0, 120)}`;
        step.failures[key] = (step.failures[key] || 0) + 1;
      }
      pending.delete(p);
    });
    pending.add(p);
  }

  // Open loop: post i is due at t0 + i / rate; a late publisher catches up, within maxInflight.
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((now() - t0) / 1000) * rate) + 1);
      while (sent < due && inflight < opts.maxInflight) {
        publishOne();
        sent++;
      }
      if (sent >= total || now() - t0 >= seconds * 1000 + 1000) {
        skipped = total - sent;
        resolve();
      } else setTimeout(tick, 2);
    };
    tick();
  });
  const sendEnd = now();
  await Promise.race([Promise.all([...pending]), sleep(35000)]);

  // Drain: until every expected delivery arrived, or quietMs without one, or drainMs in all.
  const okPosts = () => step.posts.filter((id) => postOk[id]).length;
  const drainStart = now();
  let drainedFully = false;
  while (true) {
    const expected = okPosts() * n;
    if (step.received >= expected) {
      drainedFully = true;
      break;
    }
    const quietFor = now() - Math.max(lastDeliveryAt, sendEnd);
    if (now() - drainStart > opts.drainMs || quietFor > opts.quietMs) break;
    await sleep(20);
  }
  currentStep = null;
  const cpu1 = readCpuSeconds(opts.serverPid);
  const own1 = ownCpuSeconds();
  const wall = (now() - t0) / 1000;

  const ok = okPosts();
  const expected = ok * n;
  const latencies = Float64Array.from(step.latencies).sort();
  const lastRecipient = Float64Array.from(step.posts.filter((id) => postOk[id]), (id) =>
    postGot[id] >= n ? postLast[id] : Infinity,
  ).sort();
  const publishMs = Float64Array.from(step.publishMs).sort();
  const activeSeconds = step.lastReceipt > t0 ? (step.lastReceipt - t0) / 1000 : wall;
  const result = {
    rate,
    seconds,
    posts_sent: sent,
    posts_ok: ok,
    posts_failed: step.failed,
    posts_skipped: skipped,
    failures: step.failures,
    posts_per_s: ok / ((sendEnd - t0) / 1000),
    expected,
    received: step.received,
    lost: expected - step.received,
    drained: drainedFully,
    deliveries_per_s: step.received / activeSeconds,
    target_deliveries_per_s: rate * n,
    p50_ms: quantile(latencies, 0.5),
    p99_ms: quantile(latencies, 0.99),
    max_ms: latencies.length ? latencies[latencies.length - 1] : null,
    last_recipient_p50_ms: quantile(lastRecipient, 0.5),
    last_recipient_p99_ms: quantile(lastRecipient, 0.99),
    publish_p50_ms: quantile(publishMs, 0.5),
    publish_p99_ms: quantile(publishMs, 0.99),
    server_cpu_pct: cpu0 !== null && cpu1 !== null ? (100 * (cpu1 - cpu0)) / wall : null,
    loadgen_cpu_pct: (100 * (own1 - own0)) / wall,
  };
  step.latencies = []; // free memory
  return result;
}

function fmt(v, digits = 0) {
  if (v === null || v === undefined) return "-";
  if (v === Infinity) return "inf";
  return v.toFixed(digits);
}

async function main() {
  const runStarted = now();
  const result = {
    mode: opts.mode,
    url: opts.url,
    clients_requested: opts.clients,
    offer: await captureOffer(),
  };
  log(`client offers Sec-WebSocket-Extensions: ${result.offer}`);
  result.rss0_kib = await settledRss(opts.serverPid);
  if (opts.mode === "forum") await login();

  const conn = await connectAll(opts.clients);
  result.clients = clients.length;
  result.connect_seconds = conn.seconds;
  result.connect_failures = conn.failures.length;
  result.connect_failure_examples = [...new Set(conn.failures)].slice(0, 5);
  result.negotiated_extensions = negotiatedExtensions;
  log(
    `connected and joined ${clients.length}/${opts.clients} in ${conn.seconds.toFixed(1)} s; ` +
      `negotiated extensions: ${negotiatedExtensions}` +
      (conn.failures.length ? `; failures: ${result.connect_failure_examples.join(" | ")}` : ""),
  );
  result.rssN_kib = await settledRss(opts.serverPid);
  result.rss_per_conn_kib =
    result.rss0_kib !== null && result.rssN_kib !== null && clients.length
      ? (result.rssN_kib - result.rss0_kib) / clients.length
      : null;
  log(`RSS ${result.rss0_kib} KiB idle → ${result.rssN_kib} KiB with ${clients.length} clients`);

  result.steps = [];
  result.stop_reason = clients.length ? "all rates run" : "no client connected";
  let best = 0;
  for (let i = 0; i < opts.rates.length && i < opts.maxSteps && clients.length; i++) {
    const seconds = i === 0 ? opts.duration : opts.rampDuration;
    if (i > 0 && (now() - runStarted) / 1000 + seconds + opts.drainMs / 1000 > opts.budget) {
      result.stop_reason = "time budget";
      break;
    }
    const step = await runStep(i, opts.rates[i], seconds);
    result.steps.push(step);
    log(
      `${fmt(step.rate)} posts/s: ${fmt(step.posts_per_s, 1)} achieved, ` +
        `${fmt(step.deliveries_per_s)} deliveries/s, p50 ${fmt(step.p50_ms, 1)} ms, ` +
        `p99 ${fmt(step.p99_ms, 1)} ms, last p99 ${fmt(step.last_recipient_p99_ms, 1)} ms, ` +
        `lost ${step.lost}/${step.expected}, failed posts ${step.posts_failed}, ` +
        `server CPU ${fmt(step.server_cpu_pct)}%, load CPU ${fmt(step.loadgen_cpu_pct)}%`,
    );
    if (disconnects) {
      result.stop_reason = `${disconnects} clients disconnected`;
      break;
    }
    if (!step.drained) {
      result.stop_reason = `saturated at ${step.rate} posts/s: deliveries did not drain`;
      break;
    }
    if (step.p99_ms !== null && step.p99_ms > opts.maxLatencyMs) {
      result.stop_reason = `saturated at ${step.rate} posts/s: p99 over ${opts.maxLatencyMs} ms`;
      break;
    }
    if (i > 0 && step.deliveries_per_s < best * 1.1) {
      result.stop_reason = `saturated at ${step.rate} posts/s: deliveries/s stopped rising`;
      break;
    }
    if (step.deliveries_per_s < 0.7 * step.target_deliveries_per_s) {
      result.stop_reason = `saturated at ${step.rate} posts/s: below 70% of the offered load`;
      break;
    }
    best = Math.max(best, step.deliveries_per_s);
  }
  result.max_deliveries_per_s = Math.max(0, ...result.steps.map((s) => s.deliveries_per_s));
  result.disconnects = disconnects;
  result.late_deliveries = lateDeliveries;
  result.unparsed_events = unparsed;
  result.event_bytes = eventBytes;
  result.event_sample = eventSample;
  result.seconds = (now() - runStarted) / 1000;
  log(`done: ${result.stop_reason}; ${result.seconds.toFixed(0)} s`);

  if (opts.trace) {
    const lines = ["post rate sent_ms publish_ms first_ms last_ms deliveries"];
    for (let id = 0; id < nextPostId; id++) {
      const rate = steps[postStep[id]] ? steps[postStep[id]].rate : 0;
      lines.push(
        [id, rate, (performance.timeOrigin + postSent[id]).toFixed(1), postPublishMs[id].toFixed(1),
          postFirst[id].toFixed(1), postLast[id].toFixed(1), postGot[id]].join(" "),
      );
    }
    fs.writeFileSync(opts.trace, lines.join("\n") + "\n");
  }
  for (const socket of clients) socket.close();
  agent.destroy();
  const json = JSON.stringify(result);
  if (opts.out) fs.writeFileSync(opts.out, json + "\n");
  process.stdout.write(json + "\n");
}

main()
  .then(() => setTimeout(() => process.exit(0), 200))
  .catch((err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
  });
