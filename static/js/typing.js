// "Anna is writing…": tell the thread when the user types a reply, show who else does.

import { list, root, text, userId } from "./page.js";

const SEND_EVERY_MS = 3_000; // the server drops more frequent signals anyway
const SHOW_FOR_MS = 5_000;

export function setupTyping(socket, threadId) {
  const line = document.getElementById("typing");
  const writers = new Map(); // user id → {name, timer}
  let sentAt = 0;
  let later = null; // typing goes on within the interval: say so once it is over

  function send() {
    later = null;
    if (!socket.connected) return;
    sentAt = Date.now();
    socket.emit("typing", { thread_id: threadId });
  }

  if (userId !== null) {
    root.addEventListener("input", (event) => {
      if (!event.target.matches("form[data-reply-form] textarea") || later) return;
      const wait = sentAt + SEND_EVERY_MS - Date.now();
      if (wait <= 0) send();
      else later = setTimeout(send, wait + 250); // a little late rather than dropped by the server
    });
    root.addEventListener("submit", () => {
      clearTimeout(later); // the reply is written: no "is writing" after it
      later = null;
    });
  }

  function render() {
    const names = [...writers.values()].map((writer) => writer.name);
    line.textContent =
      names.length === 0 ? ""
      : names.length === 1 ? text("typingOne", { name: names[0] })
      : text("typingMany", { names: list(names) });
  }

  function stopped(id) {
    clearTimeout(writers.get(id)?.timer);
    if (writers.delete(id)) render();
  }

  socket.on("typing", ({ stream, user }) => {
    if (stream !== `thread:${threadId}` || user.id === userId) return;
    clearTimeout(writers.get(user.id)?.timer);
    const timer = setTimeout(() => stopped(user.id), SHOW_FOR_MS);
    writers.set(user.id, { name: user.display_name, timer });
    render();
  });

  return { stopped }; // a posted reply ends its author's "is writing"
}
