// The page of a share link (/s/<token>), for anyone who has it, signed in or not: the link's password if it has
// one, then a read-only grid of its photos, a page at a time, and a full-screen viewer that steps through them.
// Photos are known by their key in this link only; nothing here calls the signed-in API.
import { api } from "./api.js";
import { photoCount } from "./albums-common.js";
import * as endpoints from "./endpoints.js";
import { describe, photoTile } from "./tile.js";
import { $, formatDateTime, h } from "./ui.js";

const PAGE_SIZE = 60;
const token = decodeURIComponent(location.pathname.split("/")[2] || "");
const state = { items: [], cursor: null, loading: false, done: false, shown: -1 };
let root;
let grid;
let viewer;

const call = (path, options = {}) => api(path, { ...options, auth: false }); // a 401 here is the link's password

function fail(message) {
  const slot = $("[data-shared-error]", root);
  slot.textContent = message;
  slot.hidden = false;
  grid.setAttribute("aria-busy", "false");
}

// -- the grid -----------------------------------------------------------------------------------------------------
function tile(photo, index) {
  const open = (event) => { event.preventDefault(); show(index); };
  return h("li", {}, photoTile(photo, { className: "rounded-sm sm:rounded-md", href: `#${photo.key}`, onclick: open,
    priority: index < 12 }));
}

async function loadMore() {
  if (state.loading || state.done) return;
  state.loading = true;
  try {
    const page = await call(endpoints.shared.photos(token, { limit: PAGE_SIZE, cursor: state.cursor }));
    const first = state.items.length;
    state.items.push(...page.items);
    grid.append(...page.items.map((photo, n) => tile(photo, first + n)));
    state.cursor = page.next_cursor;
    state.done = !page.next_cursor;
  } catch (failure) {
    state.done = true;
    fail(`Could not load the photos: ${failure.message}`);
  } finally {
    state.loading = false;
    grid.setAttribute("aria-busy", "false");
    $("[data-shared-empty]", root).hidden = state.items.length > 0 || !state.done;
  }
}

// -- the viewer: one photo over the whole screen, ← and → (or a swipe) to step, Esc to close ----------------------
function details(photo) {
  const where = photo.place ? [photo.place.city, photo.place.country].filter(Boolean).join(", ") : "";
  return [formatDateTime(photo.taken_at), photo.camera, where, photo.people.join(", ")].filter(Boolean).join(" · ");
}

async function show(index) {
  if (index >= state.items.length - 1 && !state.done) await loadMore(); // "next" works past what the grid loaded
  const photo = state.items[index];
  if (!photo) return;
  state.shown = index;
  const img = $("[data-viewer-img]", viewer);
  const video = $("[data-viewer-video]", viewer);
  video.pause();
  // A clip plays through this link's own route (a copy without its location unless the link shows it).
  video.hidden = !photo.video_url;
  img.hidden = Boolean(photo.video_url);
  if (photo.video_url) {
    video.poster = photo.large_url;
    video.src = photo.video_url;
  } else {
    video.removeAttribute("src");
  }
  img.src = photo.large_url;
  img.alt = describe(photo);
  $("[data-viewer-title]", viewer).textContent = photo.filename;
  $("[data-viewer-position]", viewer).textContent = `${index + 1} / ${state.done ? state.items.length : `${state.items.length}+`}`;
  $("[data-viewer-caption]", viewer).textContent = photo.caption || "";
  $("[data-viewer-details]", viewer).textContent = details(photo);
  const download = $("[data-viewer-download]", viewer);
  download.hidden = !photo.original_url;
  if (photo.original_url) download.href = photo.original_url;
  else download.removeAttribute("href");
  $("[data-viewer-prev]", viewer).disabled = index === 0;
  $("[data-viewer-next]", viewer).disabled = index === state.items.length - 1 && state.done;
  for (const near of [state.items[index - 1], state.items[index + 1]]) if (near) new Image().src = near.large_url;
  if (!viewer.open) viewer.showModal();
}

function step(by) {
  if (viewer.open) show(Math.max(0, state.shown + by));
}

function wireViewer() {
  $("[data-viewer-close]", viewer).addEventListener("click", () => viewer.close());
  viewer.addEventListener("close", () => $("[data-viewer-video]", viewer).pause());
  $("[data-viewer-prev]", viewer).addEventListener("click", () => step(-1));
  $("[data-viewer-next]", viewer).addEventListener("click", () => step(1));
  viewer.addEventListener("close", () => {
    const tileLink = $(`[data-key="${CSS.escape(state.items[state.shown]?.key || "")}"]`, grid);
    if (tileLink) tileLink.focus();
  });
  document.addEventListener("keydown", (event) => { // on the document: a button that was focused may be disabled
    if (event.target.closest?.("video")) return; // a focused player's arrows seek within the clip
    if (event.key === "ArrowLeft") step(-1);
    else if (event.key === "ArrowRight") step(1);
  });
  const stage = $("[data-viewer-stage]", viewer);
  let startX = null;
  stage.addEventListener("pointerdown", (event) => { if (event.pointerType === "touch") startX = event.clientX; });
  stage.addEventListener("pointerup", (event) => {
    if (startX === null) return;
    const dx = event.clientX - startX;
    startX = null;
    if (Math.abs(dx) > 60) step(dx > 0 ? -1 : 1);
  });
}

// -- the link, and its password --------------------------------------------------------------------------------
function showLink(link) {
  $("[data-shared-password]", root).hidden = true;
  $("[data-shared-title]", root).textContent = link.title;
  $("[data-shared-description]", root).textContent = link.description || "";
  $("[data-shared-count]", root).textContent = photoCount(link.photo_count);
  document.title = `${link.title} · Shared photos`;
  new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) loadMore();
  }, { rootMargin: "1200px 0px" }).observe($("[data-sentinel]", root));
  return loadMore();
}

function askForPassword() {
  const form = $("[data-shared-password]", root);
  const error = $("[data-shared-password-error]", form);
  form.hidden = false;
  grid.setAttribute("aria-busy", "false");
  form.elements.namedItem("password").focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await call(endpoints.shared.unlock(token), { method: "POST", body: { password: form.elements.namedItem("password").value } });
      await open();
    } catch (failure) {
      error.textContent = failure.code === "wrong_password" ? "That is not the password of this link." : failure.message;
    }
  });
}

async function open() {
  let link;
  try {
    link = await call(endpoints.shared.link(token));
  } catch (failure) {
    if (failure.code === "password_required") askForPassword();
    else fail(failure.status === 404 ? "This link does not exist any more." : failure.message);
    return;
  }
  await showLink(link);
}

export async function initShared() {
  root = $("[data-shared]");
  grid = $("[data-shared-grid]", root);
  viewer = $("[data-viewer]");
  wireViewer();
  await open();
  document.body.dataset.ready = "true";
}
