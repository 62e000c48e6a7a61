// A past meeting's page, live: when the host publishes or edits the minutes or links what came
// of the meeting (meeting_updated on its stream), the after-section is shown again as the
// server renders it now, fetched at a random moment within SPREAD_MS (everyone reading the
// page hears of it at once; the server renders it for them one after another).

import { follow } from "./channel.js";
import { announce } from "./page.js";
import { refresher } from "./refresh.js";
import { socket } from "./socket.js";

const SPREAD_MS = 2000;
const section = document.getElementById("meeting-after");

if (section?.dataset.stream) {
  const refresh = refresher(
    section.id,
    () => announce(section.dataset.announceChanged),
    SPREAD_MS,
  );
  follow(socket, {
    stream: section.dataset.stream,
    seq: Number(section.dataset.seq) || 0,
    onEvent: () => refresh(),
    onStatus: (state) => {
      section.dataset.state = state; // "live" once joined (the browser tests wait for it)
    },
  });
}
