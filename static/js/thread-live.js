// A thread page that updates live: new, edited, hidden and deleted posts, the thread's state,
// who is here, who is writing, and replies sent without a reload.
//
// The page is one slice of the thread (discussion/thread.html): a new top-level reply goes at
// the thread's end, so it is shown only on the last slice (elsewhere a notice links to it); a
// reply to a post on the page is shown under it; changes to posts not on the page are ignored.
//
// Live events show posts as a guest would; where this reader may see or do more (their own
// post, a moderator), the page asks the API for the reader's own view. The server decides every
// permission: the page only shows what the can_* flags it gets allow.

import { follow } from "./channel.js";
import { setupComposer } from "./composer.js";
import {
  announce, authorNodes, countOf, root, seq, setCount, text, timeElement, url, userId,
} from "./page.js";
import { showPresence, showStatus } from "./presence.js";
import { refreshBanner } from "./draft-banner.js";
import { socket } from "./socket.js";
import { setupTyping } from "./typing.js";

const threadId = Number(root.dataset.threadId);
const moderator = root.dataset.moderator === "true";
let canReply = root.dataset.canReply === "true";
const lastPage = root.dataset.lastPage === "true";
const uncounted = new Set(); // ids of replies that came already deleted (never counted)
const replyCount = root.querySelector(".reply-count");

function fromTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

/** The <article> of a post in the given state, as discussion/_post.html renders it. */
function renderArticle(post) {
  const id = post.id;
  const article = fromTemplate("post-template").querySelector("article");
  article.setAttribute("aria-labelledby", `post-${id}-head`);
  if (post.deleted) {
    const tombstone = fromTemplate("tombstone-template");
    tombstone.id = `post-${id}-head`;
    article.replaceChildren(tombstone);
    return article;
  }
  article.querySelector(".post-head").id = `post-${id}-head`;
  article.querySelector(".who").replaceWith(...authorNodes(post.author));
  article.querySelector(".permalink").href = url(root.dataset.postUrl, id);
  timeElement(post.created_at, article.querySelector("time"));
  if (post.edited_at) markEdited(article, id);
  const note = article.querySelector(".hidden-note");
  const ownNote = article.querySelector(".hidden-own-note");
  const body = article.querySelector(".post-body");
  if (post.hidden) {
    note.textContent = text("hiddenNote", { reason: post.hidden_reason });
    body.classList.add("is-hidden");
  } else {
    note.remove();
  }
  if (!post.hidden || !post.body_html) ownNote.remove();
  if (post.body_html || !post.hidden) body.innerHTML = post.body_html; // sanitised by the server
  else body.remove();
  const edit = article.querySelector(".edit-link");
  const remove = article.querySelector(".delete-link");
  if (post.can_edit) edit.href = url(edit.getAttribute("href"), id);
  else edit.remove();
  if (post.can_delete) remove.href = url(remove.getAttribute("href"), id);
  else remove.remove();
  showModerationTools(article, post);
  const box = article.querySelector(".reply-box");
  if (box && canReply) {
    box.querySelector("input[name=parent_id]").value = id;
    box.querySelector("label").htmlFor = `reply-to-${id}`;
    box.querySelector("label").textContent = text("replyTo", { name: post.author.display_name });
    box.querySelector("textarea").id = `reply-to-${id}`;
  } else {
    box?.remove();
  }
  return article;
}

/** A moderator's controls of the post, fitting its state (moderation/_live_post_tools.html). */
function showModerationTools(article, post) {
  const tools = article.querySelector(".mod-tools");
  if (!tools) return;
  const hide = tools.querySelector(".hide-link");
  const restore = tools.querySelector(".restore-form");
  const mute = tools.querySelector(".mute-link");
  if (post.hidden) hide.remove();
  else restore.remove();
  if (hide.isConnected) hide.href = url(hide.getAttribute("href"), post.id);
  if (restore.isConnected) restore.action = url(restore.getAttribute("action"), post.id);
  if (mute && post.author && post.author.id !== userId) mute.href = url(mute.getAttribute("href"), post.author.id);
  else mute?.remove();
}

/** A reply box under a post already on the page, as the template renders it. */
function addReplyBox(li) {
  const article = li.querySelector(":scope > article");
  const actions = article?.querySelector(".post-actions");
  if (!actions || actions.querySelector(".reply-box")) return;
  const id = Number(li.id.replace("post-", ""));
  const box = fromTemplate("post-template").querySelector(".reply-box");
  if (!box) return;
  box.querySelector("input[name=parent_id]").value = id;
  box.querySelector("label").htmlFor = `reply-to-${id}`;
  const name = article.querySelector(".post-head .author")?.textContent ?? "";
  box.querySelector("label").textContent = text("replyTo", { name });
  box.querySelector("textarea").id = `reply-to-${id}`;
  actions.append(box);
}

function markEdited(article, id) {
  const header = article.querySelector(".post-head");
  if (!header || header.querySelector(".edited")) return;
  const mark = fromTemplate("edited-template");
  const link = mark.querySelector("a");
  link.href = url(link.getAttribute("href"), id);
  header.append(mark);
}

function isTombstone(li) {
  return Boolean(li?.querySelector(":scope > article > .tombstone"));
}

/** Put the post on the page as given, keeping its replies and, if it had it, the focus; a
 * post that is not on this slice stays off it. */
function showPost(post) {
  const li = document.getElementById(`post-${post.id}`);
  if (!li) return false;
  const old = li.querySelector(":scope > article");
  const article = renderArticle(post);
  // A reply being written under the post stays as it is, text, focus and all.
  const box = old.querySelector(".reply-box");
  const freshBox = article.querySelector(".reply-box");
  if (box && freshBox) freshBox.replaceWith(box);
  const hadFocus = old.contains(document.activeElement) && !box?.contains(document.activeElement);
  old.replaceWith(article);
  if (hadFocus) (article.querySelector(".tombstone, .permalink") ?? article).focus();
  return false;
}

/** A post new to the thread: "shown" under its parent on this slice, "later" if it is a new
 * top-level reply that belongs to a later slice, "elsewhere" if its parent is not on the page. */
function addPost(post) {
  const parent = document.getElementById(`post-${post.parent_id}`);
  if (!parent || !root.contains(parent)) return "elsewhere";
  if (!lastPage && parent.matches(".post-tree > .post")) return "later";
  let replies = parent.querySelector(":scope > ol.replies");
  if (!replies) {
    replies = Object.assign(document.createElement("ol"), { className: "replies" });
    parent.append(replies);
  }
  const li = fromTemplate("post-template");
  li.replaceChildren(renderArticle(post));
  li.id = `post-${post.id}`;
  li.classList.add(`depth-${post.depth}`, "is-new");
  replies.append(li);
  return "shown";
}

/** Where this slice ends before the newest replies: a polite notice with a link to them. */
function showNewer(post, message) {
  const notice = document.getElementById("newer-replies");
  if (!notice) return;
  const link = Object.assign(document.createElement("a"), { href: url(root.dataset.postUrl, post.id) });
  link.textContent = text("newerLink");
  notice.replaceChildren(`${message} `, link);
  notice.hidden = false;
}

/** Ask for this reader's own view of a post where it may differ from a guest's. */
async function refreshPost(post) {
  if (!(moderator || (userId !== null && post.author?.id === userId))) return;
  try {
    const response = await fetch(url(root.dataset.postApiUrl, post.id), {
      headers: { Accept: "application/json" },
    });
    if (response.ok) showPost((await response.json()).post);
  } catch {
    // Offline: the guest's view stays until the next change or reload.
  }
}

function postCreated(post, ownView = false) {
  if (document.getElementById(`post-${post.id}`)) {
    showPost(post);
    if (!ownView) refreshPost(post);
    return;
  }
  const where = addPost(post);
  if (post.deleted) {
    uncounted.add(post.id); // created and deleted since: no new reply
    return;
  }
  setCount(replyCount, countOf(replyCount) + 1);
  if (post.author) {
    typing.stopped(post.author.id);
    const own = post.author.id === userId;
    const message = own ? text("announceOwn") : text("announceReply", { name: post.author.display_name });
    if (where === "shown") announce(message);
    else if (where === "later") {
      showNewer(post, own ? message : text("newerReplies"));
      announce(own ? message : text("newerReplies"));
    }
  }
  if (where === "shown" && !ownView) refreshPost(post);
}

function postUpdated(post) {
  if (!document.getElementById(`post-${post.id}`)) return; // not on this slice
  showPost(post);
  if (post.author) announce(text("announceEdit", { name: post.author.display_name }));
  refreshPost(post);
}

function postDeleted(post) {
  const li = document.getElementById(`post-${post.id}`);
  if (!li) {
    // Not on this slice: only the thread's count changes (unless it came already deleted).
    if (post.parent_id !== null && !uncounted.has(post.id)) {
      setCount(replyCount, Math.max(0, countOf(replyCount) - 1));
    }
    return;
  }
  if (isTombstone(li)) return;
  showPost(post);
  if (post.parent_id !== null) setCount(replyCount, Math.max(0, countOf(replyCount) - 1));
  announce(text("announceDelete"));
}

function postHidden(post) {
  if (!document.getElementById(`post-${post.id}`)) return; // not on this slice
  showPost(post);
  announce(text("announceHidden"));
  refreshPost(post);
}

function postRestored(post) {
  if (!document.getElementById(`post-${post.id}`)) return; // not on this slice
  showPost(post);
  announce(text("announceRestored"));
  refreshPost(post);
}

function setCanReply(allowed) {
  if (allowed === canReply) return;
  canReply = allowed;
  const form = root.querySelector("#reply-form");
  if (form) form.hidden = !allowed;
  if (!allowed) {
    for (const box of root.querySelectorAll(".post-actions .reply-box")) {
      if (!box.contains(document.activeElement)) box.remove();
    }
  } else {
    for (const li of root.querySelectorAll(".post-tree li.post")) {
      if (!isTombstone(li)) addReplyBox(li);
    }
  }
}

/** The breadcrumb of the room a moved thread is in now. */
async function showRoom(roomId) {
  const crumb = root.querySelector(".breadcrumbs a:last-child");
  if (!crumb) return;
  crumb.href = url(root.dataset.roomUrl, roomId);
  try {
    const response = await fetch(url(root.dataset.roomApiUrl, roomId), {
      headers: { Accept: "application/json" },
    });
    if (response.ok) crumb.textContent = (await response.json()).room.name;
  } catch {
    // Offline: the link leads to the right room; its name catches up on reload.
  }
}

/** The thread header's controls (moderation/_thread_tools.html) that fit its state. */
function showThreadTools(thread) {
  const tools = root.querySelector(".thread-tools");
  if (!tools) return;
  const locked = thread.status === "locked";
  const show = { lock_thread: !locked, unlock_thread: locked, pin_thread: !thread.pinned,
    unpin_thread: thread.pinned };
  for (const [tool, visible] of Object.entries(show)) {
    const control = tools.querySelector(`[data-tool="${tool}"]`);
    if (control) control.hidden = !visible;
  }
  if (thread.deleted) tools.remove();
}

function updateThread(thread) {
  setCount(replyCount, thread.reply_count);
  showThreadTools(thread);
  if (Number(root.dataset.roomId) !== thread.room_id) {
    root.dataset.roomId = String(thread.room_id);
    showRoom(thread.room_id);
    announce(text("announceMoved"));
  }
  const meta = replyCount.parentElement;
  let pinned = meta.querySelector(".tag-pinned");
  if (thread.pinned && !pinned) {
    pinned = Object.assign(document.createElement("span"), { className: "tag tag-pinned" });
    pinned.textContent = text("pinned");
    meta.prepend(pinned, " ");
  } else if (!thread.pinned) {
    pinned?.remove();
  }
  const message = thread.deleted ? text("deletedNotice")
    : thread.status === "locked" ? text("lockedNotice") : "";
  let notice = document.getElementById("thread-notice");
  if (message && notice?.textContent.trim() !== message) {
    notice ??= Object.assign(document.createElement("p"), { id: "thread-notice" });
    notice.className = "notice";
    notice.setAttribute("role", "note");
    notice.textContent = message;
    meta.after(notice);
    announce(message);
  } else if (!message) {
    notice?.remove();
  }
  if (thread.deleted) {
    // Nobody writes in a deleted thread: take away what would only be refused.
    setCanReply(false);
    for (const actions of root.querySelectorAll(".post-actions")) actions.replaceChildren();
  } else {
    channel.rejoin(); // this reader's own flags for the thread come with the answer
  }
}

const handlers = {
  post_created: (data) => postCreated(data.post),
  post_updated: (data) => postUpdated(data.post),
  post_deleted: (data) => postDeleted(data.post),
  post_hidden: (data) => postHidden(data.post),
  post_restored: (data) => postRestored(data.post),
  thread_updated: (data) => updateThread(data.thread),
  draft_updated: () => refreshBanner(),
};

const typing = setupTyping(socket, threadId);
setupComposer(socket, threadId, (post) => postCreated(post, true));
const channel = follow(socket, {
  stream: root.dataset.live,
  seq,
  onEvent: (name, data) => handlers[name]?.(data),
  onJoined: (ack) => {
    if (typeof ack.can_reply === "boolean") setCanReply(ack.can_reply);
  },
  onPresence: showPresence,
  onStatus: showStatus,
});
