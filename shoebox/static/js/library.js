// The timeline and the search results. The timeline is a virtualised grid (timeline.js) with a scrubber
// (scrubber.js), for any number of photos; search results are one grid grouped by month, filled page by page as
// the user scrolls. A tile opens the full-screen viewer (viewer.js) in the grid's order. Both pick photos for the
// selection bar's actions (selection.js, selection-bar.js): a check on each tile, a month's "select all".
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { loadMemories, showMemories } from "./memories.js";
import { Scrubber } from "./scrubber.js";
import { MAX_SELECTION, Selection, attach, groupButton } from "./selection.js";
import { initSelectionBar } from "./selection-bar.js";
import { FILTERS, loadFacets, paramsFromUrl, searchUrl, suggestAsYouType } from "./search.js";
import { deleted, publish } from "./sequence.js";
import { photoTile } from "./tile.js";
import { Timeline } from "./timeline.js";
import { $, $$, debounce, h, monthLabel } from "./ui.js";
import { openOverGrid } from "./viewer.js";

// `?limit=` is honoured so a test (or a curious user) can watch the infinite scroll with a few photos.
const PAGE_SIZE = Math.min(200, Math.max(1, Number(new URLSearchParams(location.search).get("limit")) || 60));
const GRID = "grid grid-cols-3 gap-1 sm:grid-cols-4 sm:gap-1.5 md:grid-cols-5 lg:grid-cols-6 xl:grid-cols-8 2xl:grid-cols-10";

const state = { params: {}, cursor: null, loading: false, done: false, generation: 0, controller: null, items: [] };
let grid;
let sentinel;
let observer;
let timeline = null; // the virtualised timeline, when not searching
let scrubber = null;
const selection = new Selection();
let markTile = (node) => node; // shows a tile drawn now as picked or not (selection.js `attach`)

const searching = () => Boolean(state.params.q) || FILTERS.some((name) => state.params[name]);
const grouped = () => !searching() || state.params.sort === "date" || !state.params.q;

// The widest grid's row (2xl: 10 columns): these tiles load eagerly and first, the rest as they near the screen.
const FIRST_ROW = 10;
const tile = (photo) => markTile(photoTile(photo, { className: "rounded-sm sm:rounded-md", check: true,
  priority: $$("[data-id]", grid).length < FIRST_ROW }));

function monthSection(key) {
  const existing = $(`section[data-month="${key}"]`, grid);
  if (existing) return $("[data-tiles]", existing);
  const tiles = h("div", { class: GRID, dataset: { tiles: "" } });
  const title = key === "results" ? "Best matches" : monthLabel(key);
  const section = h("section", { class: "mb-6 sm:mb-8", dataset: { month: key }, "aria-label": title },
    h("h2", { class: "flex items-center px-1 pt-2 pb-2.5 text-sm font-semibold sm:px-0 sm:text-base" },
      h("span", { text: title }), key === "results" ? null : markTile(groupButton(key, title))),
    tiles);
  // Months run newest first: put a new one before the first older month.
  const later = $$("section[data-month]", grid).find((other) => other.dataset.month < key);
  grid.insertBefore(section, later || null);
  return tiles;
}

function place(photo) {
  if ($(`[data-id="${photo.id}"]`, grid)) return;
  const key = grouped() ? photo.taken_at.slice(0, 7) : "results";
  const node = tile(photo);
  node.dataset.index = String(state.items.length);
  state.items.push(photo);
  monthSection(key).append(node);
}

/** The grid's order, for the photo pages its tiles open; the timeline's goes on with its next page. */
function saveOrder() {
  const ids = $$("[data-id]", grid).map((node) => Number(node.dataset.id));
  const more = !searching() && state.cursor ? { list: "photos", cursor: state.cursor } : null;
  publish({ ids, back: location.pathname + location.search, more });
}

function showEmpty() {
  // An error says why itself.
  const empty = (timeline ? !timeline.total : !$("[data-id]", grid) && state.done) && $("[data-grid-error]").hidden;
  $('[data-empty="library"]').hidden = !(empty && !searching());
  $('[data-empty="search"]').hidden = !(empty && searching());
  if (empty && searching()) {
    $("[data-empty-title]").textContent = state.params.q ? `No photos match “${state.params.q}”` : "No photos match these filters";
  }
}

function showCount() {
  const count = $$("[data-id]", grid).length;
  const text = !searching() || !state.done && !count ? "" : `${count}${state.done ? "" : "+"} ${count === 1 ? "photo" : "photos"}`;
  $("[data-result-count]").textContent = text;
}

function endpoint() {
  const page = { limit: PAGE_SIZE, cursor: state.cursor };
  if (!searching()) return endpoints.photos(page);
  return endpoints.search({ ...page, ...state.params, ...(state.params.q ? {} : { sort: "date" }) });
}

async function loadMore() {
  if (timeline || state.loading || state.done) return;
  state.loading = true;
  const generation = state.generation;
  state.controller = new AbortController();
  $("[data-loading]").hidden = Boolean($("[data-id]", grid));
  $("[data-grid-error]").hidden = true;
  try {
    const page = await api(endpoint(), { signal: state.controller.signal });
    if (generation !== state.generation) return;
    page.items.forEach(place);
    state.cursor = page.next_cursor;
    state.done = !page.next_cursor;
  } catch (error) {
    if (error.name === "AbortError" || generation !== state.generation) return;
    state.done = true;
    const slot = $("[data-grid-error]");
    slot.textContent = error.code === "reversed_date_range"
      ? "The date range is reversed: “From” is after “To”. Swap the two dates to see photos."
      : `Could not load photos: ${error.message}`;
    slot.hidden = false;
  } finally {
    if (generation === state.generation) {
      state.loading = false;
      $("[data-loading]").hidden = true;
      grid.setAttribute("aria-busy", "false");
      saveOrder();
      showEmpty();
      showCount();
      recheck();
    }
  }
}

/** After each page, ask the observer again: a sentinel still in view (the user waited at the bottom while the page
 * came) gives no new intersection, so without this nothing more would load until they scrolled away and back. */
function recheck() {
  if (state.done) return;
  observer.unobserve(sentinel);
  observer.observe(sentinel); // observing anew reports the sentinel's current state at once
}

// -- the timeline: virtualised, with a scrubber ----------------------------------------------------------------
const timelineSource = {
  months: () => api(endpoints.timeline()).then((reply) => reply.months),
  page: ({ signal, ...query }) => api(endpoints.photos(query), { signal }),
};

async function startTimeline() {
  const mine = new Timeline(grid, timelineSource, {
    tile: (photo, index) => markTile(photoTile(photo, { className: "rounded-sm sm:rounded-md", check: true,
      priority: index < FIRST_ROW })),
    header: (node, month) => {
      node.append(markTile(groupButton(month.key, monthLabel(month.key))));
      return node;
    },
  });
  timeline = mine;
  grid.classList.add("sm:mr-12"); // room for the scrubber's years
  try {
    await mine.start();
  } catch (error) {
    if (timeline !== mine) return;
    const slot = $("[data-grid-error]");
    slot.textContent = `Could not load photos: ${error.message}`;
    slot.hidden = false;
  }
  if (timeline !== mine) return;
  $("[data-loading]").hidden = true;
  grid.setAttribute("aria-busy", "false");
  scrubber = new Scrubber(mine);
  showEmpty();
}

function stopTimeline() {
  if (!timeline) return;
  timeline.stop();
  scrubber?.remove();
  grid.classList.remove("sm:mr-12");
  timeline = null;
  scrubber = null;
}

const refreshTimeline = debounce(async () => {
  if (!timeline) return;
  await timeline.refresh();
  scrubber?.draw();
  showEmpty();
}, 500);

/** The fetched photos around a tile, for the photo page its "Details" opens: its arrows step on from there. */
function publishAround(index) {
  const run = timeline.runAround(index);
  if (!run) return;
  const { ids, more } = run;
  const next = more && (more.cursor ? { list: "photos", cursor: more.cursor } : { list: "photos", query: more });
  publish({ ids, back: "/", more: next });
}

// -- the viewer, opened by a tile -----------------------------------------------------------------------------------
function viewerSource() {
  if (timeline) {
    const shown = timeline;
    return {
      count: () => shown.total,
      item: (index) => shown.item(index),
      load: (index) => shown.load(index),
      onChange: (index) => {
        shown.scrollToIndex(index);
        publishAround(index);
      },
    };
  }
  return {
    count: () => state.items.length,
    item: (index) => state.items[index] || null,
    load: () => loadMore(),
    onChange: (index, photo) => $(`[data-id="${photo.id}"]`, grid)?.scrollIntoView({ block: "nearest" }),
  };
}

function openFromTile(event) {
  const link = event.target.closest("a.tile[data-index]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
    || event.altKey || event.target.closest("button")) return; // a modified click opens the photo's page as ever
  event.preventDefault();
  const index = Number(link.dataset.index);
  if (timeline) publishAround(index);
  const back = location.pathname + location.search;
  openOverGrid(viewerSource(), index, back).catch(() => location.assign(link.href));
}

function restart() {
  state.generation += 1;
  if (state.controller) state.controller.abort();
  Object.assign(state, { cursor: null, loading: false, done: false, items: [] });
  stopTimeline();
  grid.replaceChildren();
  grid.setAttribute("aria-busy", "true");
  $('[data-empty="library"]').hidden = true;
  $('[data-empty="search"]').hidden = true;
  $("[data-view-title]").textContent = searching() ? "Search" : "Photos";
  document.title = `${searching() ? "Search" : "Photos"} · Shoebox`;
  document.body.dataset.page = searching() ? "search" : "library";
  showMemories(!searching());
  showAreaField(Boolean(state.params.bbox));
  const active = FILTERS.filter((name) => state.params[name]).length;
  const badge = $("[data-filter-count]");
  badge.textContent = String(active);
  badge.classList.toggle("hidden", !active);
  if (searching()) loadMore();
  else startTimeline();
}

// The filter form's wide layout: a column per field, one more while the map area (from the Places page) shows.
const COLUMNS = { false: "lg:grid-cols-[repeat(10,minmax(0,1fr))_auto]", true: "lg:grid-cols-[repeat(11,minmax(0,1fr))_auto]" };

function showAreaField(shown) {
  $("[data-area-field]").hidden = !shown;
  const form = $("[data-filters]");
  form.classList.remove(COLUMNS[!shown]);
  form.classList.add(COLUMNS[shown]);
}

function readFilters() {
  const form = $("[data-filters]");
  const params = { q: $("#search-input").value.trim() };
  for (const name of [...FILTERS, "sort"]) params[name] = form.elements.namedItem(name).value;
  return params;
}

function apply() {
  selection.clear(); // another search: what was picked is no longer in view
  state.params = readFilters();
  const url = searching() ? searchUrl(state.params) : "/";
  if (url !== location.pathname + location.search) history.replaceState(null, "", url);
  restart();
}

/** A photo uploaded on this page: the timeline counts its months again (search results stay as they are). */
function onPhotoAdded() {
  if (timeline) refreshTimeline();
}

/** Back from a photo page out of the browser's page cache: drop the tiles of photos deleted meanwhile. */
function forgetDeleted(event) {
  if (!event.persisted) return;
  if (timeline) {
    refreshTimeline();
    return;
  }
  const gone = deleted();
  $$("[data-id]", grid).filter((node) => gone.has(Number(node.dataset.id))).forEach((node) => node.remove());
  $$("section[data-month]", grid).filter((section) => !$("[data-id]", section)).forEach((section) => section.remove());
  showEmpty();
}

function initFilters() {
  const form = $("[data-filters]");
  const toggle = $("[data-filters-toggle]");
  const open = (show) => {
    form.hidden = !show;
    toggle.setAttribute("aria-expanded", String(show));
    if (show) loadFacets(form);
  };
  toggle.addEventListener("click", () => open(form.hidden));
  if (!form.hidden) loadFacets(form);
  suggestAsYouType(form);
  form.addEventListener("change", apply);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", () => setTimeout(apply, 0));
  $("[data-search-clear]").addEventListener("click", () => {
    form.reset();
    $("#search-input").value = "";
    setTimeout(apply, 0);
  });
}

// -- picking photos: the timeline's order reaches photos whose tiles are not drawn ---------------------------------
/** Where photo `id` is in the timeline's order, among the photos fetched; -1 if it is not fetched. */
function timelineIndexOf(id) {
  for (const month of timeline.months) {
    const offset = month.items.findIndex((photo) => photo && photo.id === id);
    if (offset >= 0) return month.start + offset;
  }
  return -1;
}

/** The ids from one photo to another in the grid's order (fetching the timeline's photos between, if need be). */
async function rangeOf(from, to) {
  if (!timeline) {
    const ids = $$("a.tile[data-id]", grid).map((node) => Number(node.dataset.id));
    const [a, b] = [ids.indexOf(from), ids.indexOf(to)].sort((x, y) => x - y);
    return a < 0 ? [to] : ids.slice(a, b + 1);
  }
  const shown = timeline;
  const [a, b] = [timelineIndexOf(from), timelineIndexOf(to)].sort((x, y) => x - y);
  if (a < 0) return [to];
  const ids = [];
  for (let index = a; index <= b && ids.length < MAX_SELECTION; index += 1) {
    if (!shown.item(index)) await shown.load(index);
    const photo = shown.item(index);
    if (photo) ids.push(photo.id);
  }
  return ids;
}

/** A month's ids: the timeline fetches the rest of the month first; search results give the tiles shown. */
async function groupIds(key) {
  if (!timeline) return loadedGroupIds(key) || [];
  const month = timeline.months.find((item) => item.key === key);
  if (!month) return [];
  await timeline.load(month.start + month.count - 1);
  return month.items.filter(Boolean).map((photo) => photo.id);
}

function loadedGroupIds(key) {
  if (!timeline) return $$(`section[data-month="${key}"] a.tile[data-id]`, grid).map((node) => Number(node.dataset.id));
  const month = timeline.months.find((item) => item.key === key);
  return month && month.loaded === month.count ? month.items.map((photo) => photo.id) : null;
}

/** After an action on the picked photos: show them afresh (a new date moves them, Trash takes them away). */
function afterEdit() {
  if (timeline) {
    timeline.refresh().then(() => { scrubber?.draw(); showEmpty(); });
    return;
  }
  restart(); // the picked photos stay picked: their tiles are marked as they come back
}

export function initLibrary() {
  grid = $("[data-grid]");
  sentinel = $("[data-sentinel]");
  state.params = paramsFromUrl();
  $("[data-filters]").elements.namedItem("bbox").value = state.params.bbox; // a property, so Clear empties it
  initFilters();
  const input = $("#search-input");
  input.addEventListener("input", debounce(apply, 300));
  $("[data-search-form]").addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadMore();
  }, { rootMargin: "1200px 0px" });
  observer.observe(sentinel);
  markTile = attach(grid, selection, { range: rangeOf, groupIds, loadedGroupIds });
  initSelectionBar(selection, afterEdit);
  grid.addEventListener("click", openFromTile);
  grid.addEventListener("timeline:error", (event) => {
    const slot = $("[data-grid-error]");
    slot.textContent = `Could not load photos: ${event.detail.message}`;
    slot.hidden = false;
  });
  grid.addEventListener("timeline:page", () => { $("[data-grid-error]").hidden = true; });
  window.addEventListener("shoebox:photo-added", onPhotoAdded);
  window.addEventListener("pageshow", forgetDeleted);
  restart();
  loadMemories(searching).catch(() => showMemories(false)); // memories are a bonus: the timeline works without
}
