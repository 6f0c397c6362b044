// "On this day" on the library page: the photos taken on today's month and day in earlier years, a row per year,
// the latest first; hidden when there are none (and while the page shows search results).
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { photoTile } from "./tile.js";
import { $, h } from "./ui.js";

let found = false;

/** Today in the user's own time zone, as YYYY-MM-DD (the server's clock may be somewhere else). */
function localDate(now = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const ago = (years) => (years === 1 ? "1 year ago" : `${years} years ago`);

function year(memory) {
  const more = memory.count - memory.photos.length;
  const title = `${ago(memory.years_ago)} · ${memory.year}`;
  return h("section", { "aria-label": title, dataset: { memoryYear: memory.year } },
    h("h3", { class: "mb-1.5 text-xs font-medium text-neutral-600 dark:text-neutral-400" }, title,
      more > 0 ? h("span", { text: ` · ${memory.count} photos` }) : null),
    h("div", { class: "flex gap-1 overflow-x-auto pb-1 sm:gap-1.5" },
      ...memory.photos.map((photo) => photoTile(photo, { className: "w-24 shrink-0 rounded-md sm:w-32" }))));
}

/** Ask for today's memories once and show them (unless `hiddenNow()` says the page shows something else). */
export async function loadMemories(hiddenNow) {
  const section = $("[data-memories]");
  if (!section) return;
  const { years } = await api(endpoints.onThisDay(localDate()));
  $("[data-memories-years]", section).replaceChildren(...years.map(year));
  found = years.length > 0;
  section.hidden = !found || hiddenNow();
}

/** Show the memories (when there are some) on the timeline; hide them for search results. */
export function showMemories(show) {
  const section = $("[data-memories]");
  if (section) section.hidden = !(show && found);
}
