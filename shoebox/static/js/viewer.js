// The full-screen viewer (PhotoSwipe 5 from npm, bundled into static/vendor by `npm run build:vendor`): zoom with
// the wheel, a pinch or a double tap, pan, swipe or arrow keys between photos, a slideshow. Each photo shows its
// large preview (1440 px) first; once zoomed past it (or on a screen bigger than it) the full-size picture is
// fetched and swapped in when decoded: the original where browsers show its format, else a full-size rendition
// of a HEIC or RAW (the server decides).
// It steps through a *source*, so any grid can open it in its own order:
//   count()      how many photos the order holds (it may grow as the source learns more)
//   item(index)  the photo at index (an item of any listing: id, width, height, version, caption...) or null
//   load(index)  fetch what item(index) lacks; the slide is drawn again when it resolves
//   onChange(index, photo), onClose(index, photo)   optional: the grid follows along, the photo page goes there
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { photoPath } from "./tile.js";
import { parseLocal } from "./ui.js";

/** The large preview's longest side (media/thumbnails.py SIZES["large"]): past it, the full-size picture. */
const LARGE = 1440;
export const SLIDESHOW_MS = 4000;

// Icons drawn as PhotoSwipe draws its own: one filled shape, outlined by a shadow copy (`outlineID`).
const svg = (id, d) => ({ isCustomSVG: true, size: 32, outlineID: id,
  inner: `<path d="${d}" id="${id}" fill-rule="evenodd"/>` });
const PLAY = svg("pswp__icn-play", "M12 9v14l11-7z");
const PAUSE = svg("pswp__icn-pause", "M10.5 9h4v14h-4zM17.5 9h4v14h-4z");
const INFO = svg("pswp__icn-info", "M16 6a10 10 0 1 0 0 20a10 10 0 1 0 0-20zm0 2.4a7.6 7.6 0 1 1 0 15.2a7.6 7.6 0 1 1 0-15.2z"
  + "M14.7 14.2h2.6v7.3h-2.6zM14.7 10.2h2.6v2.6h-2.6z");
const icon = ({ outlineID, inner }) => '<svg aria-hidden="true" class="pswp__icn" viewBox="0 0 32 32" width="32" '
  + `height="32"><use class="pswp__icn-shadow" href="#${outlineID}"/>${inner}</svg>`;

/** What a slide shows for a photo: the large preview, and (`full`) the full-size picture to zoom into. */
export function slideOf(photo) {
  const { id, width, height, version } = photo;
  if (photo.media_type === "video") return videoSlide(photo);
  const full = endpoints.full(id, version);
  const alt = photo.caption || [photo.tags?.slice(0, 3).join(", "), photo.taken_at && parseLocal(photo.taken_at)
    .toLocaleDateString(undefined, { dateStyle: "long" })].filter(Boolean).join(" · ") || photo.filename;
  return {
    width, height, alt, photo, msrc: endpoints.thumbnail(id, "small", version),
    // An animation plays from its original; a photo no bigger than its preview has nothing more to show.
    src: photo.animated ? full : endpoints.thumbnail(id, "large", version),
    full: !photo.animated && Math.max(width, height) > LARGE ? full : null,
  };
}

/** A clip's slide: its player (poster first, nothing fetched until played), sized to the clip. A clip still waiting
 * for its rendition shows the poster with a link to its page, which says how far the worker got. */
function videoSlide(photo) {
  const { id, width, height, version } = photo;
  const poster = endpoints.thumbnail(id, "large", version);
  const label = (photo.caption || photo.filename || "Video").replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const video = `<video class="pswp-video" controls playsinline preload="none" poster="${poster}" `
    + `src="${endpoints.video(id, version)}" aria-label="Video: ${label}"></video>`;
  return { width, height, photo, html: `<div class="pswp-video-frame">${video}</div>` };
}

/** Only the shown slide's clip plays: stepping away pauses the others. */
function pauseHidden(pswp) {
  pswp.on("change", () => {
    for (const video of pswp.element?.querySelectorAll("video") || []) {
      if (!pswp.currSlide?.container?.contains(video)) video.pause();
    }
  });
}

/** The full-size picture in place of the preview, once it is decoded (no blank moment while it comes). */
function upgrade(slide, full = slide?.data?.full) {
  const image = slide?.content?.element;
  if (!full || !image || image.tagName !== "IMG" || image.dataset.full) return;
  image.dataset.full = "loading";
  const loader = new Image();
  loader.src = full;
  loader.decode().then(() => {
    image.src = full;
    image.dataset.full = "shown";
  }, () => { image.dataset.full = "failed"; });
}

/** Fetch the full-size picture when the preview would be enlarged: zoomed in, or shown bigger than its pixels. */
function progressive(pswp) {
  const check = (slide) => {
    if (!slide?.data.full) return;
    const shown = slide.width * slide.currZoomLevel * window.devicePixelRatio;
    if (slide.currZoomLevel > slide.zoomLevels.initial * 1.05 || shown > LARGE * 1.05) upgrade(slide);
  };
  pswp.on("zoomPanUpdate", ({ slide }) => check(slide));
  pswp.on("change", () => check(pswp.currSlide));
  pswp.on("loadComplete", ({ slide }) => check(slide));
  pswp.on("change", () => animate(pswp.currSlide));
}

const animations = new Map(); // photo id -> whether it is an animation (a listing does not say; its detail does)

/** An animation (GIF, APNG, animated WebP or AVIF) plays from its original: its preview is the first frame. */
async function animate(slide) {
  const photo = slide?.data.photo;
  if (!photo || photo.animated !== undefined) return;
  if (!animations.has(photo.id)) {
    animations.set(photo.id, api(endpoints.photo(photo.id)).then((detail) => detail.animated, () => false));
  }
  if (await animations.get(photo.id)) upgrade(slide, endpoints.full(photo.id, photo.version));
}

const LOADING = { html: '<div class="viewer-loading" role="status">Loading…</div>' };

function dataFilter(pswp, source) {
  const pending = new Set();
  return (_data, index) => {
    const photo = source.item(index);
    if (photo) return slideOf(photo);
    if (!pending.has(index)) {
      pending.add(index);
      source.load(index).then(() => {
        pending.delete(index);
        if (!pswp.isDestroying && source.item(index)) pswp.refreshSlideContent(index);
      }, () => pending.delete(index));
    }
    return LOADING;
  };
}

/** Play and pause: the next photo every SLIDESHOW_MS, stopped by the last photo, a key, a touch or closing. */
function slideshow(pswp) {
  let timer = null;
  let button = null;
  const show = (playing) => {
    button.innerHTML = icon(playing ? PAUSE : PLAY);
    button.setAttribute("aria-label", playing ? "Pause slideshow" : "Play slideshow");
    button.title = playing ? "Pause slideshow" : "Play slideshow";
    button.setAttribute("aria-pressed", String(playing));
  };
  const stop = () => {
    clearInterval(timer);
    timer = null;
    if (button) show(false);
  };
  const step = () => (pswp.currIndex < pswp.getNumItems() - 1 ? pswp.next() : stop());
  const toggle = () => {
    if (timer) return stop();
    timer = setInterval(step, SLIDESHOW_MS);
    show(true);
    return undefined;
  };
  pswp.on("uiRegister", () => pswp.ui.registerElement({
    name: "slideshow", order: 8, isButton: true, html: PLAY, title: "Play slideshow",
    onInit: (element) => { button = element; show(false); }, onClick: toggle,
  }));
  pswp.on("pointerDown", (event) => { if (!button?.contains(event.originalEvent.target)) stop(); });
  pswp.on("keydown", (event) => { if (event.originalEvent.key !== "Tab") stop(); });
  pswp.on("close", stop);
}

function details(pswp) {
  pswp.on("uiRegister", () => pswp.ui.registerElement({
    name: "details", order: 9, isButton: true, html: INFO, title: "Details (caption, tags, place)",
    ariaLabel: "Details", onClick: () => {
      const photo = pswp.currSlide?.data.photo;
      if (photo) location.replace(photoPath(photo.id)); // in place of the viewer's own history entry
    },
  }));
}

let Library = null;
/** PhotoSwipe, loaded the first time the viewer opens (a page that never opens it never fetches it). */
async function photoswipe() {
  Library ??= (await import("../vendor/photoswipe.js")).default;
  return Library;
}

/** Open the viewer at `index` of `source`; resolves to the PhotoSwipe instance once it is open. */
export async function openViewer(source, index) {
  const PhotoSwipe = await photoswipe();
  const pswp = new PhotoSwipe({
    index, bgOpacity: 1, wheelToZoom: true, loop: false, preload: [1, 2], showHideAnimationType: "fade",
    closeTitle: "Close (Esc)", zoomTitle: "Zoom (Z)", arrowPrevTitle: "Previous photo (←)",
    arrowNextTitle: "Next photo (→)", errorMsg: "This photo could not be loaded.", indexIndicatorSep: " of ",
    mainClass: "viewer",
  });
  pswp.addFilter("numItems", () => source.count());
  pswp.addFilter("itemData", dataFilter(pswp, source));
  progressive(pswp);
  pauseHidden(pswp);
  slideshow(pswp);
  details(pswp);
  pswp.on("change", () => {
    const photo = pswp.currSlide?.data.photo;
    if (pswp.currIndex >= source.count() - 2) source.load(source.count() - 1).catch(() => {});
    if (photo && source.onChange) source.onChange(pswp.currIndex, photo);
  });
  pswp.on("close", () => source.onClose?.(pswp.currIndex, pswp.currSlide?.data.photo));
  pswp.init();
  return pswp;
}

/**
 * The viewer opened over a grid: its address is the photo's (/photos/ID, so a reload or a shared link opens the
 * photo's page), and the browser's Back closes it. `back` is the grid's own address.
 */
export async function openOverGrid(source, index, back) {
  let popped = false;
  let pswp = null;
  const closeOnBack = () => {
    popped = true;
    if (!pswp) return; // still opening: closed once open, below
    if (pswp.opener.isOpen) pswp.close();
    else pswp.on("openingAnimationEnd", () => pswp.close()); // PhotoSwipe ignores a close while it opens
  };
  const first = source.item(index);
  history.pushState({ viewer: true }, "", first ? photoPath(first.id) : back);
  window.addEventListener("popstate", closeOnBack);
  pswp = await openViewer({
    ...source,
    onChange(at, photo) {
      if (history.state?.viewer) history.replaceState({ viewer: true }, "", photoPath(photo.id));
      source.onChange?.(at, photo);
    },
    onClose(at, photo) {
      window.removeEventListener("popstate", closeOnBack);
      if (!popped && history.state?.viewer) history.back();
      source.onClose?.(at, photo);
    },
  }, index);
  if (popped) closeOnBack();
  return pswp;
}
