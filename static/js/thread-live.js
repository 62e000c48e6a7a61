// A thread page that updates live: new, edited and deleted posts, the thread's state, who is
// here, who is writing, and replies sent without a reload.

import { follow } from "./channel.js";
import { setupComposer } from "./composer.js";
import {
  announce, authorNodes, countOf, root, seq, setCount, text, timeElement, url, userId,
} from "./page.js";
import { showPresence, showStatus } from "./presence.js";
import { setupTyping } from "./typing.js";

const threadId = Number(root.dataset.threadId);
let canReply = root.dataset.canReply === "true";
const replyCount = root.querySelector(".reply-count");

function renderPost(post) {
  const li = document.getElementById("post-template").content.firstElementChild.cloneNode(true);
  const id = post.id;
  li.id = `post-${id}`;
  li.classList.add(`depth-${post.depth}`, "is-new");
  li.querySelector("article").setAttribute("aria-labelledby", `post-${id}-head`);
  li.querySelector(".post-head").id = `post-${id}-head`;
  li.querySelector(".who").replaceWith(...authorNodes(post.author));
  li.querySelector(".permalink").href = `#post-${id}`;
  timeElement(post.created_at, li.querySelector("time"));
  li.querySelector(".post-body").innerHTML = post.body_html; // sanitised by the server
  const edit = li.querySelector(".edit-link");
  const remove = li.querySelector(".delete-form");
  if (post.author.id === userId) {
    edit.href = url(edit.getAttribute("href"), id);
    remove.action = url(remove.getAttribute("action"), id);
  } else {
    edit.remove();
    remove.remove();
  }
  const box = li.querySelector(".reply-box");
  if (box && canReply) {
    box.querySelector("input[name=parent_id]").value = id;
    box.querySelector("label").htmlFor = `reply-to-${id}`;
    box.querySelector("label").textContent = text("replyTo", { name: post.author.display_name });
    box.querySelector("textarea").id = `reply-to-${id}`;
  } else {
    box?.remove();
  }
  if (post.edited_at) markEdited(li);
  return li;
}

function markEdited(li) {
  const header = li.querySelector(".post-head");
  if (!header || header.querySelector(".edited")) return;
  const mark = document.getElementById("edited-template").content.firstElementChild.cloneNode(true);
  const link = mark.querySelector("a");
  link.href = url(link.getAttribute("href"), li.id.replace("post-", ""));
  header.append(mark);
}

function addPost(post) {
  if (document.getElementById(`post-${post.id}`)) return; // already on the page
  const parent =
    document.getElementById(`post-${post.parent_id}`) ??
    root.querySelector(".post-tree > .post");
  let replies = parent.querySelector(":scope > ol.replies");
  if (!replies) {
    replies = document.createElement("ol");
    replies.className = "replies";
    parent.append(replies);
  }
  replies.append(renderPost(post));
  setCount(replyCount, countOf(replyCount) + 1);
  typing.stopped(post.author.id);
  const own = post.author.id === userId;
  announce(own ? text("announceOwn") : text("announceReply", { name: post.author.display_name }));
}

function updatePost(post) {
  const li = document.getElementById(`post-${post.id}`);
  const body = li?.querySelector(":scope > article > .post-body");
  if (!body) return;
  body.innerHTML = post.body_html; // sanitised by the server
  markEdited(li);
  announce(text("announceEdit", { name: post.author.display_name }));
}

function deletePost(post) {
  const article = document.querySelector(`#post-${post.id} > article`);
  if (!article || article.querySelector(".tombstone")) return;
  const tombstone = document.createElement("p");
  tombstone.className = "tombstone";
  tombstone.id = `post-${post.id}-head`;
  tombstone.tabIndex = -1;
  tombstone.textContent = text("tombstone");
  const hadFocus = article.contains(document.activeElement);
  article.replaceChildren(tombstone); // the replies below it stay
  if (hadFocus) tombstone.focus();
  if (post.parent_id !== null) setCount(replyCount, Math.max(0, countOf(replyCount) - 1));
  announce(text("announceDelete"));
}

function updateThread(thread) {
  setCount(replyCount, thread.reply_count);
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
    canReply = false;
    root.querySelector("#reply-form")?.remove();
    for (const actions of root.querySelectorAll(".post-actions")) actions.replaceChildren();
  }
}

const handlers = {
  post_created: (data) => addPost(data.post),
  post_updated: (data) => updatePost(data.post),
  post_deleted: (data) => deletePost(data.post),
  thread_updated: (data) => updateThread(data.thread),
};

const socket = io(); // same origin; the session cookie says who this is
const typing = setupTyping(socket, threadId);
setupComposer(socket, threadId);
follow(socket, {
  target: { thread_id: threadId },
  seq,
  isNext: (data, last) => data.thread_prev_seq === last,
  onEvent: (name, data) => handlers[name]?.(data),
  onPresence: showPresence,
  onStatus: showStatus,
});
