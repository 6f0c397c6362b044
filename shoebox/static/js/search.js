// Search state in the URL, the filter choices (facets), and the header search box on the other pages.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { $, debounce, h } from "./ui.js";

/** The filters a search can carry beside its words; the filter form has one field named after each. */
export const FILTERS = ["from", "to", "tag", "camera", "format", "person", "place", "album", "favourite", "bbox"];
const NAMES = ["q", ...FILTERS, "sort"];

export function paramsFromUrl() {
  const query = new URLSearchParams(location.search);
  const params = Object.fromEntries(NAMES.map((name) => [name, (query.get(name) || "").trim()]));
  if (!params.sort) params.sort = "relevance";
  return params;
}

export function searchUrl(params) {
  const query = new URLSearchParams();
  for (const name of NAMES) {
    if (params[name] && !(name === "sort" && params[name] === "relevance")) query.set(name, params[name]);
  }
  return `/search?${query}`;
}

let facets = null;

/** Fill the tag, camera and format choices once, keeping whatever is already selected. */
export async function loadFacets(form) {
  if (facets) return;
  facets = api(endpoints.facets()).catch(() => ({ tags: [], cameras: [], formats: [] }));
  const data = await facets;
  const fill = (select, values) => {
    const selected = select.dataset.selected || select.value;
    const first = select.options[0];
    select.replaceChildren(first);
    for (const { value, label } of values) select.append(h("option", { value, text: label, selected: value === selected }));
    if (selected && !values.some((option) => option.value === selected)) {
      select.append(h("option", { value: selected, text: selected, selected: true }));
    }
  };
  fill(form.elements.namedItem("tag"), (data.tags || []).map((tag) => ({ value: tag.name, label: `${tag.name} (${tag.count})` })));
  fill(form.elements.namedItem("camera"), (data.cameras || []).map((camera) => ({ value: camera, label: camera })));
  fill(form.elements.namedItem("format"), (data.formats || []).map((format) => ({ value: format, label: format })));
  const albums = await api(endpoints.albums()).catch(() => ({ items: [] }));
  fill(form.elements.namedItem("album"), albums.items.map((album) => ({ value: String(album.id), label: album.name })));
}

/** Each filter input marked `data-suggest="FIELD"` offers, in its <datalist>, the user's own values that begin
 * with what they type (asked for once typing pauses; an answer to older typing is dropped). */
export function suggestAsYouType(form) {
  for (const input of form.querySelectorAll("input[data-suggest]")) {
    const list = input.list;
    if (!list) continue;
    let asked = "";
    input.addEventListener("input", debounce(async () => {
      const prefix = input.value.trim();
      asked = prefix;
      if (!prefix) return list.replaceChildren();
      const data = await api(endpoints.suggest(input.dataset.suggest, prefix)).catch(() => ({ items: [] }));
      if (asked !== prefix) return;
      list.replaceChildren(...(data.items || []).map((value) => h("option", { value })));
    }, 200));
  }
}

/** On pages without the grid, typing in the header search opens the search page with what was typed. */
export function initHeaderSearch() {
  const input = $("#search-input");
  if (!input) return;
  const page = document.body.dataset.page;
  if (page === "library" || page === "search") {
    if (sessionStorage.getItem("shoebox:focus-search")) {
      sessionStorage.removeItem("shoebox:focus-search");
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    }
    return;
  }
  input.addEventListener("input", debounce(() => {
    if (!input.value.trim()) return;
    sessionStorage.setItem("shoebox:focus-search", "1");
    location.assign(searchUrl({ q: input.value.trim() }));
  }, 400));
}
