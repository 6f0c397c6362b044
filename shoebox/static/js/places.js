// The Places page: countries with their cities (and the districts of big ones) and photo counts; each links to a
// search for that place.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { h } from "./ui.js";

let page;
const searchLink = (place, text, count) =>
  h("a", { href: `/search?place=${encodeURIComponent(place)}`, class: "hover:underline" }, `${text} `,
    h("span", { class: "text-sm text-neutral-500 dark:text-neutral-400", text: `(${count})` }));

function districts(city) {
  if (!city.districts.length) return null;
  return h("ul", { class: "pl-4 flex flex-wrap gap-x-3 text-sm", "aria-label": `Districts of ${city.city}` },
    ...city.districts.map((d) => h("li", {}, searchLink(d.district, d.district, d.count))));
}

function country(entry) {
  const cities = entry.cities.map((city) => h("li", {},
    searchLink(city.city, city.region && city.region !== city.city ? `${city.city}, ${city.region}` : city.city, city.count),
    districts(city)));
  return h("section", { class: "card p-4", "aria-label": entry.country },
    h("h2", { class: "text-lg font-semibold" }, searchLink(entry.country, entry.country, entry.count)),
    h("ul", { class: "mt-2 grid gap-1 sm:grid-cols-2" }, ...cities));
}

async function load() {
  const { countries } = await api(endpoints.places());
  page.querySelector("[data-places-list]").replaceChildren(...countries.map(country));
  page.querySelector("[data-places-empty]").hidden = countries.length > 0;
}

export function initPlaces() {
  page = document.querySelector("[data-places-page]");
  load().catch((error) => { page.querySelector("[data-places-status]").textContent = error.message; });
}
