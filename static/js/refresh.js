// Put a part of the page in place of ours as the server renders it now: what a live event
// changed is shown exactly as a reload would show it, permissions and all.

const DELAY_MS = 150; // what arrives together (a catch-up) is one fetch

/** refresher(id, onDone, spreadMs): fetch this page again and replace the children of element
 * #id (or of each element of a list of ids: one fetch for them all) with its own; onDone(element)
 * runs after each replacement. Returns a function that schedules it, after DELAY_MS plus a random
 * part of spreadMs: what many pages refresh on at once then reaches the server spread out. */
export function refresher(id, onDone, spreadMs = 0) {
  const ids = Array.isArray(id) ? id : [id];
  let running = null;
  let again = false;
  let timer = null;

  async function run() {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        const response = await fetch(window.location.href, { credentials: "same-origin" });
        if (!response.ok) return;
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        for (const each of ids) {
          const fresh = page.getElementById(each);
          const element = document.getElementById(each);
          if (!fresh || !element) continue;
          const hadFocus = element.contains(document.activeElement);
          element.replaceChildren(...fresh.childNodes);
          onDone?.(element, hadFocus);
        }
      } catch {
        // Offline: the page catches up with the next event or a reload.
      } finally {
        running = null;
        if (again) {
          again = false;
          run();
        }
      }
    })();
  }

  return () => {
    clearTimeout(timer);
    timer = setTimeout(run, DELAY_MS + Math.random() * spreadMs);
  };
}
