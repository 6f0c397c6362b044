// Live Photos and Motion Photos: a still with a short clip (its `motion_url`). A tile plays the clip muted over
// its picture while a mouse rests on it, or while a finger holds its "Live" badge (a long press elsewhere on a tile
// starts picking photos); the photo page has a button that plays it. The clip plays once, then the still is back.
import { h } from "./ui.js";

/** Play `url` muted and inline over `host` (a positioned element), with `className`; the video element. */
export function playOver(host, url, className) {
  stopOver(host);
  const video = h("video", { src: url, playsinline: true, preload: "auto", class: className, "aria-hidden": "true",
    dataset: { liveClip: "" } });
  video.muted = true; // set as a property: the attribute alone does not mute a video made by script
  video.addEventListener("ended", () => stopOver(host));
  host.append(video);
  host.dataset.livePlaying = "";
  video.play().catch(() => stopOver(host)); // a clip the browser cannot play leaves the still as it was
  return video;
}

/** Stop and take away the clip playing over `host`, if any. */
export function stopOver(host) {
  for (const video of host.querySelectorAll("[data-live-clip]")) {
    video.pause();
    video.remove();
  }
  delete host.dataset.livePlaying;
}

/** Make `tile` (a photo tile with a clip) play it on hover, and return its "Live" badge, which plays it while
 * held on a touch screen (or, from the keyboard, on Enter). */
export function liveTile(tile, photo) {
  const start = () => playOver(tile, photo.motion_url, "tile-live-clip");
  const stop = () => stopOver(tile);
  tile.addEventListener("pointerenter", (event) => { if (event.pointerType === "mouse") start(); });
  tile.addEventListener("pointerleave", (event) => { if (event.pointerType === "mouse") stop(); });
  const badge = h("button", { type: "button", class: "tile-live", "aria-label": "Play Live Photo",
    title: "Live Photo: hold to play", dataset: { liveBadge: "" } }, "Live");
  badge.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse") return;
    event.stopPropagation(); // no long press that picks the tile
    start();
  });
  for (const type of ["pointerup", "pointercancel", "pointerleave"]) {
    badge.addEventListener(type, (event) => { if (event.pointerType !== "mouse") stop(); });
  }
  badge.addEventListener("contextmenu", (event) => event.preventDefault());
  badge.addEventListener("click", (event) => {
    event.preventDefault(); // inside the tile's link: a press on the badge is no visit
    event.stopPropagation();
    if (event.detail === 0) { // the keyboard's Enter or Space
      if ("livePlaying" in tile.dataset) stop(); else start();
    }
  });
  return badge;
}
