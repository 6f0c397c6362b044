// The Trash page: deleted photos with how long each has left, picked by their checkboxes to restore or delete for
// good; "Empty trash" deletes them all. Every deletion asks first, in the app's own dialog.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { pickTile } from "./tile.js";
import { $, $$, confirmDialog } from "./ui.js";

const PAGE_SIZE = 100;
const DAY = 24 * 60 * 60 * 1000;
const state = { cursor: null, loading: false, done: false };
let list;

const plural = (count, one, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const status = (text) => { $("[data-trash-status]").textContent = text; };
const boxes = () => $$("input[data-pick]", list);
const chosen = () => boxes().filter((box) => box.checked).map((box) => Number(box.dataset.pick));

/** "Deleted in 29 days", "Deleted tomorrow", "Deleted today": how long a photo has left in Trash. */
export function timeLeft(purgeAt, now = Date.now()) {
  const days = Math.ceil((Date.parse(purgeAt) - now) / DAY);
  if (days <= 0) return "Deleted today";
  return days === 1 ? "Deleted tomorrow" : `Deleted in ${days} days`;
}

const item = (photo) => pickTile(photo, { note: timeLeft(photo.purge_at), onchange: showSelection });

function showSelection() {
  const count = chosen().length;
  const all = boxes().length;
  $("[data-trash-selected]").textContent = count ? `${plural(count, "photo")} selected` : `${plural(all, "photo")} in Trash`;
  $("[data-trash-restore]").disabled = !count;
  $("[data-trash-delete]").disabled = !count;
  $("[data-trash-select-all]").textContent = count === all && all ? "Select none" : "Select all";
  $("[data-trash-bar]").hidden = !all;
  $("[data-trash-empty-state]").hidden = !(state.done && !all);
}

async function loadMore() {
  if (state.loading || state.done) return;
  state.loading = true;
  try {
    const reply = await api(endpoints.trash({ limit: PAGE_SIZE, cursor: state.cursor }));
    list.append(...reply.items.map(item));
    state.cursor = reply.next_cursor;
    state.done = !reply.next_cursor;
    showSelection();
  } catch (failure) {
    status(`Could not load the Trash: ${failure.message}.`);
  } finally {
    state.loading = false;
  }
  if (!state.done && $("[data-sentinel]").getBoundingClientRect().top < innerHeight + 800) loadMore();
}

function removeItems(ids) {
  for (const id of ids) $(`input[data-pick="${id}"]`, list)?.closest("li").remove();
  showSelection();
}

async function act(ids, { url, body, done }) {
  try {
    await api(url, { method: body ? "POST" : "DELETE", body });
  } catch (failure) {
    status(`Nothing changed: ${failure.message}.`);
    return;
  }
  removeItems(ids);
  status(done);
}

async function restore() {
  const ids = chosen();
  await act(ids, { url: endpoints.restoreFromTrash(), body: { ids }, done: `${plural(ids.length, "photo")} restored to your library.` });
}

async function deleteChosen() {
  const ids = chosen();
  const yes = await confirmDialog({
    title: `Delete ${plural(ids.length, "photo")} for good?`,
    text: "They and their files will be gone from Shoebox; this cannot be undone.", confirm: "Delete for good",
  });
  if (yes) await act(ids, { url: endpoints.deleteForGood(), body: { ids }, done: `${plural(ids.length, "photo")} deleted for good.` });
}

async function emptyTrash() {
  const yes = await confirmDialog({
    title: "Empty the Trash?", text: "Every photo in the Trash and its files will be gone from Shoebox; this cannot be undone.",
    confirm: "Empty trash",
  });
  if (!yes) return;
  try {
    const { deleted } = await api(endpoints.trash(), { method: "DELETE" });
    state.done = true; // the pages not loaded yet went too
    removeItems(boxes().map((box) => Number(box.dataset.pick)));
    status(`${plural(deleted, "photo")} deleted for good.`);
  } catch (failure) {
    status(`Nothing changed: ${failure.message}.`);
  }
}

export function initTrash() {
  list = $("[data-trash]");
  $("[data-trash-restore]").addEventListener("click", restore);
  $("[data-trash-delete]").addEventListener("click", deleteChosen);
  $("[data-trash-empty]").addEventListener("click", emptyTrash);
  $("[data-trash-select-all]").addEventListener("click", () => {
    const every = chosen().length !== boxes().length;
    for (const box of boxes()) box.checked = every;
    showSelection();
  });
  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadMore();
  }, { rootMargin: "800px" }).observe($("[data-sentinel]"));
  loadMore().then(() => { document.body.dataset.ready = "true"; });
}
