// The Albums page: a card per album (cover, name, photo count), "New album" and "Year in review".
import { api } from "./api.js";
import { askForNewAlbum, photoCount } from "./albums-common.js";
import * as endpoints from "./endpoints.js";
import { $, h, icon } from "./ui.js";

export const albumPath = (id) => `/albums/${id}`;

function card(album) {
  const cover = album.cover_url
    ? h("img", { src: album.cover_url, alt: "", loading: "lazy", decoding: "async", width: "256", height: "256",
      class: "size-full object-cover transition duration-300 group-hover:scale-[1.03]" })
    : h("span", { class: "flex size-full items-center justify-center text-neutral-400 dark:text-neutral-500" },
      icon("album", "size-10"));
  return h("li", { dataset: { albumId: album.id } }, h("a", { href: albumPath(album.id), class: "group block rounded-xl" },
    h("span", { class: "block aspect-square overflow-hidden rounded-xl bg-neutral-100 dark:bg-neutral-800" }, cover),
    h("span", { class: "mt-2 block truncate text-sm font-semibold", text: album.name, dataset: { albumName: "" } }),
    h("span", { class: "block text-xs text-neutral-600 dark:text-neutral-400", text: photoCount(album.photo_count) })));
}

async function load(page) {
  const { items } = await api(endpoints.albums());
  const grid = $("[data-albums-grid]", page);
  grid.replaceChildren(...items.map(card));
  grid.setAttribute("aria-busy", "false");
  $("[data-albums-count]", page).textContent = items.length ? `${items.length} ${items.length === 1 ? "album" : "albums"}` : "";
  $("[data-albums-empty]", page).hidden = items.length > 0;
}

/** Ask which year, make its "in review" album, and open it; errors (no photos that year) stay in the dialog. */
function yearInReview() {
  const dialog = $("[data-review-dialog]");
  const form = $("[data-review-form]", dialog);
  const error = $("[data-review-error]", dialog);
  error.textContent = "";
  form.elements.namedItem("year").value = String(new Date().getFullYear() - 1);
  dialog.showModal();
  form.onsubmit = async (event) => {
    if (event.submitter?.value !== "create") return;
    event.preventDefault();
    try {
      const album = await api(endpoints.yearInReview(), { method: "POST",
        body: { year: Number(form.elements.namedItem("year").value) } });
      location.assign(albumPath(album.id));
    } catch (failure) {
      error.textContent = failure.message;
    }
  };
}

export function initAlbums() {
  const page = $("[data-albums-page]");
  const report = (failure) => { $("[data-albums-status]", page).textContent = failure.message; };
  $("[data-new-album]", page).addEventListener("click", async () => {
    const album = await askForNewAlbum();
    if (album) location.assign(albumPath(album.id));
  });
  $("[data-year-review]", page).addEventListener("click", yearInReview);
  load(page).catch(report);
}
