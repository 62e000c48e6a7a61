// Reply forms send over the socket without a reload; the new post itself arrives as
// post_created. Without a connection the form posts as usual (as it does without JavaScript).

import { root, text } from "./page.js";

const ACK_TIMEOUT_MS = 15_000;

function showError(textarea, message) {
  const id = `${textarea.id}-error`;
  let error = document.getElementById(id);
  if (!error) {
    error = document.createElement("p");
    error.className = "error";
    error.id = id;
    textarea.after(error);
  }
  error.textContent = message;
  textarea.setAttribute("aria-invalid", "true");
  textarea.setAttribute("aria-describedby", id);
  textarea.focus(); // read out with its description: the error
}

function clearError(textarea) {
  document.getElementById(`${textarea.id}-error`)?.remove();
  textarea.removeAttribute("aria-invalid");
  textarea.removeAttribute("aria-describedby");
  textarea.closest(".has-error")?.classList.remove("has-error");
}

/** A new idempotency key, as the server makes them for a rendered form. */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function errorMessage({ fields, message }) {
  return fields?.body ?? Object.values(fields ?? {})[0] ?? message;
}

/** onSent(post): the reply as its author sees it (with their can_* flags), from the server. */
export function setupComposer(socket, threadId, onSent) {
  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("form[data-reply-form]") || !socket.connected) return;
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return; // already sending
    const textarea = form.elements.body;
    const parentId = Number(form.elements.parent_id?.value) || null;
    const reply = { thread_id: threadId, body: textarea.value };
    if (parentId) reply.parent_id = parentId;
    // The form's key goes with it: sent again after an answer that never came, the reply is
    // stored once. Once sent, the form gets a new key for the next reply.
    const key = form.elements.idempotency_key;
    if (key?.value) reply.idempotency_key = key.value;
    form.setAttribute("aria-busy", "true");
    socket.timeout(ACK_TIMEOUT_MS).emit("post_reply", reply, (err, ack) => {
      form.removeAttribute("aria-busy");
      if (err) return showError(textarea, text("noAnswer"));
      if (ack.error) return showError(textarea, errorMessage(ack.error));
      clearError(textarea);
      textarea.value = "";
      if (key) key.value = newKey();
      onSent(ack.post);
      const box = form.closest("details");
      if (box) {
        box.open = false;
        box.querySelector("summary").focus();
      }
    });
  });
}
