// The one photo tile every grid shows (timeline, search results, a person, duplicates, "more like this"):
// a square thumbnail that opens the photo's page, with a heart to make it a favourite; and the tile that picks a
// photo instead (the Trash). Their look is the `.tile` and `.trash-pick` components in static/src/app.css.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { liveTile } from "./live.js";
import { checkButton } from "./selection.js";
import { h, icon, parseLocal } from "./ui.js";

export const photoPath = (id) => `/photos/${id}`;

/** A clip's length as a player shows it: "0:07", "12:34", "1:02:03". */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.round(seconds || 0));
  const [hours, minutes, secs] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const pad = (n) => String(n).padStart(2, "0");
  return hours ? `${hours}:${pad(minutes)}:${pad(secs)}` : `${minutes}:${pad(secs)}`;
}

/** The play mark and length laid over a clip's tile (its picture is the poster frame). */
const durationBadge = (photo) => h("span", { class: "tile-duration", dataset: { duration: photo.duration ?? "" },
  "aria-hidden": "true" }, icon("play", "size-3"), formatDuration(photo.duration));

/** What a tile's picture shows, for someone who cannot see it: its caption, else what is known (its tags and
 * the day it was taken), never the file name, which says nothing ("IMG_2041.jpg"). */
export function describe(photo) {
  if (photo.caption) return photo.caption;
  const tags = (photo.tags || []).slice(0, 4);
  const kind = photo.media_type === "video" ? `Video (${formatDuration(photo.duration)})` : "Photo";
  const what = tags.length ? `${kind} of ${tags.join(", ")}` : kind;
  if (!photo.taken_at) return what;
  return `${what}, taken ${parseLocal(photo.taken_at).toLocaleDateString(undefined, { dateStyle: "long" })}`;
}

/**
 * A tile for `photo` (an item of any listing: id, filename, caption, thumbnail_url, taken_at, favourite).
 * Options: `className` adds classes (shape, rounding), `title` replaces the tooltip, `height` the image's height
 * attribute for a non-square tile, `decorative` makes it a mouse-only twin of a text link beside it (no heart),
 * `badge` is a node laid over the picture, `priority` loads it at once, first (the first row of a grid), and `check`
 * adds the check that picks it (selection.js; on grids whose page has a selection bar).
 * A share link's photo has a `key` instead of an id: give it `href` and `onclick` (its page has its own viewer).
 */
export function photoTile(photo, { className = "", title, height = 256, decorative = false, badge = null, priority = false,
  href = photoPath(photo.id), onclick, check = false } = {}) {
  const hidden = decorative ? { tabindex: "-1", "aria-hidden": "true" } : {};
  const label = describe(photo);
  const loading = priority ? { loading: "eager", fetchpriority: "high" } : { loading: "lazy" };
  // The link is named by its label alone: the heart inside it is a control of its own.
  const tile = h("a", {
    href, class: `tile ${className}`.trim(), onclick, title: decorative ? undefined : title || label,
    "aria-label": decorative ? undefined : label, ...hidden,
    dataset: photo.key ? { key: photo.key, taken: photo.taken_at } : { id: photo.id, taken: photo.taken_at },
  }, h("img", { src: photo.thumbnail_url, alt: decorative ? "" : label, ...loading, decoding: "async",
    width: "256", height: String(height) }), badge, photo.media_type === "video" ? durationBadge(photo) : null,
  decorative || photo.key ? null : heartButton(photo, { className: "tile-heart" }), // a share's recipient has no hearts
  check && !decorative ? checkButton() : null);
  if (photo.motion_url && !decorative) tile.append(liveTile(tile, photo)); // a Live Photo or Motion Photo
  return tile;
}

/**
 * The heart: a toggle button (aria-pressed) that makes `photo` a favourite or not, on a tile and on the photo
 * page. It saves at once, shows the new state before the answer and goes back if saving fails; every change is
 * announced to the page as a bubbling `favouritechange` event ({id, favourite} in `detail`).
 */
export function heartButton(photo, { className = "" } = {}) {
  const button = h("button", {
    type: "button", class: `heart ${className}`.trim(), "aria-pressed": String(Boolean(photo.favourite)),
    "aria-label": "Favourite", title: "Favourite", dataset: { heart: photo.id },
  }, icon("heart", "size-5"));
  const show = (on) => button.setAttribute("aria-pressed", String(on));
  button.addEventListener("click", async (event) => {
    event.preventDefault(); // inside a tile's link: a heart press is no visit
    event.stopPropagation();
    const wanted = button.getAttribute("aria-pressed") !== "true";
    show(wanted);
    try {
      const saved = await api(endpoints.photo(photo.id), { method: "PATCH", body: { favourite: wanted } });
      photo.favourite = saved.favourite;
      show(saved.favourite);
      button.dispatchEvent(new CustomEvent("favouritechange", { bubbles: true, detail: { id: photo.id, favourite: saved.favourite } }));
    } catch {
      show(!wanted);
    }
  });
  return button;
}

/**
 * A tile that picks `photo` rather than opening it (the Trash, where a photo has no page): a list item with a
 * checkbox (`data-pick` = the id, visually hidden) and its label: the picture, a check, the name and `note`.
 */
export function pickTile(photo, { note = "", onchange } = {}) {
  const name = photo.caption || photo.filename;
  const id = `pick-${photo.id}`;
  return h("li", {},
    h("input", { type: "checkbox", id, class: "peer sr-only", dataset: { pick: photo.id }, onchange }),
    h("label", { for: id, class: "trash-pick", title: name },
      h("img", { src: photo.thumbnail_url, alt: "", loading: "lazy", decoding: "async", width: "256", height: "256",
        class: "aspect-square w-full rounded-lg object-cover" }),
      h("span", { class: "trash-check", "aria-hidden": "true" }),
      h("span", { class: "mt-1 block truncate text-xs font-medium", text: name }),
      h("span", { class: "block text-xs text-neutral-600 dark:text-neutral-400", text: note })));
}
