// The duplicates page: groups of near-identical photos, each with what tells the copies apart, and delete.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { forget, publish } from "./sequence.js";
import { photoPath, photoTile } from "./tile.js";
import { $, $$, formatBytes, formatDateTime, h, icon } from "./ui.js";

const GRID = "grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-5";

let list;
let target = null; // the card whose Delete button opened the dialog

const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** The short form the duplicates API sends has no file size: fetch it from the detail, a few at a time. */
async function fillSizes(photos) {
  const queue = photos.filter((photo) => photo.file_size === undefined);
  const worker = async () => {
    for (let photo = queue.shift(); photo; photo = queue.shift()) {
      const slot = $(`[data-dup-photo="${photo.id}"] [data-size]`, list);
      try {
        const detail = await api(endpoints.photo(photo.id));
        if (slot) slot.textContent = formatBytes(detail.file_size);
      } catch {
        if (slot) slot.textContent = "–";
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

function fact(label, value, props = {}) {
  return h("div", { class: "flex justify-between gap-2" },
    h("dt", { class: "text-neutral-500 dark:text-neutral-400", text: label }),
    h("dd", { class: "truncate text-right tabular-nums text-neutral-800 dark:text-neutral-200", text: value, ...props }));
}

const bestBadge = () => h("span", { class: "badge absolute top-2 left-2 bg-black/60 text-white backdrop-blur",
  text: "Highest resolution" });

function card(photo, best) {
  const label = photo.caption || photo.filename;
  return h("li", { class: "flex min-w-0 flex-col overflow-hidden rounded-xl border border-neutral-200 bg-white dark:border-neutral-800 dark:bg-neutral-900", dataset: { dupPhoto: photo.id } },
    photoTile(photo, { className: "aspect-[4/3]", height: 192, decorative: true, badge: best ? bestBadge() : null }),
    h("div", { class: "flex flex-1 flex-col gap-2 p-3" },
      h("a", { href: photoPath(photo.id), class: "link block truncate text-sm", title: label, text: photo.filename }),
      h("dl", { class: "space-y-0.5 text-xs" },
        fact("Dimensions", `${photo.width} × ${photo.height}`),
        fact("Size", photo.file_size === undefined ? "…" : formatBytes(photo.file_size), { dataset: { size: "" } }),
        fact("Taken", formatDateTime(photo.taken_at))),
      h("button", {
        type: "button", class: "btn btn-secondary mt-auto min-h-10 w-full text-red-600 hover:border-red-300 hover:bg-red-50 dark:text-red-400 dark:hover:border-red-900 dark:hover:bg-red-950/50",
        "aria-label": `Delete ${photo.filename}`, dataset: { dupDelete: photo.id, name: photo.filename },
      }, icon("trash", "size-4"), "Delete")));
}

function group(photos, index) {
  const pixels = photos.map((photo) => photo.width * photo.height);
  const most = Math.max(...pixels);
  const best = pixels.filter((value) => value === most).length === 1 ? pixels.indexOf(most) : -1;
  const title = `group-${index}`;
  return h("li", { class: "card p-3 sm:p-4", dataset: { dupGroup: "" }, "aria-labelledby": title },
    h("h2", { id: title, class: "px-1 pb-3 text-sm font-semibold", dataset: { dupTitle: "" }, text: `${photos.length} similar photos` }),
    h("ul", { class: GRID, "aria-label": "Photos in this group" }, photos.map((photo, i) => card(photo, i === best))));
}

/** The photos on the page, group by group: the order the photo pages they open step through. */
function publishOrder() {
  const ids = $$("[data-dup-photo]", list).map((node) => Number(node.dataset.dupPhoto));
  publish({ ids, back: location.pathname });
}

function refresh() {
  const groups = $$("[data-dup-group]", list);
  for (const node of groups) {
    const count = $$("[data-dup-photo]", node).length;
    $("[data-dup-title]", node).textContent = `${count} similar photos`;
  }
  const photos = $$("[data-dup-photo]", list).length;
  $("[data-dup-summary]").textContent = groups.length ? `${plural(groups.length, "group")} · ${plural(photos, "photo")}` : "";
  $("[data-dup-empty]").hidden = groups.length > 0;
}

async function remove(button) {
  const id = Number(button.dataset.dupDelete);
  const error = $("[data-dup-error]");
  error.textContent = "";
  button.disabled = true;
  try {
    await api(endpoints.photo(id), { method: "DELETE" });
  } catch (failure) {
    button.disabled = false;
    error.textContent = `Not deleted: ${failure.message}.`;
    return;
  }
  forget(id); // a grid of another page, shown again from the page cache, drops its tile too
  const node = button.closest("[data-dup-photo]");
  const owner = node.closest("[data-dup-group]");
  node.remove();
  // One photo left is no longer a duplicate of anything: the group goes.
  if ($$("[data-dup-photo]", owner).length < 2) owner.remove();
  refresh();
  publishOrder(); // without the deleted photo, nor one left alone in its group
  const next = $("[data-dup-delete]", list);
  if (next) next.focus();
}

function initDelete() {
  const dialog = $("[data-delete-dialog]");
  list.addEventListener("click", (event) => {
    const button = event.target.closest("[data-dup-delete]");
    if (!button) return;
    target = button;
    $("[data-delete-name]", dialog).textContent = button.dataset.name;
    dialog.returnValue = "";
    dialog.showModal();
  });
  dialog.addEventListener("close", () => {
    const button = target;
    target = null;
    if (dialog.returnValue === "delete" && button) remove(button);
    else if (button) button.focus();
  });
}

export async function initDuplicates() {
  list = $("[data-dup-groups]");
  initDelete();
  try {
    const reply = await api(endpoints.duplicates());
    list.replaceChildren(...reply.groups.filter((photos) => photos.length > 1).map(group));
    refresh();
    publishOrder();
    fillSizes(reply.groups.flat()).catch(() => {});
  } catch (failure) {
    $("[data-dup-error]").textContent = `Could not load duplicates: ${failure.message}`;
  } finally {
    $("[data-dup-loading]").hidden = true;
    document.body.dataset.ready = "true";
  }
}
