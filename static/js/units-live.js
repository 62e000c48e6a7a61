// The queues of expert units, live: on a unit's queue page (/units/<id>) and on an expert's
// start page. Each queue follows its unit's stream; when an item is added, claimed, given back
// or removed, that queue is shown again as the server renders it now.

import { follow } from "./channel.js";
import { announce } from "./page.js";
import { refresher } from "./refresh.js";
import { socket } from "./socket.js";

const status = document.getElementById("queue-status");

for (const queue of document.querySelectorAll("[data-unit-queue]")) {
  const refresh = refresher(queue.id, (element, hadFocus) => {
    if (hadFocus) element.querySelector("[tabindex='-1']")?.focus();
    announce(queue.dataset.announceChanged);
  });
  follow(socket, {
    stream: queue.dataset.stream,
    seq: Number(queue.dataset.seq) || 0,
    onEvent: () => refresh(),
    onStatus: (state) => {
      queue.dataset.state = state; // "live" once joined (the browser tests wait for it)
      if (!status) return;
      const words = { offline: queue.dataset.offline, stopped: queue.dataset.stopped }[state] ?? "";
      status.textContent = words;
      status.hidden = !words;
    },
  });
}
