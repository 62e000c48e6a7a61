// The header's count of open flags, kept up to date from the streams of the areas the person
// moderates; on the queue page (/moderation) the queue itself is refreshed when a flag is
// raised or resolved.

import { follow } from "./channel.js";
import { announce } from "./page.js";
import { socket } from "./socket.js";

const link = document.getElementById("moderation-link");
const count = link?.querySelector(".open-flags");
const queue = document.getElementById("flag-queue");
const status = document.getElementById("queue-status");
const REFRESH_DELAY_MS = 150; // what arrives together (a post's flags resolved) is one refresh

function setCount(n) {
  const value = Math.max(0, n);
  count.dataset.count = String(value);
  count.textContent = ` (${value})`;
}

let refreshing = null;
let again = false;

/** Fetch the queue page again and put its queue in place of ours. */
async function refreshQueue() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = (async () => {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("flag-queue");
      const freshCount = page.querySelector("#moderation-link .open-flags");
      if (!fresh) return;
      const hadFocus = queue.contains(document.activeElement);
      queue.replaceChildren(...fresh.childNodes);
      if (freshCount && count) setCount(Number(freshCount.dataset.count) || 0);
      if (hadFocus) document.getElementById("queue-heading")?.focus();
      announce(queue.dataset.announceChanged);
    } finally {
      refreshing = null;
      if (again) {
        again = false;
        refreshQueue();
      }
    }
  })();
}

let timer = null;
function scheduleRefresh() {
  clearTimeout(timer);
  timer = setTimeout(refreshQueue, REFRESH_DELAY_MS);
}

function showStatus(state) {
  link.dataset.state = state; // "live" once joined (the browser tests wait for it)
  if (!status || !queue) return;
  const words = { offline: queue.dataset.offline, stopped: queue.dataset.stopped }[state] ?? "";
  status.textContent = words;
  status.hidden = !words;
}

if (link) {
  const streams = JSON.parse(link.dataset.streams || "[]");
  for (const [stream, seq] of streams) {
    follow(socket, {
      stream,
      seq,
      onEvent: (name) => {
        // On the queue page the refreshed page brings the count with it.
        if (queue) return scheduleRefresh();
        const n = Number(count.dataset.count) || 0;
        if (name === "flag_raised") {
          setCount(n + 1);
          announce(link.dataset.announceRaised);
        } else if (name === "flag_resolved") {
          setCount(n - 1);
        }
      },
      onStatus: showStatus,
    });
  }
}
