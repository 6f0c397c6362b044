// The one photo tile every grid shows (timeline, search results, a person, duplicates, "more like this"):
// a square thumbnail that opens the photo's page. Its look is the `.tile` component in static/src/app.css.
import { h } from "./ui.js";

export const photoPath = (id) => `/photos/${id}`;

/**
 * A tile for `photo` (an item of any listing: id, filename, caption, thumbnail_url, taken_at).
 * Options: `className` adds classes (shape, rounding), `title` replaces the tooltip, `height` the image's height
 * attribute for a non-square tile, `decorative` makes it a mouse-only twin of a text link beside it, and
 * `badge` is a node laid over the picture.
 */
export function photoTile(photo, { className = "", title, height = 256, decorative = false, badge = null } = {}) {
  const label = photo.caption || photo.filename;
  const hidden = decorative ? { tabindex: "-1", "aria-hidden": "true" } : {};
  return h("a", {
    href: photoPath(photo.id), class: `tile ${className}`.trim(), title: decorative ? undefined : title || label,
    dataset: { id: photo.id, taken: photo.taken_at }, ...hidden,
  }, h("img", { src: photo.thumbnail_url, alt: decorative ? "" : label, loading: "lazy", decoding: "async",
    width: "256", height: String(height) }), badge);
}
