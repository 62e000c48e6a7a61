// A draft's page that follows the draft's stream: when it is saved, moved, tagged, reviewed
// or supported, the page shows it as it is now.

import { follow } from "./channel.js";
import { announce, root, seq, text } from "./page.js";
import { showStatus } from "./presence.js";
import { refresher } from "./refresh.js";
import { socket } from "./socket.js";

const refresh = refresher("draft-content", (element, hadFocus) => {
  element.dataset.state = "fresh"; // the browser tests wait for it
  if (hadFocus) document.getElementById("draft-heading")?.focus();
  announce(text("announceChanged"));
});

follow(socket, {
  stream: root.dataset.live,
  seq,
  onEvent: () => refresh(),
  onStatus: (state) => {
    root.dataset.state = state; // "live" once joined (the browser tests wait for it)
    showStatus(state);
  },
});
