// Upload by button or by dropping files anywhere: one request per file, each with its own progress bar.
import { api, uploadFile } from "./api.js";
import * as endpoints from "./endpoints.js";
import { $, $$, formatBytes, h, icon } from "./ui.js";

const PARALLEL = 3;
const queue = [];
const counts = { total: 0, done: 0, added: 0, duplicates: 0, failed: 0 };
let active = 0;
let panel;
let list;
let summary;

function row(file) {
  const preview = h("img", { class: "size-full object-cover", alt: "", src: URL.createObjectURL(file) });
  preview.addEventListener("error", () => preview.remove(), { once: true });
  const fill = h("span", { class: "w-0" }); // empty until its upload starts sending
  const bar = h("div", { class: "bar mt-1.5", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0", "aria-label": `Upload progress of ${file.name}` }, fill);
  const status = h("p", { class: "mt-1 text-xs text-neutral-500 dark:text-neutral-400", text: `Waiting · ${formatBytes(file.size)}` });
  const badge = h("span", { class: "flex size-6 shrink-0 items-center justify-center rounded-full" });
  const item = h("li", { class: "flex items-center gap-3 px-4 py-2.5", dataset: { state: "waiting" } },
    h("div", { class: "size-10 shrink-0 overflow-hidden rounded-lg bg-neutral-200 dark:bg-neutral-800" }, preview),
    h("div", { class: "min-w-0 flex-1" },
      h("p", { class: "truncate text-sm font-medium", text: file.name, title: file.name }), bar, status),
    badge);
  return { item, fill, bar, status, badge, preview };
}

function setProgress(entry, fraction) {
  const percent = Math.round(fraction * 100);
  entry.fill.style.width = `${percent}%`;
  entry.bar.setAttribute("aria-valuenow", String(percent));
  entry.status.textContent = percent < 100 ? `Uploading · ${percent}%` : "Processing…";
}

function finish(entry, state, message, href) {
  entry.item.dataset.state = state;
  entry.bar.remove();
  URL.revokeObjectURL(entry.preview.src);
  const colours = {
    added: "text-emerald-600 dark:text-emerald-400",
    duplicate: "text-amber-600 dark:text-amber-400",
    failed: "text-red-600 dark:text-red-400",
  };
  entry.status.className = `mt-0.5 text-xs ${colours[state]}`;
  entry.status.replaceChildren(href ? h("a", { href, class: "underline underline-offset-2", text: message }) : message);
  entry.badge.className = `flex size-6 shrink-0 items-center justify-center rounded-full ${colours[state]}`;
  entry.badge.replaceChildren(icon(state === "failed" ? "alert" : "check", "size-5"));
}

function reasonOf(result) {
  const error = result.data && (result.data.errors?.[0]?.error || result.data.error);
  if (error) return error.message.replace(/^[^:]*: /, "");
  if (result.status === 0) return "network error, check your connection";
  return `the server answered ${result.status}`;
}

async function send(file, entry) {
  entry.item.dataset.state = "uploading";
  entry.item.scrollIntoView({ block: "nearest" }); // what is uploading now stays in sight in a long list
  const result = await uploadFile(file, (fraction) => setProgress(entry, fraction));
  const photo = result.data && result.data.photos && result.data.photos[0];
  if (photo && photo.in_trash) {
    counts.duplicates += 1;
    finish(entry, "duplicate", "Already here, in Trash");
    offerRestore(entry, photo.id);
    return;
  }
  if (photo && photo.duplicate) {
    counts.duplicates += 1;
    finish(entry, "duplicate", "Already in your library", `/photos/${photo.id}`);
  } else if (photo) {
    counts.added += 1;
    finish(entry, "added", "Uploaded", `/photos/${photo.id}`);
  } else {
    counts.failed += 1;
    finish(entry, "failed", `Failed: ${reasonOf(result)}`);
  }
  if (photo) window.dispatchEvent(new CustomEvent("shoebox:photo-added", { detail: photo }));
}

/** The file is a photo in Trash (no second copy is made, as in Immich): a button brings it back. */
function offerRestore(entry, id) {
  const button = h("button", { type: "button", class: "ml-1 inline-flex min-h-6 items-center px-1 font-medium underline underline-offset-2", text: "Restore" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api(endpoints.restoreFromTrash(), { method: "POST", body: { ids: [id] } });
      finish(entry, "added", "Restored from Trash", `/photos/${id}`);
      window.dispatchEvent(new CustomEvent("shoebox:photo-added", { detail: await api(endpoints.photo(id)) }));
    } catch (failure) {
      button.disabled = false;
      entry.status.append(` · ${failure.message}`);
    }
  });
  entry.status.append(button);
}

function updateSummary() {
  const parts = [];
  if (counts.added) parts.push(`${counts.added} uploaded`);
  if (counts.duplicates) parts.push(`${counts.duplicates} already there`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  summary.textContent = counts.done < counts.total
    ? `Uploading ${counts.done + 1 > counts.total ? counts.total : counts.done + 1} of ${counts.total}…`
    : parts.join(" · ") || "Uploads";
}

function pump() {
  while (active < PARALLEL && queue.length) {
    const { file, entry } = queue.shift();
    active += 1;
    send(file, entry).finally(() => {
      active -= 1;
      counts.done += 1;
      updateSummary();
      if (counts.done === counts.total) window.dispatchEvent(new CustomEvent("shoebox:uploads-finished"));
      pump();
    });
  }
}

export function addFiles(files) {
  const chosen = [...files];
  if (!chosen.length) return;
  showPanel(true);
  // A new batch goes on top, in the order it uploads: the files being sent are the first rows, not below the fold.
  const rows = [];
  for (const file of chosen) {
    const entry = row(file);
    rows.push(entry.item);
    queue.push({ file, entry });
    counts.total += 1;
  }
  list.prepend(...rows);
  list.scrollTop = 0;
  updateSummary();
  pump();
}

function showPanel(show) {
  panel.hidden = !show;
  // On a phone the panel is a bottom sheet over the floating button; it has its own "upload more".
  const fab = $("[data-upload-fab]");
  if (fab) fab.hidden = show;
}

function closePanel() {
  showPanel(false);
  if (active || queue.length) return;
  list.replaceChildren();
  Object.keys(counts).forEach((key) => { counts[key] = 0; });
}

function hasFiles(event) {
  return event.dataTransfer && [...event.dataTransfer.types].includes("Files");
}

function initDropAnywhere() {
  const overlay = $("[data-drop-overlay]");
  let depth = 0;
  window.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    overlay.hidden = false;
  });
  window.addEventListener("dragleave", (event) => {
    if (!hasFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  });
  window.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  window.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    overlay.hidden = true;
    addFiles(event.dataTransfer.files);
  });
}

export function initUpload() {
  panel = $("[data-upload-panel]");
  if (!panel) return;
  list = $("[data-upload-list]", panel);
  summary = $("[data-upload-summary]", panel);
  const input = $("[data-upload-input]");
  for (const button of $$("[data-upload-open]")) button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    addFiles(input.files);
    input.value = "";
  });
  $("[data-upload-close]", panel).addEventListener("click", closePanel);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || panel.hidden || event.defaultPrevented) return;
    event.preventDefault(); // the page's own Escape (the photo page's "back") waits for the next press
    closePanel();
  });
  initDropAnywhere();
}
