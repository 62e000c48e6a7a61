// One Socket.IO connection per page, shared by its modules: same origin, the session cookie says
// who this is. The server closes it when the login ends; it then stays closed.
//
// Websocket first (the server's fast path, and no polling round trips to join); where a proxy or
// a firewall refuses websockets, tryAllTransports falls back to long-polling for that connection
// (socket.io-client >= 4.8; a reconnection tries the websocket again).

import { announce } from "./page.js";

export const socket = io({ transports: ["websocket", "polling"], tryAllTransports: true });

const status = document.getElementById("session-status");
const link = document.getElementById("notifications-link");

socket.on("disconnect", (reason) => {
  if (reason !== "io server disconnect" || !status) return;
  status.textContent = link?.dataset.sessionEnded ?? "";
  status.hidden = !status.textContent;
  announce(status.textContent);
});
