// Follow one stream in order (see forum/realtime): catch up after the seq the page was rendered
// at, apply each event once, and catch up again after a gap or a reconnect.

const ACK_TIMEOUT_MS = 10_000;
const MAX_FAILED_JOINS = 5; // in a row, without getting up to date

/**
 * stream: "thread:7", "room:3", "user:5"; seq: the seq the page shows;
 * onEvent(name, data); onJoined(ack); onPresence(snapshot);
 * onStatus("live" | "offline" | "stopped" | "stale" | "closed" | "ended").
 * Returns {rejoin()}: ask again (e.g. for the viewer's own flags after a change).
 */
export function follow(socket, { stream, seq, onEvent, onJoined, onPresence, onStatus }) {
  let last = seq;
  let joined = false; // until a join is acknowledged, live events wait in `pending`
  let pending = [];
  let generation = 0; // a newer join makes the answer to an older one moot
  let failures = 0;
  let over = false; // stale or closed: nothing more will be applied

  /** Apply one event unless already seen; false if one is missing before it. */
  function accept(name, data) {
    if (data.seq <= last) return true;
    if (data.seq !== last + 1) return false;
    last = data.seq;
    onEvent(name, data);
    return true;
  }

  function stop(state) {
    over = true;
    generation += 1;
    onStatus(state);
  }

  function join() {
    if (over) return;
    const mine = ++generation;
    joined = false;
    if (failures >= MAX_FAILED_JOINS) return stop("stopped");
    socket.timeout(ACK_TIMEOUT_MS).emit("join", { stream, after: last }, (err, ack) => {
      if (mine !== generation) return;
      if (err) {
        // No answer: try again while connected; after a drop, "connect" joins again.
        failures += 1;
        if (socket.connected) join();
        return;
      }
      if (ack.error) return stop("stopped"); // not found or not allowed: asking again won't help
      if (ack.reload) return stop("stale"); // the log no longer reaches back to our seq
      onPresence?.(ack.presence);
      const inOrder = ack.events.every(({ name, data }) => accept(name, data));
      if (!inOrder || !ack.complete) {
        if (!inOrder) failures += 1;
        join(); // the rest (complete: false), or the missing ones: ask after the last applied
        return;
      }
      failures = 0;
      joined = true;
      onJoined?.(ack);
      onStatus("live");
      const queued = pending.sort((a, b) => a.data.seq - b.data.seq);
      pending = [];
      for (const { name, data } of queued) {
        if (!accept(name, data)) {
          failures += 1;
          join();
          return;
        }
      }
    });
  }

  socket.onAny((name, data) => {
    if (over || data?.stream !== stream || !Number.isInteger(data.seq)) return; // not ours
    if (!joined) {
      pending.push({ name, data });
    } else if (!accept(name, data)) {
      failures += 1;
      join();
    }
  });
  socket.on("presence", (snapshot) => {
    if (!over && snapshot.stream === stream) onPresence?.(snapshot);
  });
  socket.on("stream_closed", (signal) => {
    if (signal.stream === stream) stop("closed");
  });
  socket.on("connect", () => {
    failures = 0;
    join();
  });
  socket.on("disconnect", (reason) => {
    generation += 1;
    joined = false;
    pending = [];
    if (over) return;
    // The server closes a socket only when its login ended: it will not reconnect.
    if (reason === "io server disconnect") stop("ended");
    else onStatus("offline");
  });
  if (socket.connected) join();
  return { rejoin: join };
}
