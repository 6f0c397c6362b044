// One album's page: its photos by date taken (newest or oldest first), a page at a time as the user scrolls;
// rename, describe, change the order, delete (the photos stay).
import { api } from "./api.js";
import { photoCount } from "./albums-common.js";
import * as endpoints from "./endpoints.js";
import { publish } from "./sequence.js";
import { initShareButton } from "./share-dialog.js";
import { photoTile } from "./tile.js";
import { $, $$, h } from "./ui.js";

const PAGE_SIZE = Math.min(200, Math.max(1, Number(new URLSearchParams(location.search).get("limit")) || 60));
const state = { id: 0, order: "newest", cursor: null, loading: false, done: false, generation: 0 };
let root;
let grid;

const status = (text) => { $("[data-album-status]", root).textContent = text; };

function show(album) {
  $("[data-album-title]", root).textContent = album.name;
  $("[data-album-description]", root).textContent = album.description || "";
  $("[data-album-count]", root).textContent = photoCount(album.photo_count);
  document.title = `${album.name} · Shoebox`;
}

function saveOrder() {
  const ids = $$("[data-id]", grid).map((node) => Number(node.dataset.id));
  const more = state.cursor ? { list: "album", query: { album: state.id, order: state.order }, cursor: state.cursor } : null;
  publish({ ids, back: location.pathname, more });
}

async function loadMore() {
  if (state.loading || state.done) return;
  state.loading = true;
  const generation = state.generation;
  try {
    const page = await api(endpoints.albumPhotos(state.id, { limit: PAGE_SIZE, cursor: state.cursor, order: state.order }));
    if (generation !== state.generation) return;
    grid.append(...page.items.map((photo) => h("li", {}, photoTile(photo, { className: "rounded-sm sm:rounded-md" }))));
    state.cursor = page.next_cursor;
    state.done = !page.next_cursor;
  } catch (failure) {
    state.done = true;
    const slot = $("[data-album-error]", root);
    slot.textContent = `Could not load photos: ${failure.message}`;
    slot.hidden = false;
  } finally {
    if (generation === state.generation) {
      state.loading = false;
      grid.setAttribute("aria-busy", "false");
      $("[data-album-empty]", root).hidden = Boolean($("[data-id]", grid)) || !state.done;
      saveOrder();
      const sentinel = $("[data-sentinel]", root);
      if (!state.done && sentinel.getBoundingClientRect().top < window.innerHeight + 1200) loadMore();
    }
  }
}

function restart() {
  state.generation += 1;
  Object.assign(state, { cursor: null, loading: false, done: false });
  grid.replaceChildren();
  grid.setAttribute("aria-busy", "true");
  loadMore();
}

async function change(body) {
  status("Saving…");
  const album = await api(endpoints.album(state.id), { method: "PATCH", body });
  show(album);
  status("Saved");
  return album;
}

function wireEditing() {
  const form = $("[data-album-edit]", root);
  const toggle = $("[data-album-edit-toggle]", root);
  const open = (shown) => {
    form.hidden = !shown;
    toggle.setAttribute("aria-expanded", String(shown));
    if (shown) form.elements.namedItem("name").focus();
  };
  toggle.addEventListener("click", () => open(form.hidden));
  $("[data-album-edit-cancel]", root).addEventListener("click", () => open(false));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const description = form.elements.namedItem("description").value.trim();
    change({ name: form.elements.namedItem("name").value, description: description || null })
      .then(() => open(false)).catch((failure) => status(`Not saved: ${failure.message}.`));
  });
  $("[data-album-order]", root).addEventListener("change", (event) => {
    state.order = event.target.value;
    restart();
    change({ order: state.order }).catch((failure) => status(`Not saved: ${failure.message}.`));
  });
}

function wireDelete() {
  const dialog = $("[data-album-delete-dialog]");
  $("[data-album-delete]", root).addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "delete") return;
    api(endpoints.album(state.id), { method: "DELETE" })
      .then(() => location.assign("/albums")).catch((failure) => status(`Not deleted: ${failure.message}.`));
  });
}

export function initAlbum() {
  root = $("[data-album-id]");
  grid = $("[data-album-grid]", root);
  state.id = Number(root.dataset.albumId);
  state.order = $("[data-album-order]", root).value;
  wireEditing();
  wireDelete();
  initShareButton($("[data-share-open]", root), () => ({ album_id: state.id }));
  api(endpoints.album(state.id)).then(show).catch((failure) => status(failure.message));
  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadMore();
  }, { rootMargin: "1200px 0px" }).observe($("[data-sentinel]", root));
  restart();
}
