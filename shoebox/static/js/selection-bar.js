// The bar shown while photos are picked (templates/library/_selection.html): how many, and what to do with all of
// them at once: add to an album (or a new one), favourite, tags, date and time, location, download, move to Trash.
// Escape or × clears the selection. Every action is one request for all the photos (all or none changes).
import { api, cookie } from "./api.js";
import { askForNewAlbum, photoCount } from "./albums-common.js";
import * as endpoints from "./endpoints.js";
import { MAX_SELECTION } from "./selection.js";
import { $, $$, confirmDialog, debounce, h } from "./ui.js";

let selection;
let bar;
let onEdited;
let toastTimer;

/** An action's dialog: the page's template of them joins the page the first time one is needed. */
function dialog(name) {
  const template = $("template[data-selection-dialogs]");
  if (template) {
    document.body.append(template.content.cloneNode(true));
    template.remove();
  }
  return $(`[data-selection-dialog="${name}"]`);
}
const tags = (text) => text.split(",").map((tag) => tag.trim()).filter(Boolean);

/** Say what happened, for a few seconds (a live region: screen readers hear it). */
export function toast(text) {
  const node = $("[data-selection-toast]");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; }, 5000);
}

/** "+2h", "-1d 3h", "90m", "+1h30m": seconds (the sign, if any, goes for the whole), or null if it is none. */
export function parseShift(text) {
  const found = /^\s*([+-−])?\s*((?:\d+\s*[dhms]\s*)+)$/i.exec(text || "");
  if (!found) return null;
  const size = { d: 86400, h: 3600, m: 60, s: 1 };
  let seconds = 0;
  for (const [, amount, unit] of found[2].matchAll(/(\d+)\s*([dhms])/gi)) seconds += Number(amount) * size[unit.toLowerCase()];
  return found[1] && found[1] !== "+" ? -seconds : seconds;
}

/** 97200 -> "1 day 3 hours" */
function duration(seconds) {
  const parts = [];
  let left = Math.abs(seconds);
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]]) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count) parts.push(`${count} ${unit}${count === 1 ? "" : "s"}`);
  }
  return parts.join(" ") || "0 seconds";
}

function showCount() {
  const size = selection.size;
  bar.hidden = !size;
  $("[data-selection-count]", bar).textContent = `${size.toLocaleString()} selected`;
  const label = allFavourites() ? "Unfavourite" : "Favourite";
  const button = $("[data-selection-favourite]", bar);
  button.title = label;
  button.dataset.on = String(allFavourites()); // its name says what it does: no aria-pressed as well
  $("[data-selection-favourite-label]", bar).textContent = label;
}

/** Whether every picked photo is known to be a favourite already (then the heart takes them all out). */
function allFavourites() {
  return selection.size > 0 && selection.list().every((id) => selection.favourites.get(id) === true);
}

/** Open an action's dialog; `save(form)` runs on "save" and closes it when it resolves, or shows why not. */
function ask(name, save, prepare = () => {}) {
  const node = dialog(name);
  const form = $("[data-selection-form]", node);
  const error = $("[data-selection-error]", node);
  form.reset();
  error.textContent = "";
  $("[data-selection-summary]", node).textContent = `${photoCount(selection.size)} selected.`;
  prepare(form, node);
  form.onsubmit = async (event) => {
    if (event.submitter?.value !== "save") return; // Cancel: the dialog closes itself
    event.preventDefault();
    error.textContent = "";
    try {
      await save(form);
      node.close();
    } catch (failure) {
      error.textContent = failure.message;
    }
  };
  node.showModal();
}

/** One edit of every picked photo (PATCH photos()), then the page shows the photos afresh. */
async function edit(body, done) {
  const reply = await api(endpoints.photos(), { method: "PATCH", body: { ids: selection.list(), ...body } });
  for (const photo of reply.items) selection.favourites.set(photo.id, photo.favourite);
  showCount();
  toast(done);
  onEdited("edit", reply.items);
}

// -- the actions ------------------------------------------------------------------------------------------------------
async function favourite() {
  const wanted = !allFavourites();
  try {
    await edit({ favourite: wanted }, `${photoCount(selection.size)} ${wanted ? "added to" : "taken out of"} Favourites.`);
  } catch (failure) {
    toast(`Nothing changed: ${failure.message}`);
  }
}

function editTags() {
  ask("tags", async (form) => {
    const added = tags(form.elements.namedItem("add").value);
    const removed = tags(form.elements.namedItem("remove").value);
    if (!added.length && !removed.length) throw new Error("Type a tag to add or to remove.");
    await edit({ add_tags: added, remove_tags: removed }, `Tags saved on ${photoCount(selection.size)}.`);
  });
}

function editDate() {
  ask("date", async (form) => {
    if (form.elements.namedItem("mode").value === "set") {
      const when = form.elements.namedItem("when").value;
      if (!when) throw new Error("Choose a date and time.");
      await edit({ taken_at: when.length === 16 ? `${when}:00` : when }, `${photoCount(selection.size)} now dated ${when.replace("T", " ")}.`);
      return;
    }
    const seconds = parseShift(form.elements.namedItem("shift").value);
    if (!seconds) throw new Error("Type how far to shift, like +2h or -1d 3h.");
    await edit({ shift_seconds: seconds }, `${photoCount(selection.size)} moved ${duration(seconds)} ${seconds > 0 ? "later" : "earlier"}.`);
  }, (form, node) => {
    const hint = $("[data-shift-hint]", node);
    const base = hint.dataset.base || (hint.dataset.base = hint.textContent);
    hint.textContent = base;
    const shift = form.elements.namedItem("shift");
    shift.oninput = () => {
      form.elements.namedItem("mode").value = "shift";
      const seconds = parseShift(shift.value);
      hint.textContent = seconds ? `Each photo moves ${duration(seconds)} ${seconds > 0 ? "later" : "earlier"}.` : base;
    };
    form.elements.namedItem("when").oninput = () => { form.elements.namedItem("mode").value = "set"; };
  });
}

/** "48.85, 2.35" -> {latitude, longitude}, or null. */
export function parseCoordinates(text) {
  const found = /^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text || "");
  if (!found) return null;
  const [latitude, longitude] = [Number(found[1]), Number(found[2])];
  return Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : null;
}

const placeLabel = (place) => [place.name, place.city !== place.name ? place.city : "", place.region, place.country]
  .filter((part, index, all) => part && all.indexOf(part) === index).join(", ");

function editLocation() {
  let chosen = null;
  ask("location", async (form) => {
    const coordinates = parseCoordinates(form.elements.namedItem("coordinates").value);
    const location = coordinates || (chosen && { latitude: chosen.latitude, longitude: chosen.longitude });
    if (!location) throw new Error("Pick a place from the list, or type its coordinates.");
    const where = coordinates ? `${location.latitude}, ${location.longitude}` : placeLabel(chosen);
    await edit({ location }, `${photoCount(selection.size)} now placed in ${where}.`);
  }, (form, node) => {
    const input = $("[data-place-input]", node);
    const list = $("[data-place-options]", node);
    list.replaceChildren();
    const pick = (place) => {
      chosen = place;
      input.value = placeLabel(place);
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    const lookUp = debounce(async () => {
      const text = input.value.trim();
      if (!text) { list.replaceChildren(); return; }
      try {
        const { items } = await api(endpoints.placeLookup(text));
        if (input.value.trim() !== text) return;
        list.replaceChildren(...items.map((place, index) => h("li", {
          id: `place-option-${index}`, role: "option", "aria-selected": "false", text: placeLabel(place),
          class: "cursor-pointer px-3 py-2 text-sm hover:bg-brand-50 aria-selected:bg-brand-100 dark:hover:bg-brand-900/40 dark:aria-selected:bg-brand-900/60",
          onclick: () => pick(place),
        })));
        list.places = items;
        input.setAttribute("aria-expanded", String(items.length > 0));
      } catch (failure) {
        $("[data-selection-error]", node).textContent = failure.message;
      }
    }, 200);
    input.oninput = () => { chosen = null; lookUp(); };
    input.onkeydown = (event) => moveThroughPlaces(event, input, list, pick);
  });
}

/** Arrow keys walk the place suggestions; Enter picks the one shown as active. */
function moveThroughPlaces(event, input, list, pick) {
  const options = $$('[role="option"]', list);
  if (!options.length) return;
  const now = options.findIndex((option) => option.getAttribute("aria-selected") === "true");
  if (event.key === "Enter" && now >= 0) {
    event.preventDefault();
    pick(list.places[now]);
    return;
  }
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  event.preventDefault();
  const next = (now + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
  options.forEach((option, index) => option.setAttribute("aria-selected", String(index === next)));
  input.setAttribute("aria-activedescendant", options[next].id);
  options[next].scrollIntoView({ block: "nearest" });
}

async function addToAlbum() {
  let albums;
  try {
    albums = (await api(endpoints.albums())).items;
  } catch (failure) {
    toast(`Could not load your albums: ${failure.message}`);
    return;
  }
  ask("album", async (form) => {
    const id = Number(form.elements.namedItem("album").value);
    const album = albums.find((item) => item.id === id);
    const reply = await api(endpoints.albumPhotos(id), { method: "POST", body: { ids: selection.list() } });
    toast(`${photoCount(selection.size)} in “${album.name}” (${reply.added} added).`);
    onEdited("album");
  }, (form, node) => {
    const choice = form.elements.namedItem("album");
    choice.replaceChildren(choice.options[0], ...albums.map((album) => h("option", { value: String(album.id), text: album.name })));
    $("[data-selection-new-album]", node).onclick = async () => {
      node.close();
      const album = await askForNewAlbum(selection.list());
      if (!album) return;
      toast(`${photoCount(album.photo_count)} in the new album “${album.name}”.`);
      onEdited("album");
    };
  });
}

async function download() {
  try {
    await api(endpoints.photos({ limit: 1 })); // renews an expired sign-in first: the form below cannot
  } catch (failure) {
    toast(`Could not download: ${failure.message}`);
    return;
  }
  const form = $("[data-download-form]");
  form.action = endpoints.download();
  form.elements.namedItem("ids").value = selection.list().join(",");
  form.elements.namedItem("csrf_token").value = cookie("csrf_access_token");
  form.submit();
  toast(`Downloading ${photoCount(selection.size)} as a ZIP file.`);
}

async function moveToTrash() {
  const count = photoCount(selection.size);
  const yes = await confirmDialog({
    title: `Move ${count} to Trash?`, confirm: "Move to Trash",
    text: `They stay in Trash for ${bar.dataset.trashDays} days, where you can restore them, then they are deleted for good.`,
  });
  if (!yes) return;
  try {
    await api(endpoints.trash(), { method: "POST", body: { ids: selection.list() } });
  } catch (failure) {
    toast(`Nothing moved: ${failure.message}`);
    return;
  }
  selection.clear();
  toast(`${count} moved to Trash.`);
  onEdited("trash");
}

const ACTIONS = { album: addToAlbum, favourite, tags: editTags, date: editDate, location: editLocation, download, trash: moveToTrash };

/** Show the bar while `selection` holds photos; `edited(kind, items)` tells the page to show them afresh. */
export function initSelectionBar(picked, edited = () => {}) {
  selection = picked;
  onEdited = edited;
  bar = $("[data-selection-bar]");
  for (const button of $$("[data-selection-action]", bar)) button.addEventListener("click", () => ACTIONS[button.dataset.selectionAction]());
  $("[data-selection-clear]", bar).addEventListener("click", () => selection.clear());
  selection.addEventListener("change", showCount);
  selection.addEventListener("limit", () => toast(`At most ${MAX_SELECTION.toLocaleString()} photos can be selected at once.`));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !selection.size || $("dialog[open]")) return;
    event.preventDefault();
    selection.clear();
  });
}
