// The thread page's banner with the draft the thread became (drafts/_thread_banner.html): a
// draft_updated event on the thread's stream shows it as the server renders it now.

import { announce } from "./page.js";
import { refresher } from "./refresh.js";

export const refreshBanner = refresher("draft-banner", (element) => {
  const words = element.querySelector(".notice")?.textContent.trim();
  if (words) announce(words.replace(/\s+/g, " "));
});
