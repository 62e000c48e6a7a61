// A thread's expert units and official answers, live: when the thread changes (an answer marked
// or taken back comes as thread_updated on the thread's stream, which thread-live.js follows),
// the page is fetched again and the units' parts of it put in place of ours.

import { announce } from "./page.js";
import { socket } from "./socket.js";

const top = document.getElementById("thread-units");
const REFRESH_DELAY_MS = 150;

/** Put the page's fresh badges (or tools) of each post in place of ours; a post that arrived
 * live (rendered by thread-live.js) gets them added to its header (or actions). */
function replaceEach(attribute, where, page) {
  for (const fresh of page.querySelectorAll(`[${attribute}]`)) {
    const postId = fresh.getAttribute(attribute);
    const mine = document.querySelector(`[${attribute}="${postId}"]`);
    if (mine) {
      if (mine.innerHTML !== fresh.innerHTML) mine.replaceChildren(...fresh.childNodes);
    } else {
      document.querySelector(`#post-${postId} > article ${where}`)?.append(fresh);
    }
  }
}

async function refresh() {
  const response = await fetch(window.location.href, { credentials: "same-origin" });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById("thread-units");
  if (!fresh) return;
  const answers = (root) =>
    [...root.querySelectorAll(".official-answer")].map((a) => `${a.id}:${a.dataset.postId}`).join();
  const changed = answers(fresh) !== answers(top);
  if (fresh.innerHTML !== top.innerHTML) top.replaceChildren(...fresh.childNodes);
  replaceEach("data-unit-badges", ".post-head", page);
  replaceEach("data-unit-tools", ".post-actions", page);
  if (changed) announce(top.dataset.announceChanged);
}

let timer = null;
if (top) {
  socket.onAny((name, data) => {
    if (name !== "thread_updated" || data?.stream !== top.dataset.threadStream) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, REFRESH_DELAY_MS);
  });
}
