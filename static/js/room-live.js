// A room page that updates live: new threads at the top (below the pinned ones), reply counts
// and last activity, deleted threads gone, and who is here.

import { follow } from "./channel.js";
import {
  announce, authorNodes, countOf, root, seq, setCount, text, timeElement, url,
} from "./page.js";
import { showPresence, showStatus } from "./presence.js";
import { refresher } from "./refresh.js";
import { socket } from "./socket.js";

const firstPage = root.dataset.page === "1"; // new threads appear on the first page only
const roomId = Number(root.dataset.roomId);

function lineOf(threadId) {
  return root.querySelector(`.thread-line[data-thread-id="${threadId}"]`);
}

function titleOf(line) {
  return line?.querySelector(".thread-title")?.textContent ?? "";
}

function setLastActivity(line, iso) {
  const [before, after] = text("lastActivity").split("{time}");
  line.querySelector(".last-activity")?.replaceChildren(before, timeElement(iso), after ?? "");
}

function setTag(line, name, on) {
  const tag = line.querySelector(`.tag-${name}`);
  if (on && !tag) {
    const fresh = document.getElementById("thread-template").content.querySelector(`.tag-${name}`);
    const before = name === "pinned" ? line.firstChild : line.querySelector(".thread-title");
    line.insertBefore(fresh.cloneNode(true), before);
    line.insertBefore(document.createTextNode(" "), before);
  } else if (!on && tag) {
    tag.remove();
  }
}

function showThread(line, thread) {
  line.classList.toggle("pinned", thread.pinned);
  setTag(line, "pinned", thread.pinned);
  setTag(line, "locked", thread.status === "locked");
  setCount(line.querySelector(".reply-count"), thread.reply_count);
  setLastActivity(line, thread.last_activity_at);
}

function addThread(thread) {
  if (!firstPage || lineOf(thread.id) || thread.deleted || thread.room_id !== roomId) return;
  const line = document.getElementById("thread-template").content.firstElementChild.cloneNode(true);
  line.dataset.threadId = thread.id;
  line.querySelector(".tag-pinned").remove();
  line.querySelector(".tag-locked").remove();
  const title = line.querySelector(".thread-title");
  title.href = url(root.dataset.threadUrl, thread.id);
  title.textContent = thread.title;
  line.querySelector(".who").replaceWith(...authorNodes(thread.author));
  showThread(line, thread);
  let threads = root.querySelector("ol.threads");
  if (!threads) {
    threads = Object.assign(document.createElement("ol"), { className: "threads" });
    root.querySelector(".no-threads").replaceWith(threads);
  }
  const firstUnpinned = threads.querySelector(":scope > .thread-line:not(.pinned)");
  threads.insertBefore(line, thread.pinned ? threads.firstChild : firstUnpinned);
  announce(text("announceThread", { title: thread.title, name: thread.author.display_name }));
}

/** Put a line where the room's order has it: pinned lines first, the rest below them. */
function place(line, pinned) {
  const threads = line.parentElement;
  const firstUnpinned = threads.querySelector(":scope > .thread-line:not(.pinned)");
  if (pinned) threads.insertBefore(line, threads.firstChild);
  else if (firstUnpinned !== line) threads.insertBefore(line, firstUnpinned);
}

function removeLine(line, message) {
  if (line.contains(document.activeElement)) document.getElementById("threads-heading").focus();
  line.remove();
  announce(message);
}

function updateThread(thread) {
  const line = lineOf(thread.id);
  if (!line) return;
  if (thread.deleted) {
    removeLine(line, text("announceGone", { title: thread.title }));
    return;
  }
  if (thread.room_id !== roomId) {
    removeLine(line, text("announceMoved", { title: thread.title }));
    return;
  }
  const before = countOf(line.querySelector(".reply-count"));
  const wasPinned = line.classList.contains("pinned");
  showThread(line, thread);
  if (wasPinned !== thread.pinned) place(line, thread.pinned);
  if (thread.reply_count > before) announce(text("announceReply", { title: titleOf(line) }));
}

// The banner of a meeting running in the room (meetings/_room_banner.html): fresh on each
// meeting_updated, and when a meeting of the room starts or ends, which no event says.
let bannerTimer = null;
const refreshBanner = refresher("meeting-banner", (element) => {
  element.dataset.state = "fresh"; // the browser tests wait for it
  watchTheClock();
});

function watchTheClock() {
  clearTimeout(bannerTimer);
  const at = document.querySelector("#meeting-banner [data-changes-at]")?.dataset.changesAt;
  const wait = at ? Date.parse(at) - Date.now() + 1000 : NaN;
  if (wait > 0 && wait < 2 ** 31 - 1) bannerTimer = setTimeout(refreshBanner, wait);
}
watchTheClock();

const handlers = {
  thread_created: (data) => addThread(data.thread),
  thread_updated: (data) => updateThread(data.thread),
  meeting_updated: () => refreshBanner(),
};

follow(socket, {
  stream: root.dataset.live,
  seq,
  onEvent: (name, data) => handlers[name]?.(data),
  onPresence: showPresence,
  onStatus: showStatus,
});
