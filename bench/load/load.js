// Load generator and publisher, in one Node process (one clock: performance.now()).
//
// 1. Checks what a client sends, against a loopback server that records every request: the
//    websocket's Sec-WebSocket-Extensions offer (like browsers, `ws` offers
//    `permessage-deflate; client_max_window_bits`) and, in browser mode, the Origin and Cookie
//    headers of the polling requests and of the websocket upgrade. In browser mode a mismatch
//    stops the run.
// 2. Reads the server's RSS with 0 clients and again after the page GETs, connects N clients
//    (bounded concurrency), each emits `join` {thread_id} and waits for the ack. Clients join in
//    two halves: RSS is read with the first N/2 joined and idle, and again with all N idle.
//    Memory per connection: the slope (RSS at N − at N/2) ÷ (N/2), and, as before, (RSS at N −
//    after the page GETs) ÷ N. The join time is the sum of the two halves' (the pause excluded).
//    --transport browser (default): each client first GETs the page (the thread page for the forum,
//    `/` for the references) and keeps its Set-Cookie in its own cookie jar; then socket.io-client
//    with the pages' own options (static/js/socket.js): websocket first, long-polling as fallback
//    (`transports: ["websocket", "polling"], tryAllTransports: true`), an Origin header equal to
//    the server's own origin on every request, the jar's cookies on every request,
//    permessage-deflate offered on the websocket. A client counts as ready once it has joined; a
//    client that fell back to polling is counted and reported.
//    --transport upgrade: the same, with socket.io-client's default transports instead (HTTP
//    long-polling, then the upgrade to websocket), as `io()` does; ready once its upgrade is over.
//    --transport websocket: websocket-only clients (`transports: ["websocket"]`), no Origin, no
//    cookies, as before.
// 3. Publishes ~1 KB posts over HTTP, open loop, at 10 posts/s for --duration seconds, then at rising
//    rates for --ramp-duration seconds each until saturation (deliveries/s stop rising, latency
//    explodes, deliveries are lost or the step cannot drain), within --max-steps and --budget.
//    Each post's body starts with "B<post id>T<send time in ms>", so every client computes
//    send → receipt latency and counts its deliveries (from post.body_source, never from seq).
// Prints one JSON object (the results) on stdout; progress goes to stderr.
//
//   node load.js --url http://127.0.0.1:5102 --server-pid 1234 --mode ref --clients 1000
//   node load.js --url http://127.0.0.1:5100 --server-pid 1234 --mode forum --clients 1000 \
//       --email anna@example.pl --password mieszkanka-demo --transport browser
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { performance } = require("node:perf_hooks");
const { io } = require("socket.io-client");

// ---------------------------------------------------------------- options
const DEFAULTS = {
  url: "http://127.0.0.1:5102",
  mode: "ref", // "ref": POST /publish with a forum-shaped event; "forum": log in, POST /api/v1/threads/<id>/posts
  serverPid: 0,
  // Several server processes (bench/scale.py: two workers): their CPU is summed in server_cpu_*;
  // --server-pid stays the one whose memory and run queue are read.
  serverPids: "",
  // Other processes whose CPU each step reports apart (other_cpu_s), each with its children
  // (PostgreSQL's backends, nginx's workers): "redis=123,nginx=456,postgres=789".
  otherPids: "",
  clients: 100,
  // "browser": the pages' transports (websocket first, polling as fallback), Origin, a cookie jar
  // filled by a page GET, permessage-deflate offered; "upgrade": the same with the default
  // transports (polling, then the upgrade); "websocket": websocket-only, no Origin, no cookies.
  transport: "browser",
  pagePath: "", // the page a browser client GETs first; default: /threads/<thread> (forum), / (ref)
  upgradeTimeout: 10, // seconds a joined browser client may take to finish its upgrade
  thread: 1,
  // Several rooms: client i joins (and, in browser mode, GETs the page of) thread i mod k of this
  // comma-separated list, and post j goes to thread j mod k. Default: --thread alone.
  threads: "",
  // "broadcast": the steps below; "writes": the write path (closed-loop authors, then the same
  // authors at --write-rate without and with --clients listeners; see mainWrites).
  scenario: "broadcast",
  // Readers: this many closed loops of page GETs (alternating /threads/<reader-thread> and
  // /threads/<reader-thread>?page=<reader-page>) during the steps from --readers-from-step on.
  readers: 0,
  readerThread: 0,
  readerPage: 0, // 0: the middle page, read from GET /api/v1/threads/<id>?page=1 (else 10)
  readersFromStep: 1,
  readerWarmupMs: 2000, // readers loop this long before the step starts
  // Write path: authors (comma-separated e-mails, one password), each logged in on its own
  // connection; the three threads (closed loop, without listeners, with listeners).
  authors: "",
  authorPassword: "",
  writeThreads: "",
  writeSeconds: 10, // seconds of each write phase
  writeRate: 10, // posts/s (all authors together) of the open-loop phases
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
  settleMs: 2000, // quiet time before each RSS reading (the slope's: slopeSettleMs)
  // Quiet time before the slope's two readings (N/2 and N joined). Longer lets V8 give memory
  // back (its memory reducer, after ~8-10 s without allocation), but not reliably: see
  // bench/README.md, "Memory per connection". The forum reads the same after 2 s and 12 s.
  slopeSettleMs: 2000,
  // 1: join in two halves and read RSS after each (the slope); 0: join all in one go (no slope)
  rssHalves: 1,
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
  if (!["browser", "upgrade", "websocket"].includes(opts.transport)) {
    throw new Error(`--transport must be browser, upgrade or websocket, not ${opts.transport}`);
  }
  opts.threadList = opts.threads
    ? String(opts.threads).split(",").map(Number).filter((t) => t > 0)
    : [opts.thread];
  opts.thread = opts.threadList[0];
  opts.pagePathGiven = Boolean(opts.pagePath);
  opts.browserLike = opts.transport !== "websocket"; // a page GET, Origin, cookies
  if (!opts.pagePath) opts.pagePath = opts.mode === "forum" ? `/threads/${opts.thread}` : "/";
  if (!["broadcast", "writes"].includes(opts.scenario)) {
    throw new Error(`--scenario must be broadcast or writes, not ${opts.scenario}`);
  }
  opts.rates = String(opts.rates)
    .split(",")
    .map(Number)
    .filter((r) => r > 0);
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const log = (...args) =>
  console.error(`[load ${opts.mode} ${opts.transport} N=${opts.clients}]`, ...args);
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
function readStatFields(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

// The server's CPU: --server-pids summed when given, else --server-pid's.
function readServerCpuSeconds() {
  if (!opts.serverPids) return readCpuSeconds(opts.serverPid);
  let total = 0;
  for (const pid of String(opts.serverPids).split(",").map(Number)) {
    const seconds = readCpuSeconds(pid);
    if (seconds === null) return null;
    total += seconds;
  }
  return total;
}

// A process and its children: the live children's CPU read from /proc, and the ended ones' as
// the kernel adds it to the parent's cutime and cstime when the parent waits for them
// (PostgreSQL's backends come and go with the worker's pool overflow; without the ended ones'
// share the difference of two readings could come out below zero).
function readTreeCpuSeconds(pid) {
  let total = readCpuSeconds(pid);
  if (total === null) return null;
  try {
    const own = readStatFields(pid);
    total += (Number(own[13]) + Number(own[14])) / CLK_TCK;
  } catch {
    return null;
  }
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readStatFields(entry);
      if (Number(fields[1]) === pid) total += (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

function readOtherCpu() {
  const out = {};
  for (const item of String(opts.otherPids).split(",").filter(Boolean)) {
    const [name, pid] = item.split("=");
    out[name] = readTreeCpuSeconds(Number(pid));
  }
  return out;
}

function otherCpuSpent(before, after) {
  const out = {};
  for (const name of Object.keys(before)) {
    out[name] = before[name] !== null && after[name] !== null ? after[name] - before[name] : null;
  }
  return out;
}

function readCpuSeconds(pid) {
  if (!pid) return null;
  try {
    const fields = readStatFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  } catch {
    return null;
  }
}

// Seconds the process's main thread ran and waited on a run queue for a core
// (/proc/<pid>/schedstat). Ran + waited over wall time is how much of the time it wanted a core:
// near 100 % means it was the bottleneck, whatever its CPU % (which a shared core lowers).
function readSchedSeconds(pid) {
  try {
    const [ran, waited] = fs.readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ").map(Number);
    return Number.isFinite(ran) && Number.isFinite(waited) ? { ran: ran / 1e9, waited: waited / 1e9 } : null;
  } catch {
    return null;
  }
}

function schedPct(before, after, wall) {
  if (!before || !after || !(wall > 0)) return { wait: null, wanted: null };
  const waited = after.waited - before.waited;
  const ran = after.ran - before.ran;
  return { wait: (100 * waited) / wall, wanted: (100 * (waited + ran)) / wall };
}

function ownCpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function settledRss(pid, settleMs = opts.settleMs) {
  await sleep(settleMs);
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
// The publisher's session; each author of the write path has one of its own.
const publisher = { agent, cookies };

function request(method, path, body, session = publisher) {
  const { agent, cookies } = session;
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

// The references broadcast what they are given: give them an event shaped like the forum's
// envelope {stream, seq, post} with the post as the forum serialises it (the same fields and
// sizes, so every server sends comparable bytes). Clients identify a post by post.body_source
// (and post.id), never by seq.
function forumShapedEvent(postId, text, thread = opts.thread) {
  // The forum's timestamps are isoformat() with microseconds: "2026-11-25T20:15:18.833884Z".
  const created = new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
  return {
    stream: `thread:${thread}`,
    seq: postId + 1,
    post: {
      id: postId + 100,
      thread_id: thread,
      parent_id: 1,
      depth: 1,
      author: { id: 2, display_name: "Anna Kowalczyk", badges: [] },
      body_source: text,
      body_html: `<p>${text}</p>`,
      created_at: created,
      edited_at: null,
      deleted: false,
      hidden: false,
      hidden_reason: null,
      can_edit: false,
      can_delete: false,
    },
  };
}

async function login(email = opts.email, password = opts.password, session = publisher) {
  const res = await request("POST", "/api/v1/session", { email, password }, session);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.body.slice(0, 200)}`);
  log(`logged in as ${email}`);
}

function publishPath(thread = opts.thread) {
  return opts.mode === "forum" ? `/api/v1/threads/${thread}/posts` : "/publish";
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
const postThread = new Int32Array(MAX_POSTS); // the thread (room) it went to
// Deliveries a post should get: the clients joined to its thread.
const expectedFor = (postId) => roomSize.get(postThread[postId]) || 0;
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
const roomSize = new Map(); // thread id → joined clients in it
let disconnects = 0;
let negotiatedExtensions = null;

// A browser client's cookie jar is engine.io-client's own (withCredentials: true in Node gives each
// engine one: it sends the jar's cookies on every polling request and on the websocket upgrade,
// and keeps every Set-Cookie of the polling responses). The engine makes its jar and sends its
// first request inside io(), so the page's cookies go in through the jar factory, set for exactly
// that synchronous call.
// (engine.io-client as socket.io-client itself resolves it; the client check would catch a miss.)
const eioEntry = require.resolve("engine.io-client", {
  paths: [path.dirname(require.resolve("socket.io-client"))],
});
const eioGlobals = require(path.join(path.dirname(eioEntry), "globals.node.js"));
const makeCookieJar = eioGlobals.createCookieJar;
let jarSeed = null; // the Set-Cookie lines of the page, for the jar about to be made
let seededJars = 0;
eioGlobals.createCookieJar = () => {
  const jar = makeCookieJar();
  if (jarSeed) {
    jar.parseCookies(jarSeed);
    seededJars++;
  }
  return jar;
};

// The page client i opens: its thread's page (forum), or --page-path.
function pagePathOf(index) {
  if (opts.pagePathGiven || opts.mode !== "forum") return opts.pagePath;
  return `/threads/${threadOf(index)}`;
}

// The thread (room) client i joins.
function threadOf(index) {
  return opts.threadList[index % opts.threadList.length];
}

// What a browser does when it opens the page: GET it (a connection of its own, closed after) and
// keep the Set-Cookie lines.
function visitPage(url, pagePath = opts.pagePath) {
  return new Promise((resolve) => {
    const req = http.get(
      new URL(pagePath, url),
      { agent: false, headers: { Accept: "text/html,application/xhtml+xml" }, timeout: 30000 },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({ status: res.statusCode, setCookie: res.headers["set-cookie"] || [] }),
        );
        res.on("error", (err) => resolve({ status: 0, setCookie: [], error: String(err) }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve({ status: 0, setCookie: [], error: String(err) }));
  });
}

// One client's socket. websocket mode: exactly the options used before --transport existed.
function makeSocket(url, setCookie) {
  if (opts.transport === "websocket") {
    return io(url, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: 30000,
    });
  }
  // Browser and upgrade modes: the pages' transports (browser: websocket first, polling if the
  // websocket fails, as static/js/socket.js asks) or the default ones (upgrade: polling, then the
  // upgrade), and permessage-deflate offer (engine.io-client passes
  // perMessageDeflate {threshold: 1024} to ws, which offers
  // "permessage-deflate; client_max_window_bits"); the page's origin on every request; the page's
  // cookies. Polling requests go over the client's own keep-alive connections (at most 6, as a
  // browser's per-host limit); the websocket opens its own connection, as in a browser.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  let socket;
  jarSeed = setCookie && setCookie.length ? setCookie : null;
  try {
    socket = io(url, {
      ...(opts.transport === "browser"
        ? { transports: ["websocket", "polling"], tryAllTransports: true }
        : {}),
      reconnection: false,
      forceNew: true,
      timeout: 30000,
      withCredentials: true,
      extraHeaders: { Origin: new URL(url).origin },
      transportOptions: { polling: { agent } },
    });
  } finally {
    jarSeed = null;
  }
  socket.pollingAgent = agent;
  return socket;
}

// Upgrade mode: after joining, wait until the engine's upgrade is over. Resolves with the transport
// the client ended on and, when it stayed on polling, why (browser mode: no upgrade to wait for).
function settleTransport(socket) {
  const engine = socket.io.engine;
  const current = () => (engine.transport ? engine.transport.name : "(none)");
  if (opts.transport === "websocket" || current() === "websocket") {
    return Promise.resolve({ transport: current() });
  }
  if (opts.transport === "browser") {
    return Promise.resolve({ transport: current(), why: "the websocket failed: fell back" });
  }
  if (!engine.upgrading && !(engine._upgrades && engine._upgrades.length)) {
    return Promise.resolve({ transport: current(), why: "server offered no upgrade" });
  }
  return new Promise((resolve) => {
    const finish = (why) => {
      clearTimeout(timer);
      engine.off("upgrade", onUpgrade);
      engine.off("upgradeError", onError);
      resolve(current() === "websocket" ? { transport: current() } : { transport: current(), why });
    };
    const onUpgrade = () => finish();
    const onError = (err) => finish(`upgrade failed: ${err && err.message}`);
    const timer = setTimeout(() => finish("upgrade not done in time"), opts.upgradeTimeout * 1000);
    engine.on("upgrade", onUpgrade);
    engine.on("upgradeError", onError);
  });
}

function connectOne(index, url, setCookie) {
  return new Promise((resolve) => {
    const socket = makeSocket(url, setCookie);
    let settled = false;
    let joinedAt = null;
    const done = (ok, why, transport) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok, why, socket, transport, joinedAt, thread: threadOf(index) });
    };
    const timer = setTimeout(() => done(false, "connect+join timeout"), 45000);
    socket.on("post_created", onPostCreated);
    socket.on("connect_error", (err) => done(false, `connect_error: ${err.message}`));
    socket.on("disconnect", (reason) => {
      if (settled) disconnects++;
      done(false, `disconnect: ${reason}`);
    });
    socket.on("connect", async () => {
      try {
        const ack = await socket.timeout(30000).emitWithAck("join", { thread_id: threadOf(index) });
        if (ack && ack.error) {
          done(false, `join refused: ${JSON.stringify(ack.error)}`);
          return;
        }
      } catch (err) {
        done(false, `join: ${err.message}`);
        return;
      }
      joinedAt = now();
      const end = await settleTransport(socket);
      if (end.transport === "websocket" && socket.pollingAgent) {
        // Upgraded: the polling connections are idle from now on; close them (as a server's or a
        // proxy's idle timeout would), so that only websockets remain for the RSS reading.
        socket.pollingAgent.destroy();
      }
      if (index === 0) {
        const ws = socket.io.engine && socket.io.engine.transport && socket.io.engine.transport.ws;
        negotiatedExtensions = ws ? ws.extensions || "(none)" : `(none: on ${end.transport})`;
      }
      done(true, end.why, end.transport);
    });
  });
}

function closeClient(socket) {
  socket.close();
  if (socket.pollingAgent) socket.pollingAgent.destroy();
}

// Which transport each client is on now: {websocket: n, polling: m}.
function transportCounts(sockets) {
  const counts = {};
  for (const socket of sockets) {
    const engine = socket.io.engine;
    const name = engine && engine.transport ? engine.transport.name : "(none)";
    counts[name] = (counts[name] || 0) + 1;
  }
  return counts;
}

// Browser mode: every client's page GET, before any client connects (timed apart from joining).
async function visitPages(n) {
  const started = now();
  const setCookies = new Array(n);
  const statuses = {};
  const names = new Set();
  let next = 0;
  async function worker() {
    while (next < n) {
      const index = next++;
      const page = await visitPage(opts.url, pagePathOf(index));
      setCookies[index] = page.setCookie;
      const key = page.status ? String(page.status) : page.error || "error";
      statuses[key] = (statuses[key] || 0) + 1;
      for (const line of page.setCookie) names.add(line.split("=")[0].trim());
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.connectConcurrency, n) }, worker));
  const cookieNames = [...names].sort();
  return { seconds: (now() - started) / 1000, setCookies, statuses, cookieNames };
}

// Connects clients from..to-1 (bounded concurrency) and waits for every one of them; the first
// client of the run (index 0) goes alone, its handshake tells which extensions the server accepted.
// `deadline` bounds the whole of joining (both halves).
async function connectRange(from, to, setCookies, deadline) {
  const started = now();
  let next = from;
  const failures = [];
  const stayedOnPolling = [];
  let lastJoin = started;
  function record(result) {
    if (result.joinedAt !== null && result.joinedAt > lastJoin) lastJoin = result.joinedAt;
    if (result.ok) {
      clients.push(result.socket);
      roomSize.set(result.thread, (roomSize.get(result.thread) || 0) + 1);
      if (result.transport !== "websocket") stayedOnPolling.push(result.why || result.transport);
    } else {
      failures.push(result.why);
      closeClient(result.socket);
    }
  }
  async function worker() {
    while (next < to && now() < deadline) {
      const index = next++;
      record(await connectOne(index, opts.url, setCookies ? setCookies[index] : null));
    }
  }
  if (from === 0 && to > 0) {
    next = 1;
    record(await connectOne(0, opts.url, setCookies ? setCookies[0] : null));
  }
  await Promise.all(Array.from({ length: Math.min(opts.connectConcurrency, to - from) }, worker));
  return {
    seconds: (now() - started) / 1000,
    joinAckSeconds: (lastJoin - started) / 1000,
    failures,
    stayedOnPolling,
  };
}

// Joins n clients. With --rss-halves 1 (the default) in two halves, 0..h-1 then h..n-1 with
// h = floor(n / 2): after the first half has joined, the server's RSS is read idle and settled
// (rssHalf is called between the halves), then the second half joins. The join time is the sum of
// the two halves' times (first attempt → all of the half joined), the pause between them excluded;
// with --rss-halves 0 all n join in one go, as before the slope existed.
async function connectAll(n, setCookies, rssHalf) {
  const deadline = now() + opts.connectTimeout * 1000;
  const half = opts.rssHalves && n >= 2 ? Math.floor(n / 2) : n;
  const first = await connectRange(0, half, setCookies, deadline);
  if (half === n) return { ...first, halves: null };
  const pauseStarted = now();
  const atHalf = await rssHalf();
  const pause = (now() - pauseStarted) / 1000;
  const second = await connectRange(half, n, setCookies, deadline + pause * 1000);
  return {
    seconds: first.seconds + second.seconds,
    joinAckSeconds: first.seconds + second.joinAckSeconds,
    failures: first.failures.concat(second.failures),
    stayedOnPolling: first.stayedOnPolling.concat(second.stayedOnPolling),
    halves: {
      at: half,
      clients: atHalf.clients,
      first_seconds: first.seconds,
      second_seconds: second.seconds,
      pause_seconds: pause,
    },
  };
}

// What a client sends: a loopback server records the page GET, the polling requests (it answers
// the engine.io handshake offering the websocket upgrade, and holds the polls) and the websocket
// upgrade request (then drops it). The client is made exactly as the real ones.
const PROBE_COOKIE = "bench_probe=1";
function checkClient() {
  return new Promise((resolve) => {
    const seen = { origin: null, page: null, polling: [], websocket: null, firstRequest: null };
    const held = [];
    const server = http.createServer((req, res) => {
      const url = new URL(req.url, "http://probe");
      const headers = { origin: req.headers.origin || null, cookie: req.headers.cookie || null };
      if (url.pathname === "/socket.io/" && url.searchParams.get("transport") === "polling") {
        seen.firstRequest = seen.firstRequest || "polling";
        seen.polling.push({ method: req.method, ...headers });
        if (!url.searchParams.get("sid")) {
          res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8" });
          res.end(
            '0{"sid":"probe","upgrades":["websocket"],"pingInterval":25000,' +
              '"pingTimeout":20000,"maxPayload":1000000}',
          );
        } else if (req.method === "POST") {
          req.resume();
          req.on("end", () => res.writeHead(200, { "Content-Type": "text/html" }).end("ok"));
        } else held.push(res); // a long poll: held until the check ends
        return;
      }
      if (req.method === "GET" && url.pathname === opts.pagePath) {
        seen.page = headers;
        res.writeHead(200, {
          "Content-Type": "text/html; charset=utf-8",
          "Set-Cookie": `${PROBE_COOKIE}; Path=/; HttpOnly; SameSite=Lax`,
        });
        res.end("<!doctype html><title>probe</title>");
        return;
      }
      res.writeHead(404).end();
    });
    let socket = null;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (socket) closeClient(socket);
      for (const res of held) res.destroy();
      server.closeAllConnections();
      server.close();
      resolve(seen);
    };
    const timer = setTimeout(finish, 5000);
    server.on("upgrade", (req, sock) => {
      seen.firstRequest = seen.firstRequest || "websocket";
      seen.websocket = {
        extensions: req.headers["sec-websocket-extensions"] || "(none)",
        origin: req.headers.origin || null,
        cookie: req.headers.cookie || null,
      };
      sock.destroy();
      setTimeout(finish, 50);
    });
    server.listen(0, "127.0.0.1", async () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      seen.origin = new URL(url).origin; // what a page served from there sends
      let setCookie = null;
      if (opts.browserLike) setCookie = (await visitPage(url)).setCookie;
      socket = makeSocket(url, setCookie);
      socket.on("connect_error", () => {});
    });
  });
}

// In browser mode, what the check must have seen; a list of what is wrong (empty: all as browsers).
function checkProblems(seen, origin) {
  const problems = [];
  const ws = seen.websocket;
  if (!ws) problems.push("no websocket upgrade request seen");
  else if (ws.extensions !== "permessage-deflate; client_max_window_bits") {
    problems.push(`websocket offers ${JSON.stringify(ws.extensions)}`);
  }
  if (!opts.browserLike) return problems;
  if (!seen.page) problems.push("no page GET seen");
  if (opts.transport === "upgrade" && !seen.polling.length) {
    problems.push("no polling request seen (not starting on polling)");
  }
  if (opts.transport === "browser" && seen.firstRequest !== "websocket") {
    problems.push(`the first socket.io request was ${seen.firstRequest} (not the websocket)`);
  }
  const requests = [...seen.polling.map((h) => [`polling ${h.method}`, h]), ["websocket", ws]];
  for (const [what, h] of requests) {
    if (!h) continue;
    if (h.origin !== origin) problems.push(`${what} sent Origin ${JSON.stringify(h.origin)}`);
    if (!(h.cookie || "").split(/;\s*/).includes(PROBE_COOKIE)) {
      problems.push(`${what} sent Cookie ${JSON.stringify(h.cookie)}`);
    }
  }
  return [...new Set(problems)];
}

// ---------------------------------------------------------------- steps
function quantile(sorted, q) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

// One step at `rate` posts/s for `seconds`. Post j goes to thread j mod k of `threads` (default:
// the clients' threads) and, with `sessions`, is sent by session j mod k (default: the publisher).
async function runStep(
  index,
  rate,
  seconds,
  { threads = opts.threadList, sessions = null, onSent = null } = {},
) {
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
  const cpu0 = readServerCpuSeconds();
  const other0 = readOtherCpu();
  const startedEpochMs = performance.timeOrigin + now();
  const own0 = ownCpuSeconds();
  const sched0 = { server: readSchedSeconds(opts.serverPid), load: readSchedSeconds(process.pid) };
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
    const seq = step.posts.length;
    const thread = threads[seq % threads.length];
    postThread[postId] = thread;
    step.posts.push(postId);
    const text = bodyText(postId, sentAt);
    const body = opts.mode === "forum" ? { body: text } : forumShapedEvent(postId, text, thread);
    const session = sessions ? sessions[seq % sessions.length] : publisher;
    inflight++;
    const p = request("POST", publishPath(thread), body, session).then((res) => {
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
  if (onSent) onSent();
  await Promise.race([Promise.all([...pending]), sleep(35000)]);

  // Drain: until every expected delivery arrived, or quietMs without one, or drainMs in all.
  const okPosts = () => step.posts.filter((id) => postOk[id]).length;
  const expectedNow = () =>
    step.posts.reduce((sum, id) => sum + (postOk[id] ? expectedFor(id) : 0), 0);
  const drainStart = now();
  let drainedFully = false;
  while (true) {
    const expected = expectedNow();
    if (step.received >= expected) {
      drainedFully = true;
      break;
    }
    const quietFor = now() - Math.max(lastDeliveryAt, sendEnd);
    if (now() - drainStart > opts.drainMs || quietFor > opts.quietMs) break;
    await sleep(20);
  }
  currentStep = null;
  const cpu1 = readServerCpuSeconds();
  const other1 = readOtherCpu();
  const endedEpochMs = performance.timeOrigin + now();
  const own1 = ownCpuSeconds();
  const wall = (now() - t0) / 1000;
  const serverSched = schedPct(sched0.server, readSchedSeconds(opts.serverPid), wall);
  const loadSched = schedPct(sched0.load, readSchedSeconds(process.pid), wall);

  const ok = okPosts();
  const expected = expectedNow();
  const latencies = Float64Array.from(step.latencies).sort();
  // Posts to a thread nobody listens to (the write path without listeners) have no recipient.
  const listened = step.posts.filter((id) => postOk[id] && expectedFor(id) > 0);
  const lastRecipient = Float64Array.from(listened, (id) =>
    postGot[id] >= expectedFor(id) ? postLast[id] : Infinity,
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
    // What the step asked for: posts/s × the recipients of an average post.
    target_deliveries_per_s: ok ? (rate * expected) / ok : rate * n,
    clients: n,
    threads: threads.length,
    p50_ms: quantile(latencies, 0.5),
    p99_ms: quantile(latencies, 0.99),
    max_ms: latencies.length ? latencies[latencies.length - 1] : null,
    last_recipient_p50_ms: quantile(lastRecipient, 0.5),
    last_recipient_p99_ms: quantile(lastRecipient, 0.99),
    publish_p50_ms: quantile(publishMs, 0.5),
    publish_p99_ms: quantile(publishMs, 0.99),
    server_cpu_pct: cpu0 !== null && cpu1 !== null ? (100 * (cpu1 - cpu0)) / wall : null,
    // The server's CPU seconds (utime + stime from /proc/<pid>/stat) from the step's first send
    // until its deliveries drained.
    server_cpu_s: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
    wall_s: wall,
    // The other processes' CPU seconds over the same time (--other-pids), and the step's start
    // and end on the wall clock (ms since the epoch), to match with the server's own records.
    other_cpu_s: otherCpuSpent(other0, other1),
    started_epoch_ms: startedEpochMs,
    ended_epoch_ms: endedEpochMs,
    loadgen_cpu_pct: (100 * (own1 - own0)) / wall,
    // Waiting for a core (the machine is shared), and ran + waited: the share of the step each
    // process wanted a core; ~100 % for the load generator means it was the bottleneck.
    server_wait_pct: serverSched.wait,
    server_wanted_pct: serverSched.wanted,
    loadgen_wait_pct: loadSched.wait,
    loadgen_wanted_pct: loadSched.wanted,
  };
  step.latencies = []; // free memory
  return result;
}

// ---------------------------------------------------------------- write path
// Each author logged in on a keep-alive connection of its own (one request at a time).
async function authorSessions() {
  const emails = String(opts.authors).split(",").filter(Boolean);
  const sessions = emails.map(() => ({
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    cookies: new Map(),
  }));
  await Promise.all(emails.map((email, i) => login(email, opts.authorPassword, sessions[i])));
  return sessions;
}

// Closed loop: every author posts its next reply as soon as the previous one is answered.
async function closedLoop(sessions, thread, seconds) {
  const cpu0 = readServerCpuSeconds();
  const t0 = now();
  const end = t0 + seconds * 1000;
  const ms = [];
  const failures = {};
  let ok = 0;
  let failed = 0;
  let lastAnswer = t0;
  await Promise.all(
    sessions.map(async (session) => {
      while (now() < end) {
        const postId = nextPostId++;
        const sentAt = now();
        const res = await request(
          "POST", publishPath(thread), { body: bodyText(postId, sentAt) }, session,
        );
        lastAnswer = now();
        ms.push(lastAnswer - sentAt);
        if (res.status >= 200 && res.status < 300) ok++;
        else {
          failed++;
          const key = `${res.status} ${res.body.slice(0, 120)}`;
          failures[key] = (failures[key] || 0) + 1;
          if (!res.status) await sleep(100);
        }
      }
    }),
  );
  const cpu1 = readServerCpuSeconds();
  const wall = (lastAnswer - t0) / 1000;
  const sorted = Float64Array.from(ms).sort();
  return {
    authors: sessions.length,
    seconds: wall,
    replies: ok,
    failed,
    failures,
    replies_per_s: ok / wall,
    p50_ms: quantile(sorted, 0.5),
    p99_ms: quantile(sorted, 0.99),
    server_cpu_s: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
    server_cpu_pct: cpu0 !== null && cpu1 !== null ? (100 * (cpu1 - cpu0)) / wall : null,
  };
}

// ---------------------------------------------------------------- readers
// Readers: closed loops, each GETting the long thread's first page and a middle page in turn
// (a connection of its own per reader, kept alive, as a browser tab reloading). What each answer
// took (until its last byte) and how big it was, per page.
const readerStats = {}; // path → {ms: [], bytes: [], statuses: {}}
let readersRunning = false;
let readerLoops = [];

async function readerPage(thread) {
  if (opts.readerPage > 0) return { page: opts.readerPage, how: "--reader-page" };
  // The API answers paging info once threads are paged; find the number of pages in it.
  const res = await request("GET", `/api/v1/threads/${thread}?page=1`);
  let pages = null;
  try {
    const data = JSON.parse(res.body);
    const look = (obj, depth) => {
      if (!obj || typeof obj !== "object" || depth > 3 || pages) return;
      for (const key of ["pages", "page_count", "total_pages", "last_page", "num_pages"]) {
        if (Number.isInteger(obj[key]) && obj[key] > 0) {
          pages = obj[key];
          return;
        }
      }
      for (const value of Object.values(obj)) look(value, depth + 1);
    };
    look(data, 0);
  } catch {
    // not JSON: no paging info
  }
  if (pages) return { page: Math.max(1, Math.ceil(pages / 2)), how: `middle of ${pages} pages` };
  return { page: 10, how: "no paging info in the API's answer: page 10 (ignored if unpaged)" };
}

function getPage(pathName, readerAgent) {
  return new Promise((resolve) => {
    const started = now();
    const req = http.get(
      { host: target.hostname, port: target.port, path: pathName, agent: readerAgent,
        headers: { Accept: "text/html,application/xhtml+xml" }, timeout: 60000 },
      (res) => {
        let bytes = 0;
        res.on("data", (c) => {
          bytes += c.length;
        });
        res.on("end", () => resolve({ status: res.statusCode, bytes, ms: now() - started }));
        res.on("error", (err) => resolve({ status: 0, bytes, ms: now() - started, error: String(err) }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => resolve({ status: 0, bytes: 0, ms: now() - started, error: String(err) }));
  });
}

function startReaders(paths) {
  readersRunning = true;
  readerLoops = Array.from({ length: opts.readers }, async (_, r) => {
    const readerAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let i = r; // readers start on different pages
    while (readersRunning) {
      const pathName = paths[i++ % paths.length];
      const res = await getPage(pathName, readerAgent);
      const stats = (readerStats[pathName] ||= { ms: [], bytes: [], statuses: {} });
      stats.ms.push(res.ms);
      stats.bytes.push(res.bytes);
      const key = res.status ? String(res.status) : res.error || "error";
      stats.statuses[key] = (stats.statuses[key] || 0) + 1;
      if (!res.status) await sleep(100); // a refused connection must not spin
    }
    readerAgent.destroy();
  });
}

async function stopReaders() {
  readersRunning = false;
  await Promise.race([Promise.all(readerLoops), sleep(60000)]); // each finishes its request
  const out = {};
  for (const [pathName, stats] of Object.entries(readerStats)) {
    const ms = Float64Array.from(stats.ms).sort();
    const bytes = Float64Array.from(stats.bytes).sort();
    out[pathName] = {
      requests: ms.length,
      p50_ms: quantile(ms, 0.5),
      p99_ms: quantile(ms, 0.99),
      max_ms: ms.length ? ms[ms.length - 1] : null,
      bytes_p50: quantile(bytes, 0.5),
      statuses: stats.statuses,
    };
  }
  return out;
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
    transport: opts.transport,
    url: opts.url,
    clients_requested: opts.clients,
  };
  const seen = await checkClient();
  const problems = checkProblems(seen, seen.origin);
  result.offer = seen.websocket ? seen.websocket.extensions : "(no handshake seen)";
  result.client_check = { ...seen, problems };
  log(`client offers Sec-WebSocket-Extensions: ${result.offer}`);
  if (opts.browserLike) {
    log(
      `client check: page GET, first ${seen.firstRequest}, ${seen.polling.length} polling ` +
        `requests, the websocket; ` +
        `Origin ${JSON.stringify(seen.websocket && seen.websocket.origin)}, ` +
        `Cookie ${JSON.stringify(seen.websocket && seen.websocket.cookie)} on the upgrade` +
        (problems.length ? `; PROBLEMS: ${problems.join("; ")}` : "; all as a browser sends"),
    );
    if (problems.length) {
      throw new Error(`clients do not behave like browsers: ${problems.join("; ")}`);
    }
  } else if (problems.length) {
    log(`client check: ${problems.join("; ")}`);
  }
  result.rss0_kib = await settledRss(opts.serverPid);
  if (opts.mode === "forum") await login();
  let sessions = null;
  let writeThreads = null;
  if (opts.scenario === "writes") {
    // Before any listener: the closed loop, then the open loop at --write-rate.
    const [closed, quiet, listened] = String(opts.writeThreads).split(",").map(Number);
    writeThreads = { closed, quiet, listened };
    if (!closed || !quiet || !listened) throw new Error("--write-threads needs three thread ids");
    sessions = await authorSessions();
    result.writes = { threads: writeThreads };
    result.writes.closed = await closedLoop(sessions, closed, opts.writeSeconds);
    const c = result.writes.closed;
    log(
      `closed loop, ${c.authors} authors, no listeners: ${fmt(c.replies_per_s, 1)} replies/s, ` +
        `p50 ${fmt(c.p50_ms, 1)} ms, p99 ${fmt(c.p99_ms, 1)} ms, failed ${c.failed}, ` +
        `server CPU ${fmt(c.server_cpu_pct)}%`,
    );
    await sleep(1000);
    const q = await runStep(steps.length, opts.writeRate, opts.writeSeconds, {
      threads: [quiet],
      sessions,
    });
    result.writes.quiet = q;
    log(
      `${opts.writeRate} posts/s from ${sessions.length} authors, no listeners: ` +
        `response p50 ${fmt(q.publish_p50_ms, 1)} ms, p99 ${fmt(q.publish_p99_ms, 1)} ms, ` +
        `failed ${q.posts_failed}`,
    );
  }

  let setCookies = null;
  if (opts.browserLike) {
    const pages = await visitPages(opts.clients);
    setCookies = pages.setCookies;
    result.page = {
      path: opts.pagePath,
      seconds: pages.seconds,
      statuses: pages.statuses,
      cookie_names: pages.cookieNames,
    };
    const shown =
      opts.threadList.length > 1 && !opts.pagePathGiven && opts.mode === "forum"
        ? "each client's thread page"
        : opts.pagePath;
    log(
      `GET ${shown} × ${opts.clients} in ${pages.seconds.toFixed(1)} s: ` +
        `status ${JSON.stringify(pages.statuses)}, cookies set: ` +
        (pages.cookieNames.length ? pages.cookieNames.join(", ") : "none"),
    );
    if (opts.mode === "forum" && !pages.statuses["200"]) {
      const statuses = JSON.stringify(pages.statuses);
      throw new Error(`the thread page ${opts.pagePath} did not load: ${statuses}`);
    }
  }

  // The baseline for memory per connection is read after the page GETs: rendering the page the
  // first times warms the forum's caches and allocator (10-16 KiB per client at N = 1000, the same
  // with no socket at all), while the references answer a 404; connections are what is measured.
  result.rss_pages_kib = await settledRss(opts.serverPid);
  const conn = await connectAll(opts.clients, setCookies, async () => {
    // Between the halves: the first half joined and idle, read as the end reading is.
    result.clients_half = clients.length;
    result.rss_half_kib = await settledRss(opts.serverPid, opts.slopeSettleMs);
    log(
      `first half: ${clients.length} clients joined; RSS ${result.rss_half_kib} KiB ` +
        `(after ${opts.slopeSettleMs / 1000} s)`,
    );
    return { clients: clients.length };
  });
  result.clients = clients.length;
  // From the first connection attempt until every client has connected, had its join acked and
  // (browser mode) finished its upgrade; the page GETs are not included. Joined in two halves,
  // it is the sum of the halves' times: the pause between them (the RSS reading) is not counted.
  result.connect_seconds = conn.seconds;
  result.connect_halves = conn.halves;
  result.join_ack_seconds = conn.joinAckSeconds; // ... until the last join ack only
  result.connect_failures = conn.failures.length;
  result.connect_failure_examples = [...new Set(conn.failures)].slice(0, 5);
  result.transports = transportCounts(clients); // where the joined clients ended
  result.not_upgraded = conn.stayedOnPolling.length;
  result.not_upgraded_examples = [...new Set(conn.stayedOnPolling)].slice(0, 5);
  result.seeded_jars = seededJars;
  result.negotiated_extensions = negotiatedExtensions;
  log(
    `connected and joined ${clients.length}/${opts.clients} in ${conn.seconds.toFixed(1)} s ` +
      `(last join ack at ${conn.joinAckSeconds.toFixed(1)} s); ` +
      `transports ${JSON.stringify(result.transports)}; ` +
      `negotiated extensions: ${negotiatedExtensions}` +
      (conn.failures.length ? `; failures: ${result.connect_failure_examples.join(" | ")}` : "") +
      (result.not_upgraded
        ? `; WARNING ${result.not_upgraded} clients stayed on polling: ` +
          result.not_upgraded_examples.join(" | ")
        : ""),
  );
  const joinedAll = now();
  result.rssN_kib = await settledRss(opts.serverPid); // after settleMs, as before the slope
  // The slope's reading at N: after as long a quiet as its reading at N/2.
  result.rss_settle_ms = opts.settleMs;
  result.rss_slope_settle_ms = conn.halves ? opts.slopeSettleMs : null;
  result.rssN_slope_kib = !conn.halves
    ? null
    : opts.slopeSettleMs <= opts.settleMs
      ? result.rssN_kib
      : await settledRss(opts.serverPid, Math.max(0, joinedAll + opts.slopeSettleMs - now()));
  // Memory per connection, two ways (bench/README.md, "Memory per connection"):
  // from the baseline after the page GETs: (RSS with all joined − after the page GETs) ÷ clients;
  result.rss_per_conn_kib =
    result.rss_pages_kib !== null && result.rssN_kib !== null && clients.length
      ? (result.rssN_kib - result.rss_pages_kib) / clients.length
      : null;
  // the slope, the verdict: (RSS with all joined − with the first half joined) ÷ the second
  // half's clients, both readings idle and settled (slopeSettleMs of quiet each).
  const secondHalf = conn.halves ? clients.length - result.clients_half : 0;
  result.rss_slope_kib =
    conn.halves && result.rss_half_kib !== null && result.rssN_slope_kib !== null && secondHalf > 0
      ? (result.rssN_slope_kib - result.rss_half_kib) / secondHalf
      : null;
  log(
    `RSS ${result.rss0_kib} KiB idle, ${result.rss_pages_kib} KiB after the page GETs → ` +
      (conn.halves ? `${result.rss_half_kib} KiB with ${result.clients_half} clients → ` : "") +
      `${result.rssN_kib} KiB with ${clients.length} clients` +
      (conn.halves && opts.slopeSettleMs > opts.settleMs
        ? ` (${result.rssN_slope_kib} KiB after ${opts.slopeSettleMs / 1000} s): `
        : ": ") +
      `${fmt(result.rss_per_conn_kib, 1)} KiB per connection from the page GETs, ` +
      `slope ${fmt(result.rss_slope_kib, 1)} KiB per connection`,
  );

  result.steps = [];
  result.stop_reason = clients.length ? "all rates run" : "no client connected";
  let best = 0;
  const stepsStarted = now(); // the budget is for the steps (joining is timed on its own)
  if (opts.scenario === "writes" && clients.length) {
    // The same authors at the same rate, now with the listeners in the thread they post to.
    const step = await runStep(steps.length, opts.writeRate, opts.writeSeconds, {
      threads: [writeThreads.listened],
      sessions,
    });
    result.writes.listened = step;
    result.steps.push(step);
    result.stop_reason = "write path: one step";
    log(
      `${opts.writeRate} posts/s from ${sessions.length} authors, ${clients.length} listeners: ` +
        `response p50 ${fmt(step.publish_p50_ms, 1)} ms, p99 ${fmt(step.publish_p99_ms, 1)} ms, ` +
        `last p99 ${fmt(step.last_recipient_p99_ms, 1)} ms, lost ${step.lost}/${step.expected}, ` +
        `failed ${step.posts_failed}`,
    );
  }
  for (
    let i = 0;
    opts.scenario === "broadcast" && i < opts.rates.length && i < opts.maxSteps && clients.length;
    i++
  ) {
    const seconds = i === 0 ? opts.duration : opts.rampDuration;
    if (i > 0 && (now() - stepsStarted) / 1000 + seconds + opts.drainMs / 1000 > opts.budget) {
      result.stop_reason = "time budget";
      break;
    }
    const withReaders = opts.readers > 0 && i >= opts.readersFromStep;
    if (withReaders && !readersRunning) {
      const thread = opts.readerThread || opts.thread;
      const middle = await readerPage(thread);
      result.reader_paths = [`/threads/${thread}`, `/threads/${thread}?page=${middle.page}`];
      result.reader_page_how = middle.how;
      log(`${opts.readers} readers loop on ${result.reader_paths.join(" and ")} (${middle.how})`);
      startReaders(result.reader_paths);
      await sleep(opts.readerWarmupMs);
    }
    // Readers loop while the step's posts are sent; they stop (each after its page in flight)
    // when the last post is sent, so the drain that follows is bounded.
    const onSent = withReaders
      ? () => {
          readersRunning = false;
        }
      : null;
    const step = await runStep(i, opts.rates[i], seconds, { onSent });
    step.readers = withReaders ? opts.readers : 0;
    result.steps.push(step);
    log(
      `${fmt(step.rate)} posts/s: ${fmt(step.posts_per_s, 1)} achieved, ` +
        `${fmt(step.deliveries_per_s)} deliveries/s, p50 ${fmt(step.p50_ms, 1)} ms, ` +
        `p99 ${fmt(step.p99_ms, 1)} ms, last p99 ${fmt(step.last_recipient_p99_ms, 1)} ms, ` +
        `lost ${step.lost}/${step.expected}, failed posts ${step.posts_failed}, ` +
        `server CPU ${fmt(step.server_cpu_pct)}% (waited ${fmt(step.server_wait_pct)}%), ` +
        `load CPU ${fmt(step.loadgen_cpu_pct)}% (waited ${fmt(step.loadgen_wait_pct)}%)`,
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
  if (readerLoops.length) {
    result.readers = await stopReaders();
    for (const [pathName, r] of Object.entries(result.readers)) {
      log(`reader ${pathName}: ${r.requests} GETs, p50 ${fmt(r.p50_ms)} ms, p99 ${fmt(r.p99_ms)} ms, ` +
        `${fmt(r.bytes_p50)} B, statuses ${JSON.stringify(r.statuses)}`);
    }
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
  result.transports_at_end = transportCounts(clients);
  for (const socket of clients) closeClient(socket);
  agent.destroy();
  for (const session of sessions || []) session.agent.destroy();
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
