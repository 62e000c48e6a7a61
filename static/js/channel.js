// Follow one room or thread in order (see forum/realtime.py): catch up after the seq the page
// was rendered at, apply each event once, and catch up again after a gap or a reconnect.

const ACK_TIMEOUT_MS = 10_000;
const MAX_FAILED_JOINS = 5; // in a row, without getting up to date

/**
 * target: {room_id} or {thread_id}; seq: the seq the page shows;
 * isNext(data, last): true if the event comes right after the last one applied;
 * onEvent(name, data), onPresence(snapshot), onStatus("live" | "offline" | "stopped").
 */
export function follow(socket, { target, seq, isNext, onEvent, onPresence, onStatus }) {
  const channel = target.thread_id ? `thread:${target.thread_id}` : `room:${target.room_id}`;
  let last = seq;
  let joined = false; // until a join is acknowledged, live events wait in `pending`
  let pending = [];
  let generation = 0; // a newer join makes the answer to an older one moot
  let failures = 0;

  function ours(data) {
    if (!Number.isInteger(data?.seq)) return false; // presence, typing and other signals
    return target.thread_id ? data.thread_id === target.thread_id : data.room_id === target.room_id;
  }

  /** Apply one event unless already seen; false if one is missing before it. */
  function accept(name, data) {
    if (data.seq <= last) return true;
    if (!isNext(data, last)) return false;
    last = data.seq;
    onEvent(name, data);
    return true;
  }

  function join() {
    const mine = ++generation;
    joined = false;
    if (failures >= MAX_FAILED_JOINS) {
      onStatus("stopped");
      return;
    }
    const request = { ...target, after: last };
    socket.timeout(ACK_TIMEOUT_MS).emit("join", request, (err, ack) => {
      if (mine !== generation) return;
      if (err) {
        // No answer: try again while connected; after a drop, "connect" joins again.
        failures += 1;
        if (socket.connected) join();
        return;
      }
      if (ack.error) {
        failures = MAX_FAILED_JOINS; // not found or not allowed: asking again won't help
        onStatus("stopped");
        return;
      }
      onPresence(ack.presence);
      const inOrder = ack.events.every(({ name, data }) => accept(name, data));
      if (!inOrder || !ack.complete) {
        if (!inOrder) failures += 1;
        join(); // the rest (complete: false), or the missing ones: ask after the last applied
        return;
      }
      failures = 0;
      joined = true;
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
    if (!ours(data)) return;
    if (!joined) {
      pending.push({ name, data });
    } else if (!accept(name, data)) {
      failures += 1;
      join();
    }
  });
  socket.on("presence", (snapshot) => {
    if (snapshot.channel === channel) onPresence(snapshot);
  });
  socket.on("connect", () => {
    failures = 0;
    join();
  });
  socket.on("disconnect", () => {
    generation += 1;
    joined = false;
    pending = [];
    onStatus("offline");
  });
}
