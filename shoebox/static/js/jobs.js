// Background work: the header indicator on every page and the jobs page with progress, failures and retry.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { $, h } from "./ui.js";

const pending = (counts) => (counts.queued || 0) + (counts.running || 0);

let indicatorTimer = null;

async function refreshIndicator() {
  const link = $("[data-jobs-indicator]");
  clearTimeout(indicatorTimer);
  let jobs;
  try {
    jobs = await api(endpoints.jobs());
  } catch {
    return; // The indicator is a nicety: no jobs API, no indicator.
  }
  const waiting = pending(jobs.counts);
  const failed = jobs.counts.failed || 0;
  link.hidden = !waiting && !failed;
  $("[data-jobs-spinner]", link).hidden = !waiting;
  $("[data-jobs-text]", link).textContent = waiting ? `Analysing ${waiting}` : `${failed} failed`;
  link.classList.toggle("text-red-600", !waiting && failed > 0);
  link.setAttribute("aria-label", waiting
    ? `${waiting} ${waiting === 1 ? "photo" : "photos"} waiting for analysis; see background work`
    : `${failed} failed ${failed === 1 ? "analysis" : "analyses"}; see background work`);
  if (waiting) indicatorTimer = setTimeout(refreshIndicator, 4000);
}

export function initJobsIndicator() {
  if (!$("[data-jobs-indicator]")) return;
  refreshIndicator();
  window.addEventListener("shoebox:uploads-finished", () => setTimeout(refreshIndicator, 300));
}

// -- the jobs page ----------------------------------------------------------------------------------
let pageTimer = null;

const PART_NAMES = {
  caption: "Captions", tags: "Tags", faces: "Faces and people", places: "Places", text: "Text in photos",
  embedding: "Search by meaning", visual: "Look-alike search",
};

/** One part that waits: on how many photos, why (the server's reason, said once here) and the fix. */
function missingPart(part) {
  const photos = `${part.waiting} ${part.waiting === 1 ? "photo" : "photos"}`;
  return h("li", { class: "rounded-xl bg-amber-50 p-4 dark:bg-amber-950/40", dataset: { part: part.name } },
    h("p", { class: "font-medium text-amber-900 dark:text-amber-200", text: `${PART_NAMES[part.name] || part.name}: missing on ${photos}` }),
    part.reason ? h("p", { class: "mt-1 text-sm break-words text-neutral-700 dark:text-neutral-300", text: `Why: ${part.reason}` }) : null,
    h("p", { class: "mt-1 text-sm text-neutral-700 dark:text-neutral-300", text: `Fix: ${part.fix}` }));
}

function renderParts(parts) {
  const missing = (parts || []).filter((part) => part.waiting > 0);
  $("[data-jobs-parts]").replaceChildren(...missing.map(missingPart));
  $("[data-jobs-parts-section]").hidden = !missing.length;
  return missing;
}

const RENDITION_STATE = { queued: "Waiting", running: "Converting", failed: "Could not be converted" };

/** The clips being converted to H.264 for the browser, each with its progress bar (or why it failed). */
function renderRenditions(renditions) {
  const counts = renditions?.counts || {};
  const items = (renditions?.items || []).map((item) => {
    const percent = Math.round((item.progress || 0) * 100);
    const fill = h("span");
    fill.style.width = `${percent}%`; // through the CSSOM: the page's CSP refuses style attributes
    return h("li", { class: "text-sm", dataset: { rendition: item.photo_id } },
      h("div", { class: "flex justify-between gap-3" },
        h("a", { href: `/photos/${item.photo_id}`, class: "link truncate", text: item.filename }),
        h("span", { class: "shrink-0 tabular-nums text-neutral-600 dark:text-neutral-400",
          text: item.status === "running" ? `${percent}%` : RENDITION_STATE[item.status] || item.status })),
      item.status === "failed"
        ? h("p", { class: "mt-0.5 text-red-600 dark:text-red-400", text: item.reason || "Unknown error" })
        : h("div", { class: "bar mt-1 h-1.5", role: "progressbar", "aria-label": `Converting ${item.filename}`,
          "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(percent) },
        fill));
  });
  $("[data-renditions]").replaceChildren(...items);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  $("[data-renditions-section]").hidden = !total;
  if (total) $("[data-renditions-summary]").textContent = `${counts.done || 0} of ${total} ${total === 1 ? "clip" : "clips"} converted; their originals are kept.`;
  return (counts.queued || 0) + (counts.running || 0);
}

function render(jobs) {
  const percent = Math.round((jobs.progress || 0) * 100);
  for (const [key, value] of Object.entries({ ...jobs.counts, analysed: jobs.analysed })) {
    const slot = $(`[data-count="${key}"]`);
    if (slot) slot.textContent = String(value);
  }
  $("[data-jobs-bar]").style.width = `${percent}%`;
  $("[data-jobs-progress]").setAttribute("aria-valuenow", String(percent));
  const missing = renderParts(jobs.parts);
  const partly = missing.length ? ` · ${jobs.counts.waiting} missing a part (see below)` : "";
  $("[data-jobs-summary]").textContent = jobs.total
    ? `${percent}% of ${jobs.total} ${jobs.total === 1 ? "photo" : "photos"} analysed${partly}`
    : "No photos yet";
  const items = (jobs.failed || []).map((item) => h("li", { class: "flex items-start gap-3 px-5 py-3" },
    h("div", { class: "min-w-0 flex-1" },
      h("a", { href: `/photos/${item.photo_id}`, class: "link block truncate", text: item.filename }),
      h("p", { class: "mt-0.5 text-sm text-red-600 dark:text-red-400", text: item.reason || "Unknown error" }))));
  $("[data-jobs-failed]").replaceChildren(...items);
  $("[data-jobs-none]").hidden = items.length > 0;
  $("[data-jobs-retry]").disabled = !items.length;
}

async function refreshPage() {
  clearTimeout(pageTimer);
  try {
    const jobs = await api(endpoints.jobs());
    render(jobs);
    const converting = renderRenditions(jobs.renditions);
    if (pending(jobs.counts) || converting) pageTimer = setTimeout(refreshPage, 2500);
  } catch (error) {
    $("[data-jobs-summary]").textContent = `Could not load: ${error.message}`;
  }
}

export function initJobs() {
  const retry = $("[data-jobs-retry]");
  retry.addEventListener("click", async () => {
    retry.disabled = true;
    try {
      const reply = await api(endpoints.retryJobs(), { method: "POST" });
      $("[data-jobs-message]").textContent = `Retrying ${reply.retried} ${reply.retried === 1 ? "photo" : "photos"}.`;
    } catch (error) {
      $("[data-jobs-message]").textContent = `Could not retry: ${error.message}.`;
    }
    refreshPage();
    refreshIndicator();
  });
  refreshPage();
}
