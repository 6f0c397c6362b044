// The one photo tile every grid shows (timeline, search results, a person, duplicates, "more like this"):
// a square thumbnail that opens the photo's page. Its look is the `.tile` component in static/src/app.css.
import { h, parseLocal } from "./ui.js";

export const photoPath = (id) => `/photos/${id}`;

/** What a tile's picture shows, for someone who cannot see it: its caption, else what is known (its tags and
 * the day it was taken), never the file name, which says nothing ("IMG_2041.jpg"). */
export function describe(photo) {
  if (photo.caption) return photo.caption;
  const tags = (photo.tags || []).slice(0, 4);
  const what = tags.length ? `Photo of ${tags.join(", ")}` : "Photo";
  if (!photo.taken_at) return what;
  return `${what}, taken ${parseLocal(photo.taken_at).toLocaleDateString(undefined, { dateStyle: "long" })}`;
}

/**
 * A tile for `photo` (an item of any listing: id, filename, caption, thumbnail_url, taken_at).
 * Options: `className` adds classes (shape, rounding), `title` replaces the tooltip, `height` the image's height
 * attribute for a non-square tile, `decorative` makes it a mouse-only twin of a text link beside it,
 * `badge` is a node laid over the picture, and `priority` loads it at once, first (the first row of a grid).
 * A share link's photo has a `key` instead of an id: give it `href` and `onclick` (its page has its own viewer).
 */
export function photoTile(photo, { className = "", title, height = 256, decorative = false, badge = null, priority = false,
  href = photoPath(photo.id), onclick } = {}) {
  const hidden = decorative ? { tabindex: "-1", "aria-hidden": "true" } : {};
  const loading = priority ? { loading: "eager", fetchpriority: "high" } : { loading: "lazy" };
  return h("a", {
    href, class: `tile ${className}`.trim(), onclick,
    title: decorative ? undefined : title || photo.caption || photo.filename,
    dataset: photo.key ? { key: photo.key, taken: photo.taken_at } : { id: photo.id, taken: photo.taken_at }, ...hidden,
  }, h("img", { src: photo.thumbnail_url, alt: decorative ? "" : describe(photo), ...loading, decoding: "async",
    width: "256", height: String(height) }), badge);
}
