// A room page that updates live: new threads at the top (below the pinned ones), reply counts
// and last activity, deleted threads gone, and who is here.

import { follow } from "./channel.js";
import {
  announce, authorNodes, countOf, root, seq, setCount, text, timeElement, url,
} from "./page.js";
import { showPresence, showStatus } from "./presence.js";
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

// The banner of the room's meetings running now (meetings/_room_banner.html), and the upcoming
// list's lines (meetings/_upcoming.html). A thousand people may have the room open: the page
// follows the meetings from meeting_updated's data and, when one starts or ends (which no event
// says), by the clock from what it was rendered with, never by asking the server.
const meetings = new Map(); // id: {title, url, startsAt, endsAt, status, item}

function bannerOf(id) {
  return document.querySelector(`#meeting-banner .meeting-banner[data-meeting-id="${id}"]`);
}

function upcomingLineOf(id) {
  return document.querySelector(`#upcoming-meetings .meeting-line[data-meeting-id="${id}"]`);
}

for (const line of document.querySelectorAll("#upcoming-meetings .meeting-line[data-meeting-id]")) {
  const link = line.querySelector("a");
  meetings.set(Number(line.dataset.meetingId), {
    title: link.textContent,
    url: link.getAttribute("href"),
    startsAt: Date.parse(line.dataset.startsAt),
    endsAt: Date.parse(line.dataset.endsAt),
    status: line.querySelector(".tag-live") ? "live" : "upcoming",
    item: undefined, // as the banner shows it
  });
}
const banners = document.querySelectorAll("#meeting-banner .meeting-banner[data-meeting-id]");
for (const banner of banners) {
  const id = Number(banner.dataset.meetingId);
  const link = banner.querySelector("a");
  const known = meetings.get(id);
  meetings.set(id, {
    ...known,
    title: link.textContent,
    url: link.getAttribute("href"),
    startsAt: known?.startsAt ?? Date.now(),
    endsAt: Date.parse(banner.dataset.endsAt),
    status: "live",
    item: undefined,
  });
}

function showBanner(id, meeting) {
  let banner = bannerOf(id);
  if (!banner) {
    banner = document.getElementById("meeting-banner-template").content.firstElementChild
      .cloneNode(true);
    banner.dataset.meetingId = String(id);
    document.querySelector("#meeting-banner .meeting-banner-state")?.append(banner);
  }
  banner.dataset.endsAt = new Date(meeting.endsAt).toISOString();
  const link = banner.querySelector("a");
  link.href = meeting.url;
  link.textContent = meeting.title;
  if (meeting.item !== undefined) {
    banner.querySelector(".banner-now").textContent = meeting.item
      ? text("bannerNow", { item: meeting.item })
      : "";
  }
}

function removeBanner(id) {
  const banner = bannerOf(id);
  if (!banner) return;
  if (banner.contains(document.activeElement)) document.getElementById("meetings-heading")?.focus();
  banner.remove();
}

/** The upcoming list's line as a reload would show it: gone once over, "Live now" while on. */
function showUpcomingLine(id, meeting) {
  const line = upcomingLineOf(id);
  if (!line) return;
  if (meeting.status === "ended" || meeting.status === "cancelled") {
    if (line.contains(document.activeElement)) document.getElementById("meetings-heading")?.focus();
    line.remove();
    return;
  }
  line.querySelector("a").textContent = meeting.title;
  line.dataset.startsAt = new Date(meeting.startsAt).toISOString();
  line.dataset.endsAt = new Date(meeting.endsAt).toISOString();
  const tag = line.querySelector(".tag-live");
  if (meeting.status === "live" && !tag) {
    const fresh = document.getElementById("live-now-template").content.firstElementChild;
    line.querySelector("a").after(" ", fresh.cloneNode(true));
  } else if (meeting.status !== "live" && tag) {
    tag.remove();
  }
}

function showMeeting(id) {
  const meeting = meetings.get(id);
  if (meeting.status === "live") showBanner(id, meeting);
  else removeBanner(id);
  showUpcomingLine(id, meeting);
  const state = document.querySelector("#meeting-banner .meeting-banner-state");
  if (state) state.dataset.state = "fresh"; // the browser tests wait for it
}

/** What the clock says of each meeting (a cancelled one stays cancelled). */
let clockTimer = null;
function watchTheClock() {
  clearTimeout(clockTimer);
  const now = Date.now();
  let next = Infinity;
  for (const [id, meeting] of meetings) {
    if (meeting.status === "cancelled" || meeting.status === "ended") continue;
    const status = now >= meeting.endsAt ? "ended" : now >= meeting.startsAt ? "live" : "upcoming";
    if (status !== meeting.status) {
      meeting.status = status;
      showMeeting(id);
    }
    for (const moment of [meeting.startsAt, meeting.endsAt]) {
      if (moment > now) next = Math.min(next, moment);
    }
  }
  const wait = next - now + 1000;
  if (wait > 0 && wait < 2 ** 31 - 1) clockTimer = setTimeout(watchTheClock, wait);
}
watchTheClock();

function meetingUpdated(summary) {
  const known = meetings.get(summary.id);
  if (!known && summary.status !== "live") return; // not on the page: a reload shows it
  const current = summary.agenda.find((item) => item.id === summary.current_item_id);
  meetings.set(summary.id, {
    title: summary.title,
    url: known?.url ?? url(root.dataset.meetingUrl, summary.id),
    startsAt: Date.parse(summary.starts_at),
    endsAt: Date.parse(summary.ends_at),
    status: summary.room.id === roomId ? summary.status : "cancelled", // moved: gone from here
    item: current?.title ?? "",
  });
  showMeeting(summary.id);
  watchTheClock();
}

const handlers = {
  thread_created: (data) => addThread(data.thread),
  thread_updated: (data) => updateThread(data.thread),
  meeting_updated: (data) => meetingUpdated(data.meeting),
};

follow(socket, {
  stream: root.dataset.live,
  seq,
  onEvent: (name, data) => handlers[name]?.(data),
  onPresence: showPresence,
  onStatus: showStatus,
});
