// A past meeting's page, live: when the host publishes or edits the minutes or links what came
// of the meeting (meeting_updated on its stream), the after-section is shown again as the
// server renders it now.

import { follow } from "./channel.js";
import { announce } from "./page.js";
import { refresher } from "./refresh.js";
import { socket } from "./socket.js";

const section = document.getElementById("meeting-after");

if (section?.dataset.stream) {
  const refresh = refresher(section.id, () => announce(section.dataset.announceChanged));
  follow(socket, {
    stream: section.dataset.stream,
    seq: Number(section.dataset.seq) || 0,
    onEvent: () => refresh(),
    onStatus: (state) => {
      section.dataset.state = state; // "live" once joined (the browser tests wait for it)
    },
  });
}
