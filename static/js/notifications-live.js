// The header's unread count, kept up to date from the person's own stream, and a polite word
// when a notification arrives.

import { follow } from "./channel.js";
import { announce, plural } from "./page.js";
import { socket } from "./socket.js";

const link = document.getElementById("notifications-link");
const count = link?.querySelector(".unread-count");
const fresh = document.getElementById("new-notifications"); // on the inbox page
function setUnread(n) {
  count.dataset.count = String(n);
  count.textContent = ` (${plural("unread", n, link.dataset)})`;
  count.classList.toggle("none", n === 0);
}

function say(notification) {
  const { kind, actor, thread } = notification;
  if (kind !== "post_reply" && kind !== "thread_reply") {
    announce(link.dataset.announceOther);
    return;
  }
  if (!thread) return;
  const template = kind === "post_reply" ? link.dataset.announcePostReply : link.dataset.announceThreadReply;
  announce(template.replace("{name}", actor?.display_name ?? "").replace("{title}", thread.title));
}

if (link) {
  follow(socket, {
    stream: link.dataset.stream,
    seq: Number(link.dataset.seq) || 0,
    onEvent: (name, data) => {
      setUnread(data.unread);
      if (name === "notification") {
        say(data.notification);
        if (fresh) fresh.hidden = false;
      }
    },
    onStatus: () => {}, // the page's own stream, if any, says how the connection is
  });
}
