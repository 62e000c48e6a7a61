// A running meeting's page, live: where the agenda is, the questions to the experts, the latest
// replies of the meeting's thread (replies sent without a reload), and who is here.
//
// A thousand people may have one meeting open: each event is rendered here from its own data
// (with the page's strings and <template>s), so an agenda move, a question or a reply costs the
// server one message per listener, never one page render each. Only the host's page, with the
// forms to run the meeting (data-host-controls, one person), asks the server for its parts again
// (refresh.js), as those forms depend on the state. Latecomers: the page shows the state it was
// rendered at, and joining catches up from there.

import { follow } from "./channel.js";
import { setupComposer } from "./composer.js";
import {
  announce, authorNodes, countOf, plural, root, seq, text, timeElement, url,
} from "./page.js";
import { presenceText, showStatus } from "./presence.js";
import { refresher } from "./refresh.js";
import { socket } from "./socket.js";

const threadStream = root.dataset.threadStream;
const threadId = Number(threadStream.split(":")[1]);
const host = root.dataset.hostControls === "true";
const RECENT_REPLIES = 20; // as many as the server renders (forum/meetings/live.py)
const MAX_RELOAD_DELAY_MS = 30_000;

function fromTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

function refreshed(headingId) {
  return (element, hadFocus) => {
    element.dataset.state = "fresh"; // the browser tests wait for it
    if (hadFocus) document.getElementById(headingId)?.focus();
  };
}

const refreshAgenda = host ? refresher("meeting-now", refreshed("meeting-now-heading")) : null;
const refreshQuestions = host
  ? refresher("meeting-question-list", refreshed("questions-heading"))
  : null;

/** Reload, but not in the same second as everyone else who has the meeting open: the moment
 * comes by the clock or in one event to all of them, and a thousand page renders at once would
 * hold up the server for everyone. */
function reloadSoon() {
  setTimeout(() => window.location.reload(), Math.random() * MAX_RELOAD_DELAY_MS);
}

// --- the agenda ------------------------------------------------------------------------------

/** "(20 minutes; started 17 Nov 2026, 18:05)" as the template renders an item's meta. */
function showItemMeta(li, item) {
  const meta = li.querySelector(".meta");
  if (!meta) return;
  const nodes = ["(", li.dataset.minutes ?? ""];
  if (item.started_at) {
    const [before, after] = text("itemStarted").split("{time}");
    nodes.push("; ", before, timeElement(item.started_at), after ?? "");
  }
  nodes.push(")");
  meta.replaceChildren(...nodes);
}

function showAgenda(meeting) {
  const current = meeting.agenda.find((item) => item.id === meeting.current_item_id);
  if (current?.started_at) {
    const line = fromTemplate("current-item-template");
    line.querySelector("strong").textContent = current.title;
    timeElement(current.started_at, line.querySelector("time"));
    root.querySelector("#meeting-now .current-item")?.replaceWith(line);
  }
  for (const item of meeting.agenda) {
    const li = root.querySelector(`.live-agenda li[data-item-id="${item.id}"]`);
    if (!li) continue;
    const isCurrent = item.id === meeting.current_item_id;
    li.querySelector(".item-title").textContent = item.title;
    showItemMeta(li, item);
    li.classList.toggle("current", isCurrent);
    if (isCurrent) li.setAttribute("aria-current", "step");
    else li.removeAttribute("aria-current");
    const tag = li.querySelector(".tag-live");
    if (isCurrent && !tag) li.querySelector(".meta").after(" ", fromTemplate("now-tag-template"));
    else if (!isCurrent && tag) tag.remove();
  }
  root.querySelector("#meeting-now").dataset.state = "fresh"; // the browser tests wait for it
}

let shownItemId = Number(root.querySelector(".live-agenda li.current")?.dataset.itemId) || null;

function meetingUpdated(meeting) {
  if (meeting.status !== "live") {
    reloadSoon(); // ended or cancelled: the page is another one now
    return;
  }
  if (host) refreshAgenda();
  else showAgenda(meeting);
  watchTheEnd(meeting.ends_at);
  const current = meeting.agenda.find((item) => item.id === meeting.current_item_id);
  // The meeting changes in other ways too (sign-ups, details): only a move is said aloud.
  if (current && current.id !== shownItemId) {
    announce(text("announceMoved", { title: current.title }));
  }
  shownItemId = meeting.current_item_id;
}

// --- questions to the experts ----------------------------------------------------------------

function showQuestion(question) {
  let li = document.getElementById(`question-${question.id}`);
  if (!li) {
    li = fromTemplate("question-template");
    li.id = `question-${question.id}`;
    li.querySelector(".question-body").textContent = question.body;
    li.querySelector(".who").replaceWith(...authorNodes(question.author));
    timeElement(question.created_at, li.querySelector("time"));
    li.querySelector(".question-to").textContent = question.unit
      ? text("toUnit", { unit: question.unit.name })
      : text("toAny");
    let questions = root.querySelector("#meeting-question-list ol.questions");
    if (!questions) {
      questions = Object.assign(document.createElement("ol"), { className: "questions" });
      root.querySelector("#meeting-question-list .no-questions")?.replaceWith(questions);
    }
    questions.append(li);
  }
  li.classList.toggle("answered", question.answered);
  li.querySelector(".question-status").textContent = text(
    question.answered ? "answered" : "notAnswered",
  );
}

function questionChanged(question) {
  if (host) refreshQuestions();
  else showQuestion(question);
}

// --- the thread's latest replies -------------------------------------------------------------

const wholeDiscussion = root.querySelector(".whole-discussion");

function setReplyCount(n) {
  if (!wholeDiscussion) return;
  wholeDiscussion.dataset.count = String(n);
  wholeDiscussion.textContent = plural("wholeDiscussion", n);
}

/** As the server lists them: replies (not the opening post) anyone may read. */
function isShown(post) {
  return post.parent_id !== null && !post.deleted && !post.hidden;
}

function repliesList() {
  let replies = root.querySelector("#meeting-replies ol.meeting-replies");
  if (!replies) {
    replies = Object.assign(document.createElement("ol"), { className: "meeting-replies" });
    root.querySelector("#meeting-replies .no-replies")?.replaceWith(replies);
  }
  return replies;
}

function renderReply(post) {
  const li = fromTemplate("reply-template");
  li.id = `reply-${post.id}`;
  li.dataset.createdAt = post.created_at;
  li.querySelector(".who").replaceWith(...authorNodes(post.author));
  const link = li.querySelector(".permalink");
  link.href = url(root.dataset.postUrl, post.id);
  timeElement(post.created_at, link.querySelector("time"));
  li.querySelector(".post-body").innerHTML = post.body_html; // sanitised by the server
  return li;
}

/** Put a reply where the list has it by time, keeping the latest RECENT_REPLIES, as a reload
 * would show them; a reply older than all of a full list stays out. */
function placeReply(post) {
  const replies = repliesList();
  const at = Date.parse(post.created_at);
  const later = [...replies.children].find((li) => Date.parse(li.dataset.createdAt) > at);
  if (later && later === replies.firstElementChild && replies.children.length >= RECENT_REPLIES) {
    return;
  }
  replies.insertBefore(renderReply(post), later ?? null);
  while (replies.children.length > RECENT_REPLIES) dropReply(replies.firstElementChild);
}

function dropReply(li) {
  if (li.contains(document.activeElement)) document.getElementById("discussion-heading").focus();
  li.remove();
}

function showReply(post) {
  const li = document.getElementById(`reply-${post.id}`);
  if (!isShown(post)) {
    if (li) dropReply(li);
  } else if (li) {
    li.querySelector(".post-body").innerHTML = post.body_html; // sanitised by the server
  } else {
    placeReply(post);
  }
}

function postCreated(post) {
  if (document.getElementById(`reply-${post.id}`) || !isShown(post)) return;
  showReply(post);
  setReplyCount(countOf(wholeDiscussion) + 1);
  announce(text("announceReply"));
}

const threadHandlers = {
  post_created: (data) => postCreated(data.post),
  post_updated: (data) => showReply(data.post),
  post_hidden: (data) => showReply(data.post),
  post_restored: (data) => showReply(data.post),
  post_deleted: (data) => {
    showReply(data.post);
    // Counted, listed or not (the server's count goes down for any deleted reply).
    if (data.post.parent_id !== null) setReplyCount(Math.max(0, countOf(wholeDiscussion) - 1));
  },
  thread_updated: (data) => setReplyCount(data.thread.reply_count),
};

// --- who is here -----------------------------------------------------------------------------

function showPeople(snapshot) {
  const line = document.getElementById("presence");
  if (!line || !snapshot) return;
  line.textContent = presenceText(snapshot) || text("nobody");
  line.hidden = false;
}

const meetingHandlers = {
  meeting_updated: (data) => meetingUpdated(data.meeting),
  question_asked: (data) => {
    questionChanged(data.question);
    announce(text("announceQuestion"));
  },
  question_updated: (data) => {
    questionChanged(data.question);
    if (data.question.answered) announce(text("announceAnswered"));
  },
};

follow(socket, {
  stream: root.dataset.live,
  seq,
  onEvent: (name, data) => meetingHandlers[name]?.(data),
  onPresence: showPeople,
  onStatus: (state) => {
    root.dataset.state = state; // "live" once joined (the browser tests wait for it)
    showStatus(state);
  },
});

follow(socket, {
  stream: threadStream,
  seq: Number(root.dataset.threadSeq) || 0,
  onEvent: (name, data) => threadHandlers[name]?.(data),
  onStatus: () => {},
});

setupComposer(socket, threadId, (post) => postCreated(post));

// The meeting ends by the clock, with no event: then the page becomes the one after it.
let endTimer = null;
function watchTheEnd(iso) {
  clearTimeout(endTimer);
  const endsIn = Date.parse(iso) - Date.now();
  if (endsIn > 0 && endsIn < 2 ** 31 - 1) endTimer = setTimeout(reloadSoon, endsIn + 1000);
}
watchTheEnd(root.dataset.endsAt);
