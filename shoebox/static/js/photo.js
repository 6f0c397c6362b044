// The photo page: metadata, in-place editing, delete, and stepping through the grid's order (sequence.js).
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { playOver, stopOver } from "./live.js";
import { initPhotoAlbums } from "./photo-albums.js";
import { showLocation } from "./photo-map.js";
import { forget, goBack, sequenceFor } from "./sequence.js";
import { initShareButton } from "./share-dialog.js";
import { formatDuration, photoPath, photoTile } from "./tile.js";
import { $, formatBytes, formatDateTime, h, icon } from "./ui.js";
import { openViewer } from "./viewer.js";

const STATUS = {
  queued: ["Waiting for analysis", "bg-neutral-100 text-neutral-700 dark:bg-neutral-800 dark:text-neutral-300"],
  running: ["Analysing…", "bg-brand-50 text-brand-700 dark:bg-brand-900/50 dark:text-brand-200"],
  done: ["Analysed", "bg-emerald-50 text-emerald-700 dark:bg-emerald-950/60 dark:text-emerald-300"],
  waiting: ["Partly analysed", "bg-amber-50 text-amber-800 dark:bg-amber-950/60 dark:text-amber-300"],
  failed: ["Analysis failed", "bg-red-50 text-red-700 dark:bg-red-950/60 dark:text-red-300"],
};
const DATE_SOURCE = {
  exif: "from the camera (EXIF)",
  xmp: "from the file's XMP metadata",
  iptc: "from the file's IPTC metadata",
  qt: "from the file's QuickTime header (UTC)",
  modify: "when the file was last edited (its EXIF/XMP modify date)",
  file: "from the file's date",
  upload: "upload time; the file has no date",
  user: "set by you",
};

// The parts of the analysis (photo.analysis) in plain words: what is missing, and what search finds it by.
const MISSING = {
  caption: "the caption", tags: "the tags", faces: "the faces", places: "the place", text: "the text in it",
  embedding: "search by meaning", visual: "look-alike search",
};
const FOUND_BY = { caption: "caption", tags: "tags", faces: "people", places: "place", text: "text", embedding: "meaning" };

const listed = (words) => words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : words[0];

/** A partly analysed photo, in plain words: what is missing, and that search already works with the rest. */
function partlyAnalysed(analysis) {
  const parts = Object.entries(analysis || {});
  const missing = parts.filter(([, state]) => state === "waiting").map(([name]) => MISSING[name] || name);
  const found = parts.filter(([name, state]) => state === "done" && FOUND_BY[name]).map(([name]) => FOUND_BY[name]);
  if (!missing.length) return [];
  return [`Everything but ${listed(missing)} is done: this server has no model for ${missing.length === 1 ? "it" : "them"} yet (see `,
    h("a", { href: "/jobs", class: "link", text: "Background work" }),
    `). Search already finds this photo by its ${listed([...found, "file name"])}.`];
}

let photo;
let id;
let sequence = null; // the order stepped through with the arrows, from the grid the photo was opened from

const num = (value, digits = 1) => Number(value).toFixed(digits).replace(/\.0+$/, "");

function metaRows(p) {
  const rows = [];
  const add = (label, ...value) => { if (value.some((part) => part !== null && part !== undefined && part !== "")) rows.push([label, value]); };
  add("File", p.filename);
  add("Format", [p.format, p.mime_type].filter(Boolean).join(" · "));
  add("Size", formatBytes(p.file_size));
  add("Dimensions", `${p.width} × ${p.height}${p.media_type === "video" ? "" : ` · ${num((p.width * p.height) / 1e6)} MP`}`);
  if (p.media_type === "video") {
    add("Duration", formatDuration(p.duration));
    add("Video", [p.video_codec?.toUpperCase(), p.frame_rate && `${num(p.frame_rate, 2)} fps`].filter(Boolean).join(" · "));
  }
  add("Taken", `${formatDateTime(p.taken_at)}${p.taken_at_offset ? ` (UTC${p.taken_at_offset})` : ""}`,
    h("span", { class: "block text-xs text-neutral-500 dark:text-neutral-400", text: DATE_SOURCE[p.taken_at_source] || p.taken_at_source }));
  const make = p.camera_make || "";
  const model = p.camera_model || "";
  add("Camera", model.toLowerCase().startsWith(make.toLowerCase()) ? model : [make, model].filter(Boolean).join(" "));
  add("Lens", p.lens);
  const exposure = [p.exposure_time && `${p.exposure_time} s`, p.f_number && `ƒ/${num(p.f_number)}`].filter(Boolean).join(" · ");
  add("Exposure", exposure);
  add("ISO", p.iso);
  add("Focal length", p.focal_length && `${num(p.focal_length)} mm`);
  if (p.gps) {
    const { latitude: lat, longitude: lon, altitude } = p.gps;
    const link = h("a", {
      href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=15/${lat}/${lon}`,
      class: "link inline-flex items-center gap-1", target: "_blank", rel: "noopener noreferrer",
    }, icon("map", "size-4"), "Open in OpenStreetMap");
    add("Location", `${num(lat, 5)}, ${num(lon, 5)}${altitude !== null && altitude !== undefined ? ` · ${Math.round(altitude)} m` : ""}`,
      h("span", { class: "block" }, link));
  }
  if (p.place) {
    const where = [p.place.district, p.place.city, p.place.region, p.place.country].filter(Boolean);
    const query = p.place.city || p.place.country;
    add("Place", h("a", { href: `/search?place=${encodeURIComponent(query)}`, class: "link", text: where.join(", "),
      title: `Photos taken in ${query}` }));
  }
  const named = (p.faces || []).filter((face) => face.person_id);
  if (named.length) {
    add("People", ...named.map((face, n) => h("span", {}, n ? ", " : "", h("a", {
      href: `/people/${face.person_id}`, class: "link", text: face.person_name || "Someone unnamed" }))));
  }
  if (p.ocr_text) {
    add("Text in photo", h("span", { class: "line-clamp-4 whitespace-pre-line", text: p.ocr_text, title: p.ocr_text }));
  }
  return rows;
}

// -- face boxes: drawn over the shown picture, each linked to its person --------------------------------
function renderFaces() {
  const img = $("[data-photo-img]");
  const stage = img.parentElement;
  for (const old of stage.querySelectorAll("[data-face-box]")) old.remove();
  if (!photo.faces || !photo.faces.length || img.hidden || !img.complete || !img.naturalWidth) return;
  const picture = img.getBoundingClientRect();
  const frame = stage.getBoundingClientRect();
  // object-contain: the picture fills the element's box on one axis and is centred on the other.
  const scale = Math.min(picture.width / img.naturalWidth, picture.height / img.naturalHeight);
  const shownWidth = img.naturalWidth * scale;
  const shownHeight = img.naturalHeight * scale;
  const left0 = picture.left - frame.left + (picture.width - shownWidth) / 2;
  const top0 = picture.top - frame.top + (picture.height - shownHeight) / 2;
  for (const face of photo.faces) {
    const [left, top, right, bottom] = face.box;
    const name = face.person_name || (face.person_id ? "Someone unnamed" : "Not grouped yet");
    const box = h(face.person_id ? "a" : "span", {
      href: face.person_id ? `/people/${face.person_id}` : undefined, title: name, "aria-label": `Face: ${name}`,
      dataset: { faceBox: face.id },
      class: "absolute z-10 rounded-md border-2 border-white/80 shadow-[0_0_0_1px_rgba(0,0,0,0.4)] hover:border-brand-300",
    });
    Object.assign(box.style, {
      left: `${left0 + left * shownWidth}px`, top: `${top0 + top * shownHeight}px`,
      width: `${(right - left) * shownWidth}px`, height: `${(bottom - top) * shownHeight}px`,
    });
    stage.append(box);
  }
}

function initFaces() {
  const img = $("[data-photo-img]");
  img.addEventListener("load", () => photo && renderFaces());
  window.addEventListener("resize", () => photo && renderFaces());
}

function renderMeta() {
  $("[data-favourite]").setAttribute("aria-pressed", String(Boolean(photo.favourite)));
  $("[data-meta]").replaceChildren(...metaRows(photo).map(([label, value]) =>
    h("div", { class: "meta-row" }, h("dt", { text: label }), h("dd", {}, ...value))));
  const [text, colours] = STATUS[photo.status] || [photo.status, STATUS.queued[1]];
  const badge = $("[data-status]");
  badge.textContent = text;
  badge.className = `badge ${colours}`;
  $("[data-status-reason]").replaceChildren(...(photo.status === "waiting" ? partlyAnalysed(photo.analysis)
    : [photo.status_reason || ""]));
  $("[data-caption-source]").textContent = !photo.caption ? "" : photo.caption_source === "ai" ? "Suggested by AI · edit to make it yours" : "";
  renderWhenWhere();
}

// -- date and location: shown in the edit form, saved when changed ---------------------------------------
function renderWhenWhere() {
  const date = $("[data-edit-date]");
  if (document.activeElement !== date) date.value = photo.taken_at;
  $("[data-date-source]").textContent = photo.taken_at_source === "user" ? "Set by you" : "";
  const where = $("[data-edit-location]");
  if (document.activeElement !== where) where.value = photo.gps ? `${photo.gps.latitude}, ${photo.gps.longitude}` : "";
  showLocation(photo.gps).catch((error) => { $("[data-map-status]").textContent = error.message; });
}

/** "48.85, 2.35" as {latitude, longitude}; "" as null (no location); undefined where it is neither. */
function parseLocation(text) {
  if (!text.trim()) return null;
  const parts = text.split(/[,;\s]+/).filter(Boolean).map(Number);
  if (parts.length !== 2 || parts.some((part) => !Number.isFinite(part))) return undefined;
  const [latitude, longitude] = parts;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return { latitude, longitude };
}

function initWhenWhere() {
  const date = $("[data-edit-date]");
  date.addEventListener("change", () => {
    if (!photo) return;
    if (!date.value) {
      date.value = photo.taken_at; // a photo always has a date: an emptied field puts the old one back
      return;
    }
    // The time is local to where the photo was taken: it keeps the UTC offset it had.
    save({ taken_at: `${date.value}${photo.taken_at_offset || ""}` });
  });
  const where = $("[data-edit-location]");
  where.addEventListener("change", () => {
    const location = parseLocation(where.value);
    if (location === undefined) {
      $("[data-edit-error]").textContent = "Not saved: write the location as latitude, longitude (48.8584, 2.2945).";
      return;
    }
    save({ location });
  });
}

function renderTags() {
  const chips = photo.tags.map((tag) => h("li", { class: "chip" },
    h("a", { href: `/search?tag=${encodeURIComponent(tag)}`, class: "py-1.5 hover:underline", title: `Search photos tagged ${tag}`, text: tag }),
    h("button", {
      type: "button", class: "flex size-9 cursor-pointer items-center justify-center rounded-full hover:bg-brand-100 dark:hover:bg-brand-800/60",
      "aria-label": `Remove tag ${tag}`, onclick: () => save({ tags: photo.tags.filter((other) => other !== tag) }),
    }, icon("close", "size-3.5"))));
  $("[data-tags]").replaceChildren(...chips);
  if (!chips.length) $("[data-tags]").append(h("li", { class: "text-sm text-neutral-500 dark:text-neutral-400", text: "No tags yet." }));
}

// -- more like this: the nearest photos by meaning, fetched once the photo itself is shown -----------------
const SIMILAR = 8;
let similarController = null;

async function loadSimilar() {
  if (similarController) similarController.abort();
  similarController = new AbortController();
  const section = $("[data-similar]");
  let items;
  try {
    ({ items } = await api(endpoints.similar(id, SIMILAR), { signal: similarController.signal }));
  } catch {
    return; // A nicety: without it the page is whole.
  }
  const tiles = items.slice(0, SIMILAR).map((item) => {
    const title = `${item.caption || item.filename} · ${Math.round(item.similarity * 100)}% alike`;
    return h("li", {}, photoTile(item, { className: "rounded-md", title }));
  });
  $("[data-similar-list]").replaceChildren(...tiles);
  section.hidden = !tiles.length;
  section.dataset.loaded = "true";
}

async function save(changes) {
  const status = $("[data-save-status]");
  const error = $("[data-edit-error]");
  status.textContent = "Saving…";
  error.textContent = "";
  try {
    photo = await api(endpoints.photo(id), { method: "PATCH", body: changes });
    status.textContent = "Saved";
    setTimeout(() => { if (status.textContent === "Saved") status.textContent = ""; }, 2500);
    renderTags();
    renderMeta();
    $("[data-photo-img]").alt = photo.caption || photo.filename;
    document.title = `${photo.caption || photo.filename} · Shoebox`;
    loadSimilar(); // the words changed, and with them what this photo is like
  } catch (failure) {
    status.textContent = "";
    error.textContent = `Not saved: ${failure.message}.`;
    $("[data-favourite]").setAttribute("aria-pressed", String(Boolean(photo.favourite)));
  }
}

function initEditing() {
  for (const field of document.querySelectorAll("[data-edit]")) {
    const name = field.dataset.edit;
    field.addEventListener("change", () => save({ [name]: field.value.trim() || null }));
    field.addEventListener("keydown", (event) => {
      if (event.key === "Escape") field.blur();
      if (name === "caption" && event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        field.blur();
      }
    });
  }
  const form = $("[data-tag-form]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.elements.namedItem("tag");
    const added = input.value.split(",").map((tag) => tag.trim()).filter(Boolean);
    input.value = "";
    if (added.length) save({ tags: [...photo.tags, ...added.filter((tag) => !photo.tags.includes(tag))] });
  });
}

// -- stepping through the order of the grid the photo was opened from ------------------------------------
function go(step) {
  const target = sequence?.neighbour(id, step); // none until the order is known
  if (target !== undefined) location.replace(photoPath(target));
}

async function initNavigation() {
  sequence = await sequenceFor(id);
  await sequence.extend(id).catch(() => {});
  $("[data-back]").href = sequence.back;
  $("[data-back]").addEventListener("click", (event) => { event.preventDefault(); goBack(sequence); });
  const prev = $("[data-prev]");
  const next = $("[data-next]");
  prev.hidden = sequence.neighbour(id, -1) === undefined;
  next.hidden = sequence.neighbour(id, 1) === undefined;
  prev.addEventListener("click", () => go(-1));
  next.addEventListener("click", () => go(1));
  for (const step of [-1, 1]) {
    const neighbour = sequence.neighbour(id, step);
    if (neighbour !== undefined) new Image().src = endpoints.thumbnail(neighbour, "large");
  }
}

function initKeys() {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    // A focused player's arrows seek within the clip.
    if (event.target.closest("input, textarea, select, video, [contenteditable], dialog") || $("dialog[open]")) return;
    if (document.querySelector(".pswp")) return; // the full-screen viewer has the keys while it is open
    if (event.key === "ArrowLeft") go(-1);
    else if (event.key === "ArrowRight") go(1);
    else if (event.key === "Escape") goBack(sequence);
  });
  // Swipe on touch screens.
  const stage = $("[data-photo-img]").parentElement;
  let startX = null;
  stage.addEventListener("pointerdown", (event) => { if (event.pointerType === "touch") startX = event.clientX; });
  stage.addEventListener("pointerup", (event) => {
    if (startX === null) return;
    const dx = event.clientX - startX;
    startX = null;
    if (Math.abs(dx) > 60) go(dx > 0 ? -1 : 1);
  });
}

function initFavourite() {
  const heart = $("[data-favourite]");
  heart.addEventListener("click", () => {
    if (!photo) return;
    heart.setAttribute("aria-pressed", String(!photo.favourite)); // at once; save() puts back what was saved
    save({ favourite: !photo.favourite });
  });
}

// -- a clip: plays in place; one waiting for its rendition shows its poster and how far the worker got ------------
const RENDITION_POLL_MS = 3000;

function renderVideo() {
  const video = $("[data-photo-video]");
  if (!video || !photo || photo.media_type !== "video") return;
  const state = photo.rendition?.status;
  const notice = $("[data-video-notice]");
  if (photo.video_url) {
    if (!video.getAttribute("src")) video.src = photo.video_url;
    video.hidden = false;
    $("[data-photo-img]").hidden = true;
    notice.textContent = "";
    return;
  }
  notice.textContent = state === "failed"
    ? "This clip could not be converted for the browser; download the original to play it."
    : `This clip is being converted so the browser can play it (${Math.round((photo.rendition?.progress || 0) * 100)}%); `
      + "the original can be downloaded meanwhile.";
  if (state === "queued" || state === "running") {
    setTimeout(async () => {
      try {
        photo = { ...photo, ...(await api(endpoints.photo(id))) };
      } catch { /* try again next time */ }
      renderVideo();
    }, RENDITION_POLL_MS);
  }
}

// -- full screen: the viewer over this page, stepping through the same order ---------------------------------------
async function openFullScreen() {
  const video = $("[data-photo-video]");
  if (video && !video.hidden) {
    video.requestFullscreen?.().catch(() => {}); // a clip goes full screen in its own player
    return;
  }
  if (!photo || document.querySelector(".pswp")) return;
  sequence ??= await sequenceFor(id);
  const known = new Map([[id, photo]]);
  const source = {
    count: () => sequence.ids.length,
    item: (index) => known.get(sequence.ids[index]) || null,
    async load(index) {
      const target = sequence.ids[index];
      if (target !== undefined && !known.has(target)) known.set(target, await api(endpoints.photo(target)));
      if (index >= sequence.ids.length - 1) await sequence.extend(sequence.ids.at(-1));
    },
    // Closed on another photo: that photo's page, in place of this one (as the arrows do).
    onClose: (_index, shown) => { if (shown && shown.id !== id) location.replace(photoPath(shown.id)); },
  };
  await openViewer(source, Math.max(0, sequence.ids.indexOf(id)));
}

function initFullScreen() {
  $("[data-fullscreen]").addEventListener("click", openFullScreen);
  $("[data-photo-img]").addEventListener("click", openFullScreen);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "f" || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]") || $("dialog[open]")) return;
    openFullScreen();
  });
}

function initDelete() {
  const dialog = $("[data-delete-dialog]");
  $("[data-delete]").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "delete") return;
    try {
      await api(endpoints.photo(id), { method: "DELETE" });
    } catch (failure) {
      $("[data-edit-error]").textContent = `Not deleted: ${failure.message}.`;
      return;
    }
    sequence ??= await sequenceFor(id);
    const target = sequence.neighbour(id, 1) ?? sequence.neighbour(id, -1);
    forget(id);
    location.replace(target !== undefined ? photoPath(target) : sequence.back);
  });
}

/** A Live Photo or Motion Photo: its button plays the clip muted over the still, once (or until pressed again). */
function initLive() {
  const button = $("[data-live-play]");
  if (!button) return;
  const img = $("[data-photo-img]");
  const stage = img.parentElement;
  const observer = new MutationObserver(() => {
    const playing = "livePlaying" in stage.dataset;
    button.setAttribute("aria-pressed", String(playing));
    img.style.visibility = playing ? "hidden" : "";
  });
  observer.observe(stage, { attributes: true, attributeFilter: ["data-live-playing"] });
  button.addEventListener("click", () => {
    if ("livePlaying" in stage.dataset) stopOver(stage);
    else playOver(stage, button.dataset.liveUrl, "photo-live-clip");
  });
}

export async function initPhoto() {
  id = Number($("[data-photo-id]").dataset.photoId);
  initEditing();
  initWhenWhere();
  initKeys();
  initFullScreen();
  initDelete();
  initFavourite();
  initFaces();
  initLive();
  initShareButton($("[data-share-open]"), () => ({ ids: [id] }));
  const loading = api(endpoints.photo(id)).then((data) => {
    photo = data;
    renderTags();
    renderMeta();
    renderFaces();
    renderVideo();
    loadSimilar(); // after the photo, and never waited for
  }).catch((failure) => { $("[data-edit-error]").textContent = `Could not load the details: ${failure.message}.`; });
  await Promise.all([loading, initNavigation().catch(() => {}), initPhotoAlbums(id)]);
  document.body.dataset.ready = "true";
}
