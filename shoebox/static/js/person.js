// One person's page: their photos; rename, merge into someone else, hide or forget them.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { counts } from "./people-common.js";
import { publish } from "./sequence.js";
import { photoTile } from "./tile.js";
import { h } from "./ui.js";

let root;
const status = (text) => { root.querySelector("[data-person-status]").textContent = text; };

async function render(id) {
  const person = await api(endpoints.person(id));
  const crop = root.querySelector("[data-person-crop]");
  if (person.crop_url) crop.src = person.crop_url;
  crop.alt = person.name || "Unnamed person";
  root.querySelector("[data-person-name]").value = person.name || "";
  root.querySelector("[data-person-heading]").textContent = person.name || "Unnamed person";
  root.querySelector("[data-person-counts]").textContent = counts(person);
  root.querySelector("[data-person-hide]").textContent = person.hidden ? "Show on People" : "Hide";
  const tiles = person.photos.map((photo) => h("li", {}, photoTile(photo)));
  root.querySelector("[data-person-photos]").replaceChildren(...tiles);
  publish({ ids: person.photos.map((photo) => photo.id), back: location.pathname });
  document.title = `${person.name || "Someone"} · Shoebox`;
  return person;
}

async function fillMergeChoices(id) {
  const { items } = await api(endpoints.people());
  const select = root.querySelector("[data-merge-into]");
  const others = items.filter((other) => other.id !== id);
  select.append(...others.map((other) => h("option", { value: String(other.id), text: other.name || `Unnamed (${counts(other)})` })));
}

function wire(id, state) {
  root.querySelector("[data-person-rename]").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = root.querySelector("[data-person-name]").value;
    api(endpoints.person(id), { method: "PATCH", body: { name } })
      .then(() => render(id)).then((p) => { Object.assign(state, p); status("Saved."); }).catch((e) => status(e.message));
  });
  root.querySelector("[data-person-hide]").addEventListener("click", () => {
    api(endpoints.person(id), { method: "PATCH", body: { hidden: !state.hidden } })
      .then(() => render(id)).then((p) => Object.assign(state, p)).catch((e) => status(e.message));
  });
  root.querySelector("[data-person-merge]").addEventListener("submit", (event) => {
    event.preventDefault();
    const into = Number(root.querySelector("[data-merge-into]").value);
    if (!into) return;
    api(endpoints.mergePerson(id), { method: "POST", body: { into } })
      .then((target) => location.assign(`/people/${target.id}`)).catch((e) => status(e.message));
  });
  // Confirmed in the page's own dialog (not the browser's confirm()).
  const dialog = document.querySelector("[data-forget-dialog]");
  root.querySelector("[data-person-delete]").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "forget") return;
    api(endpoints.person(id), { method: "DELETE" }).then(() => location.assign("/people")).catch((e) => status(e.message));
  });
}

export function initPerson() {
  root = document.querySelector("[data-person-id]");
  const id = Number(root.dataset.personId);
  render(id).then((person) => { wire(id, person); return fillMergeChoices(id); }).catch((e) => status(e.message));
}
