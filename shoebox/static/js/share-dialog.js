// The "Share" button of the album and photo pages: asks for the link's options in the page's share dialog
// (templates/shares/_share_dialog.html), makes the link and shows it, ready to copy.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { $ } from "./ui.js";

const DAY = 24 * 3600 * 1000;

/** The new link's options from the dialog's form, for `target` ({album_id} or {ids}). */
function linkBody(form, target) {
  const field = (name) => form.elements.namedItem(name);
  const body = { ...target };
  for (const flag of ["allow_download", "show_location", "show_people"]) body[flag] = field(flag).checked;
  if (field("password").value) body.password = field("password").value;
  const days = Number(field("expiry").value);
  if (days) body.expires_at = new Date(Date.now() + days * DAY).toISOString();
  return body;
}

/** Copy the link, or at least select it where the clipboard is not ours to write (an insecure origin). */
export async function copyLink(input, said) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    said.textContent = "Link copied.";
  } catch {
    said.textContent = "Press Ctrl+C (⌘C) to copy the selected link.";
  }
}

function showResult(dialog, url) {
  $("[data-share-options]", dialog).hidden = true;
  $("[data-share-create]", dialog).hidden = true;
  $("[data-share-result]", dialog).hidden = false;
  const input = $("[data-share-url]", dialog);
  input.value = url;
  input.focus();
  input.select();
}

function reset(dialog, form) {
  form.reset();
  $("[data-share-options]", dialog).hidden = false;
  $("[data-share-create]", dialog).hidden = false;
  $("[data-share-result]", dialog).hidden = true;
  $("[data-share-error]", dialog).textContent = "";
  $("[data-share-copied]", dialog).textContent = "";
}

/** Wire `button` to share `target()` (called on each click: {album_id} or {ids}). */
export function initShareButton(button, target) {
  const dialog = $("[data-share-dialog]");
  const form = $("[data-share-form]", dialog);
  button.addEventListener("click", () => {
    reset(dialog, form);
    dialog.showModal();
  });
  $("[data-share-copy]", dialog).addEventListener("click", () =>
    copyLink($("[data-share-url]", dialog), $("[data-share-copied]", dialog)));
  form.addEventListener("submit", async (event) => {
    if (event.submitter?.value !== "create") return; // Close: the dialog closes itself
    event.preventDefault();
    try {
      const made = await api(endpoints.shares(), { method: "POST", body: linkBody(form, target()) });
      showResult(dialog, made.url);
    } catch (failure) {
      $("[data-share-error]", dialog).textContent = `No link made: ${failure.message}.`;
    }
  });
}
