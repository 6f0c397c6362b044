// The Favourites page: the photos with a heart, newest taken first, a page at a time as the user scrolls. A heart
// taken off here takes the tile away.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { publish } from "./sequence.js";
import { photoTile } from "./tile.js";
import { $, $$, h } from "./ui.js";

const PAGE_SIZE = 60;
const QUERY = { favourite: "true" };
const state = { cursor: null, loading: false, done: false };
let list;

function saveOrder() {
  const ids = $$("[data-id]", list).map((node) => Number(node.dataset.id));
  publish({ ids, back: location.pathname, more: state.cursor ? { list: "photos", query: QUERY, cursor: state.cursor } : null });
}

function showCount() {
  const count = $$("[data-id]", list).length;
  $("[data-favourites-count]").textContent = count ? `${count}${state.done ? "" : "+"} ${count === 1 ? "photo" : "photos"}` : "";
  $("[data-favourites-empty]").hidden = !(state.done && !count);
}

async function loadMore() {
  if (state.loading || state.done) return;
  state.loading = true;
  try {
    const reply = await api(endpoints.photos({ ...QUERY, limit: PAGE_SIZE, cursor: state.cursor }));
    list.append(...reply.items.map((photo) => h("li", {}, photoTile(photo, { className: "rounded-sm sm:rounded-md" }))));
    state.cursor = reply.next_cursor;
    state.done = !reply.next_cursor;
    saveOrder();
    showCount();
  } catch (failure) {
    $("[data-favourites-error]").textContent = `Could not load your favourites: ${failure.message}.`;
  } finally {
    state.loading = false;
  }
  // A page that left the end of the list still in sight is followed by the next (the observer fires on changes only).
  if (!state.done && nearEnd()) loadMore();
}

const nearEnd = () => $("[data-sentinel]").getBoundingClientRect().top < innerHeight + 800;

export function initFavourites() {
  list = $("[data-favourites]");
  list.addEventListener("favouritechange", (event) => {
    if (event.detail.favourite) return;
    $(`[data-id="${event.detail.id}"]`, list)?.closest("li")?.remove();
    saveOrder();
    showCount();
  });
  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadMore();
  }, { rootMargin: "800px" }).observe($("[data-sentinel]"));
  loadMore().then(() => { document.body.dataset.ready = "true"; });
}
