// The photo page's albums: those the photo is in (each a link, with "use as cover" and "remove"), adding it to
// another album, or to a new one.
import { api } from "./api.js";
import { askForNewAlbum } from "./albums-common.js";
import * as endpoints from "./endpoints.js";
import { $, h, icon } from "./ui.js";

let id;
let section;

function chip(album) {
  const isCover = album.cover_chosen && album.cover_photo_id === id;
  const button = (label, glyph, onclick, pressed) => h("button", {
    type: "button", "aria-label": label, title: label, "aria-pressed": pressed === undefined ? undefined : String(pressed),
    class: "flex size-9 cursor-pointer items-center justify-center rounded-full hover:bg-brand-100 aria-pressed:text-brand-700 dark:hover:bg-brand-800/60 dark:aria-pressed:text-brand-200",
    onclick,
  }, icon(glyph, "size-3.5"));
  return h("li", { class: "chip", dataset: { albumId: album.id } },
    h("a", { href: `/albums/${album.id}`, class: "py-1.5 hover:underline", text: album.name }),
    button(isCover ? `Cover of ${album.name}` : `Use as cover of ${album.name}`, "image",
      () => change(endpoints.album(album.id), "PATCH", { cover_photo_id: isCover ? null : id }), isCover),
    button(`Remove from ${album.name}`, "close", () => change(endpoints.albumPhotos(album.id), "DELETE", { ids: [id] })));
}

async function change(path, method, body) {
  const error = $("[data-photo-albums-error]", section);
  error.textContent = "";
  try {
    await api(path, { method, body });
  } catch (failure) {
    error.textContent = `Not saved: ${failure.message}.`;
  }
  await render();
}

async function render() {
  const [mine, all] = await Promise.all([api(endpoints.photoAlbums(id)), api(endpoints.albums())]);
  const list = $("[data-photo-album-list]", section);
  list.replaceChildren(...mine.items.map(chip));
  if (!mine.items.length) list.append(h("li", { class: "text-sm text-neutral-500 dark:text-neutral-400", text: "In no album yet." }));
  const inside = new Set(mine.items.map((album) => album.id));
  const choice = $("[data-album-choice]", section);
  const others = all.items.filter((album) => !inside.has(album.id));
  choice.replaceChildren(choice.options[0], ...others.map((album) => h("option", { value: String(album.id), text: album.name })));
  $("[data-album-add]", section).hidden = !others.length;
}

export function initPhotoAlbums(photoId) {
  id = photoId;
  section = $("[data-photo-albums]");
  $("[data-album-add]", section).addEventListener("submit", (event) => {
    event.preventDefault();
    const album = Number($("[data-album-choice]", section).value);
    if (album) change(endpoints.albumPhotos(album), "POST", { ids: [id] });
  });
  $("[data-album-create]", section).addEventListener("click", async () => {
    if (await askForNewAlbum([id])) await render();
  });
  return render().catch((failure) => { $("[data-photo-albums-error]", section).textContent = failure.message; });
}
