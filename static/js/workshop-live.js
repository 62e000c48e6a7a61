// A workshop series' page, live: it follows the rooms of its workshops. When a thread there is
// started or changes (a need or an idea added, marked, unmarked or linked to needs) or a
// workshop meeting changes, the lists of needs and ideas and what became of them are shown
// again as the server renders them now. The forms to add a need or an idea stay as they are.

import { follow } from "./channel.js";
import { announce } from "./page.js";
import { refresher } from "./refresh.js";
import { socket } from "./socket.js";

const page = document.getElementById("workshop-series");
const status = document.getElementById("workshop-status");

if (page) {
  const lists = ["needs-list", "ideas-list", "pipeline-lists"];
  let changed = 0;
  const refreshes = lists.map((id) =>
    refresher(id, () => {
      changed += 1;
      if (changed % lists.length === 0) announce(page.dataset.announceChanged);
    }),
  );
  const states = new Map();
  for (const [stream, seq] of JSON.parse(page.dataset.streams || "[]")) {
    follow(socket, {
      stream,
      seq: Number(seq) || 0,
      onEvent: () => refreshes.forEach((refresh) => refresh()),
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
