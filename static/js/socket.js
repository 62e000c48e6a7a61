// One Socket.IO connection per page, shared by its modules: same origin, the session cookie says
// who this is. The server closes it when the login ends; it then stays closed.

import { announce } from "./page.js";

export const socket = io();

const status = document.getElementById("session-status");
const link = document.getElementById("notifications-link");

socket.on("disconnect", (reason) => {
  if (reason !== "io server disconnect" || !status) return;
  status.textContent = link?.dataset.sessionEnded ?? "";
  status.hidden = !status.textContent;
  announce(status.textContent);
});
