// What a live page tells its scripts (data-* on [data-live]), its translated strings, and the
// one polite live region through which every change is announced.

export const root = document.querySelector("[data-live]");
const data = root?.dataset ?? {};
const lang = document.documentElement.lang || "pl";
const plurals = new Intl.PluralRules(lang);

export const userId = data.userId ? Number(data.userId) : null;
export const seq = Number(data.seq) || 0;

/** A translated string from data-<key>, with {name}-style placeholders filled in. */
export function text(key, values = {}) {
  return (data[key] ?? "").replace(/\{(\w+)\}/g, (all, name) => values[name] ?? all);
}

/** "5 replies" in the page's language: data-<key> holds the forms rendered for a few numbers
 * (on the live page's root, or on the element whose dataset is given). */
export function plural(key, n, dataset = data) {
  const samples = JSON.parse(dataset[key] || "[]");
  const category = plurals.select(n);
  const [sample, form] = samples.find(([k]) => plurals.select(k) === category) ?? samples.at(-1);
  return form.replace(String(sample), String(n));
}

/** "Anna, Jan and Ewa" in the page's language. */
export function list(items) {
  return new Intl.ListFormat(lang, { type: "conjunction" }).format(items);
}

/** A URL of the page's with the placeholder id replaced, e.g. url("profileUrl", 7). */
export function url(pattern, id) {
  return pattern.replace(data.anyId, String(id));
}

const timeFormat = new Intl.DateTimeFormat(lang, {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: data.timeZone || "Europe/Warsaw",
});

/** A <time> element as the server renders one (Kraków time). */
export function timeElement(iso, element = document.createElement("time")) {
  element.dateTime = iso;
  element.textContent = timeFormat.format(new Date(iso));
  return element;
}

/** The author's profile link and role badges, as macros/people.html renders them. */
export function authorNodes(user) {
  const link = document.createElement("a");
  link.className = "author";
  link.href = url(data.profileUrl, user.id);
  link.textContent = user.display_name;
  const nodes = [link];
  for (const { role, scope } of user.badges ?? []) {
    const badge = document.createElement("span");
    badge.className = `badge badge-${role}`;
    const label = data[`badge${role[0].toUpperCase()}${role.slice(1)}`] ?? role;
    badge.textContent = scope ? `${label} · ${scope}` : label;
    nodes.push(" ", badge);
  }
  return nodes;
}

/** Replace a ngettext-rendered count ("3 replies") kept in element.dataset.count. */
export function setCount(element, n) {
  if (!element) return;
  element.dataset.count = String(n);
  element.textContent = plural("replies", n);
}

export function countOf(element) {
  return Number(element?.dataset.count) || 0;
}

const region = document.getElementById("live-region");
let queued = [];
let timer = null;

/** Say it politely; what arrives together (a catch-up) is said together, the last few only. */
export function announce(message) {
  if (!region || !message) return;
  queued.push(message);
  region.textContent = ""; // a change even when the same words come again
  clearTimeout(timer);
  timer = setTimeout(() => {
    region.textContent = queued.slice(-3).join(" ");
    queued = [];
  }, 300);
}
