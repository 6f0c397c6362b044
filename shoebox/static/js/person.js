// One person's page: their photos; rename, merge into someone else, hide or forget them.
import { api } from "./api.js";
import { counts, photoTile } from "./people-common.js";
import { h } from "./ui.js";

const root = document.querySelector("[data-person-id]");
const status = (text) => { root.querySelector("[data-person-status]").textContent = text; };

async function render(id) {
  const person = await api(`/api/people/${id}`);
  const crop = root.querySelector("[data-person-crop]");
  if (person.crop_url) crop.src = person.crop_url;
  crop.alt = person.name || "Unnamed person";
  root.querySelector("[data-person-name]").value = person.name || "";
  root.querySelector("[data-person-counts]").textContent = counts(person);
  root.querySelector("[data-person-hide]").textContent = person.hidden ? "Show on People" : "Hide";
  root.querySelector("[data-person-photos]").replaceChildren(...person.photos.map(photoTile));
  document.title = `${person.name || "Someone"} · Shoebox`;
  return person;
}

async function fillMergeChoices(id) {
  const { items } = await api("/api/people");
  const select = root.querySelector("[data-merge-into]");
  const others = items.filter((other) => other.id !== id);
  select.append(...others.map((other) => h("option", { value: String(other.id), text: other.name || `Unnamed (${counts(other)})` })));
}

function wire(id, state) {
  root.querySelector("[data-person-rename]").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = root.querySelector("[data-person-name]").value;
    api(`/api/people/${id}`, { method: "PATCH", body: { name } })
      .then(() => render(id)).then((p) => { Object.assign(state, p); status("Saved."); }).catch((e) => status(e.message));
  });
  root.querySelector("[data-person-hide]").addEventListener("click", () => {
    api(`/api/people/${id}`, { method: "PATCH", body: { hidden: !state.hidden } })
      .then(() => render(id)).then((p) => Object.assign(state, p)).catch((e) => status(e.message));
  });
  root.querySelector("[data-person-merge]").addEventListener("submit", (event) => {
    event.preventDefault();
    const into = Number(root.querySelector("[data-merge-into]").value);
    if (!into) return;
    api(`/api/people/${id}/merge`, { method: "POST", body: { into } })
      .then((target) => location.assign(`/people/${target.id}`)).catch((e) => status(e.message));
  });
  root.querySelector("[data-person-delete]").addEventListener("click", () => {
    if (!confirm("Forget this person? Their photos stay; their faces will belong to nobody.")) return;
    api(`/api/people/${id}`, { method: "DELETE" }).then(() => location.assign("/people")).catch((e) => status(e.message));
  });
}

if (root) {
  const id = Number(root.dataset.personId);
  render(id).then((person) => { wire(id, person); return fillMergeChoices(id); }).catch((e) => status(e.message));
}
