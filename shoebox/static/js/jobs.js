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

function render(jobs) {
  const percent = Math.round((jobs.progress || 0) * 100);
  for (const [key, value] of Object.entries(jobs.counts)) {
    const slot = $(`[data-count="${key}"]`);
    if (slot) slot.textContent = String(value);
  }
  $("[data-jobs-bar]").style.width = `${percent}%`;
  $("[data-jobs-progress]").setAttribute("aria-valuenow", String(percent));
  $("[data-jobs-summary]").textContent = jobs.total
    ? `${percent}% of ${jobs.total} ${jobs.total === 1 ? "photo" : "photos"} analysed`
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
    if (pending(jobs.counts)) pageTimer = setTimeout(refreshPage, 2500);
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
