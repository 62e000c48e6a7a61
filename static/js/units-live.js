// The queues of expert units, live: on a unit's queue page (/units/<id>) and on an expert's
// start page. Each queue follows its unit's stream; when an item is added, claimed, given back
// or removed, the page is fetched again and its queues put in place of ours.

import { follow } from "./channel.js";
import { announce } from "./page.js";
import { socket } from "./socket.js";

const queues = [...document.querySelectorAll("[data-unit-queue]")];
const status = document.getElementById("queue-status");
const REFRESH_DELAY_MS = 150; // what arrives together is one refresh

let refreshing = null;
let again = false;

async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = (async () => {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const queue of queues) {
        const fresh = page.getElementById(queue.id);
        if (!fresh) continue;
        const hadFocus = queue.contains(document.activeElement);
        queue.replaceChildren(...fresh.childNodes);
        if (hadFocus) queue.querySelector("[tabindex='-1']")?.focus();
      }
      announce(queues[0].dataset.announceChanged);
    } finally {
      refreshing = null;
      if (again) {
        again = false;
        refresh();
      }
    }
  })();
}

let timer = null;
function scheduleRefresh() {
  clearTimeout(timer);
  timer = setTimeout(refresh, REFRESH_DELAY_MS);
}

for (const queue of queues) {
  follow(socket, {
    stream: queue.dataset.stream,
    seq: Number(queue.dataset.seq) || 0,
    onEvent: scheduleRefresh,
    onStatus: (state) => {
      queue.dataset.state = state; // "live" once joined (the browser tests wait for it)
      if (!status) return;
      const words = { offline: queue.dataset.offline, stopped: queue.dataset.stopped }[state] ?? "";
      status.textContent = words;
      status.hidden = !words;
    },
  });
}
