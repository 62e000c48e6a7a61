// "3 people here now: Anna Nowak, Jan Zieliński and 1 guest", and the state of the connection.

import { announce, list, plural, text } from "./page.js";

const line = document.getElementById("presence");
const status = document.getElementById("live-status");
const link = document.getElementById("notifications-link");

/** "23 people here now: Anna, Jan, Ewa, 19 other people and 1 guest" ("" for nobody): the
 * server lists the first names and counts the other people. */
export function presenceText(snapshot) {
  const names = snapshot.users.map((user) => user.display_name);
  if (snapshot.others) names.push(plural("others", snapshot.others));
  if (snapshot.guests) names.push(plural("guests", snapshot.guests));
  const count = snapshot.users.length + snapshot.others + snapshot.guests;
  return names.length ? `${plural("hereNow", count)}: ${list(names)}` : "";
}

export function showPresence(snapshot) {
  if (!line || !snapshot) return;
  line.textContent = presenceText(snapshot);
}

export function showStatus(state) {
  if (!status) return;
  const message = {
    offline: text("offline"),
    stopped: text("stopped"),
    stale: text("stale"),
    closed: link?.dataset.accessWithdrawn ?? text("stopped"),
  }[state] ?? "";
  if (state !== "offline" && message && status.textContent !== message) announce(message);
  status.textContent = message;
  status.hidden = !message;
  if (!line) return;
  if (state !== "live") line.textContent = ""; // who is here is unknown until joined again
  line.hidden = Boolean(message); // the status line takes its place
}
