// A running meeting's page, live: where the agenda is, the questions to the experts, the latest
// replies of the meeting's thread (replies sent without a reload), and who is here. Each part is
// re-rendered by the server on its events (refresh.js), so it shows what a reload would show.
// Latecomers: the page shows the state it was rendered at, and joining catches up from there.

import { follow } from "./channel.js";
import { setupComposer } from "./composer.js";
import { announce, list, plural, root, seq, text } from "./page.js";
import { showStatus } from "./presence.js";
import { refresher } from "./refresh.js";
import { socket } from "./socket.js";

const threadStream = root.dataset.threadStream;
const threadId = Number(threadStream.split(":")[1]);

function refreshed(headingId) {
  return (element, hadFocus) => {
    element.dataset.state = "fresh"; // the browser tests wait for it
    if (hadFocus) document.getElementById(headingId)?.focus();
  };
}

const refreshAgenda = refresher("meeting-now", refreshed("meeting-now-heading"));
const refreshQuestions = refresher("meeting-question-list", refreshed("questions-heading"));
const refreshReplies = refresher("meeting-replies", refreshed("discussion-heading"));

function meetingUpdated(meeting) {
  if (meeting.status !== "live") {
    window.location.reload(); // ended or cancelled: the page is another one now
    return;
  }
  refreshAgenda();
  const current = meeting.agenda.find((item) => item.id === meeting.current_item_id);
  if (current) announce(text("announceMoved", { title: current.title }));
}

function showPeople(snapshot) {
  const line = document.getElementById("presence");
  if (!line || !snapshot) return;
  const names = snapshot.users.map((user) => user.display_name);
  if (snapshot.guests) names.push(plural("guests", snapshot.guests));
  const count = snapshot.users.length + snapshot.guests;
  line.textContent = names.length ? `${plural("hereNow", count)}: ${list(names)}` : text("nobody");
  line.hidden = false;
}

const meetingHandlers = {
  meeting_updated: (data) => meetingUpdated(data.meeting),
  question_asked: () => {
    refreshQuestions();
    announce(text("announceQuestion"));
  },
  question_updated: (data) => {
    refreshQuestions();
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
  onEvent: (name) => {
    if (!name.startsWith("post_")) return;
    refreshReplies();
    if (name === "post_created") announce(text("announceReply"));
  },
  onStatus: () => {},
});

setupComposer(socket, threadId, () => refreshReplies());

// The meeting ends by the clock, with no event: then the page becomes the one after it.
const endsIn = Date.parse(root.dataset.endsAt) - Date.now();
if (endsIn > 0 && endsIn < 2 ** 31 - 1) setTimeout(() => window.location.reload(), endsIn + 1000);
