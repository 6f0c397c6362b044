// "Shared links" on the Account page: every link the user made, what it shows, how often it was opened, and a
// button to copy it again or revoke it (it then answers 404 to everyone).
import { api } from "./api.js";
import { photoCount } from "./albums-common.js";
import * as endpoints from "./endpoints.js";
import { $, formatDateTime, h, icon } from "./ui.js";

const views = (count) => `${count} ${count === 1 ? "view" : "views"}`;

function status(text) {
  $("[data-shares-status]").textContent = text;
}

function summary(link) {
  const parts = [photoCount(link.photo_count), views(link.view_count)];
  if (link.expired) parts.push("expired");
  else if (link.expires_at) parts.push(`expires ${formatDateTime(link.expires_at)}`);
  if (link.has_password) parts.push("password");
  if (!link.allow_download) parts.push("no downloads");
  if (link.show_location) parts.push("shows location");
  return parts.join(" · ");
}

async function copy(link) {
  try {
    await navigator.clipboard.writeText(link.url);
    status(`Link to “${link.title}” copied.`);
  } catch {
    window.prompt("Copy the link:", link.url); // an origin where the clipboard is not ours to write
  }
}

async function revoke(link, row) {
  try {
    await api(endpoints.share(link.id), { method: "DELETE" });
    row.remove();
    status(`The link to “${link.title}” no longer works.`);
    $("[data-shares-empty]").hidden = Boolean($("[data-shares-list]").children.length);
  } catch (failure) {
    status(`Not revoked: ${failure.message}.`);
  }
}

function row(link) {
  const item = h("li", { class: "flex flex-wrap items-center gap-x-3 gap-y-1 py-3", dataset: { shareId: link.id } },
    h("div", { class: "min-w-0 flex-1" },
      h("p", { class: "truncate font-medium", text: link.title }),
      h("p", { class: "text-sm text-neutral-600 dark:text-neutral-400", text: summary(link) })));
  const copyButton = h("button", { type: "button", class: "btn btn-secondary", disabled: !link.url,
    title: link.url ? undefined : "Made before the server's secret key changed: revoke it and share again",
    onclick: () => copy(link) }, icon("copy", "size-4"), h("span", { text: "Copy link" }));
  const revokeButton = h("button", { type: "button", class: "btn btn-secondary", "aria-label": `Revoke the link to ${link.title}`,
    onclick: () => revoke(link, item) }, icon("trash", "size-4"), h("span", { text: "Revoke" }));
  item.append(h("div", { class: "flex gap-2" }, copyButton, revokeButton));
  return item;
}

export async function initSharedLinks() {
  try {
    const { items } = await api(endpoints.shares());
    $("[data-shares-list]").replaceChildren(...items.map(row));
    $("[data-shares-empty]").hidden = items.length > 0;
  } catch (failure) {
    status(`Could not load your links: ${failure.message}.`);
  }
}
