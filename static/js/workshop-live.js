// A workshop series' page, live: it follows its workshops' meetings. When a need or an idea is
// added, marked, unmarked or linked to needs, or a workshop meeting changes, the lists of needs
// and ideas and what became of them are shown again as the server renders them now (one fetch,
// at a random moment within SPREAD_MS: everyone on the page hears of it at once, and the server
// renders it for them one after another, not all in the same second). The forms stay as they are.

import { follow } from "./channel.js";
import { announce } from "./page.js";
import { refresher } from "./refresh.js";
import { socket } from "./socket.js";

const SPREAD_MS = 2000;
const page = document.getElementById("workshop-series");
const status = document.getElementById("workshop-status");

if (page) {
  // Each as the same page of the lists shows it now (its ?page= is in the address).
  const lists = ["needs-list", "ideas-list", "pipeline-pages", "pipeline-lists"];
  let changed = 0;
  const refresh = refresher(
    lists,
    () => {
      changed += 1;
      if (changed % lists.length === 0) announce(page.dataset.announceChanged);
    },
    SPREAD_MS,
  );
  const states = new Map();
  for (const [stream, seq] of JSON.parse(page.dataset.streams || "[]")) {
    follow(socket, {
      stream,
      seq: Number(seq) || 0,
      onEvent: () => refresh(),
      onStatus: (state) => {
        states.set(stream, state);
        const all = [...states.values()];
        // "live" once every room is joined (the browser tests wait for it)
        page.dataset.state = all.every((s) => s === "live") ? "live" : state;
        if (!status) return;
        const words = all.includes("stopped")
          ? page.dataset.stopped
          : all.includes("offline")
            ? page.dataset.offline
            : "";
        status.textContent = words ?? "";
        status.hidden = !words;
      },
    });
  }
}
