// The People page: a face per person with name and counts; rename inline (Enter or leaving the field), hide.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { counts } from "./people-common.js";

let page;
let showHidden = false;

function card(template, person) {
  const node = template.content.firstElementChild.cloneNode(true);
  const link = node.querySelector("[data-person-link]");
  link.href = `/people/${person.id}`;
  const crop = node.querySelector("[data-person-crop]");
  if (person.crop_url) crop.src = person.crop_url;
  crop.alt = person.name || "Unnamed person";
  const input = node.querySelector("[data-person-name]");
  input.id = `person-${person.id}`;
  input.value = person.name || "";
  node.querySelector("[data-person-label]").htmlFor = input.id;
  node.querySelector("[data-person-counts]").textContent = counts(person);
  const saved = node.querySelector("[data-person-saved]");
  const rename = async () => {
    if ((person.name || "") === input.value.trim()) return;
    saved.textContent = "";
    Object.assign(person, await api(endpoints.person(person.id), { method: "PATCH", body: { name: input.value } }));
    crop.alt = person.name || "Unnamed person";
    saved.textContent = person.name ? "Saved" : "Name removed";
  };
  node.querySelector("[data-person-rename]").addEventListener("submit", (event) => {
    event.preventDefault();
    rename().catch(report);
  });
  input.addEventListener("change", () => rename().catch(report));
  const hide = node.querySelector("[data-person-hide]");
  hide.textContent = showHidden ? "Show" : "Hide";
  hide.addEventListener("click", () => {
    api(endpoints.person(person.id), { method: "PATCH", body: { hidden: !showHidden } })
      .then(() => node.remove()).catch(report);
  });
  return node;
}

function report(error) {
  page.querySelector("[data-people-status]").textContent = error.message;
}

async function load() {
  const toggle = page.querySelector("[data-people-toggle]");
  toggle.href = showHidden ? "/people" : "/people?hidden=true";
  toggle.textContent = showHidden ? "Show everyone else" : "Show hidden people";
  const { items } = await api(endpoints.people({ hidden: showHidden }));
  const grid = page.querySelector("[data-people-grid]");
  const template = page.querySelector("template[data-person-card]");
  grid.replaceChildren(...items.map((person) => card(template, person)));
  page.querySelector("[data-people-count]").textContent = `${items.length} ${items.length === 1 ? "person" : "people"}`;
  page.querySelector("[data-people-empty]").hidden = items.length > 0;
}

export function initPeople() {
  page = document.querySelector("[data-people-page]");
  showHidden = new URLSearchParams(location.search).get("hidden") === "true";
  load().catch(report);
}
