// What the album pages and the photo page share: counts in words, and the "New album" dialog
// (templates/albums/_new_album_dialog.html) that creates an album, with photos in it if given.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { $ } from "./ui.js";

export const photoCount = (count) => `${count} ${count === 1 ? "photo" : "photos"}`;

/** Ask for a name (and a description) in the page's "New album" dialog and create the album with photos `ids`.
 * Resolves to the new album, or to null when the user cancels. */
export function askForNewAlbum(ids = []) {
  const dialog = $("[data-new-album-dialog]");
  const form = $("[data-new-album-form]", dialog);
  const error = $("[data-new-album-error]", dialog);
  form.reset();
  error.textContent = "";
  dialog.showModal();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (album) => {
      if (settled) return;
      settled = true;
      form.removeEventListener("submit", submit);
      dialog.removeEventListener("close", cancelled);
      resolve(album);
    };
    const cancelled = () => settle(null);
    async function submit(event) {
      if (event.submitter?.value !== "create") return; // Cancel: the dialog closes itself
      event.preventDefault();
      const description = form.elements.namedItem("description").value.trim();
      const body = { name: form.elements.namedItem("name").value, description: description || null };
      if (ids.length) body.ids = ids;
      try {
        settle(await api(endpoints.albums(), { method: "POST", body }));
        dialog.close();
      } catch (failure) {
        error.textContent = failure.message;
      }
    }
    form.addEventListener("submit", submit);
    dialog.addEventListener("close", cancelled);
  });
}
