// The Places page: a map of every photo with GPS (clustered; a photo's marker opens its thumbnail, a cluster shows
// its photos in the grid below the map), then countries with their cities (and the districts of big ones) and
// photo counts; each links to a search for that place.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";
import { makeMap } from "./map.js";
import { publish } from "./sequence.js";
import { photoPath, photoTile } from "./tile.js";
import { $, debounce, h } from "./ui.js";

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

/** The countries and cities; how many there are. */
async function load() {
  const { countries } = await api(endpoints.places());
  page.querySelector("[data-places-list]").replaceChildren(...countries.map(country));
  return countries.length;
}

// -- the map ----------------------------------------------------------------------------------------------------
const GRID_SIZE = 60; // photos of an area shown under the map; the library's search shows them all
// `?limit=` is honoured so a test (or a curious user) can see a big library's grid of counts with a few photos.
const LIMIT = Number(new URLSearchParams(location.search).get("limit")) || undefined;
// Coordinates come rounded to 6 decimals: an area drawn around them is widened by as much, so none falls outside.
const EDGE = 1e-6;
const map = { leaflet: null, L: null, layer: null, complete: false, generation: 0 };

const wrap = (lng) => ((((lng + 180) % 360) + 360) % 360) - 180;
const clampLat = (lat) => Math.max(-90, Math.min(90, lat));

/** `west,south,east,north` of Leaflet bounds (west > east across the antimeridian), or "" for the whole world. */
function bboxOf(bounds, pad = 0) {
  const west = bounds.getWest() - pad;
  const east = bounds.getEast() + pad;
  if (east - west >= 360) return "";
  const numbers = [wrap(west), clampLat(bounds.getSouth() - pad), wrap(east), clampLat(bounds.getNorth() + pad)];
  if (numbers[2] === -180 && east > 0) numbers[2] = 180;
  return numbers.map((n) => n.toFixed(6)).join(",");
}

function popup(id, v) {
  return h("a", { href: photoPath(id), class: "map-popup" },
    h("img", { src: endpoints.versionedThumbnail(id, v), alt: "Open this photo", width: "160", height: "160" }));
}

function photoMarker(L, [id, lat, lon, v]) {
  return L.marker([lat, lon], { alt: "Photo", title: "Photo" }).bindPopup(() => popup(id, v), { minWidth: 160 });
}

const clusterIcon = (L, count) => {
  const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
  const label = h("div", {}, h("span", {}, String(count), h("span", { class: "sr-only", text: count === 1 ? " photo" : " photos" })));
  return L.divIcon({ html: label.outerHTML, className: `marker-cluster marker-cluster-${size}`, iconSize: L.point(40, 40) });
};

/** A grid cell from the server (a big library seen from afar): a cluster that zooms in and shows its photos. */
function cellMarker(L, cell) {
  if (cell.count === 1) return photoMarker(L, [cell.photo_id, cell.lat, cell.lon, cell.v]);
  const [west, south, east, north] = cell.bbox;
  const bounds = L.latLngBounds([south, west], [north, east < west ? east + 360 : east]);
  return L.marker([cell.lat, cell.lon], { icon: clusterIcon(L, cell.count), title: `${cell.count} photos` })
    .on("click", () => {
      showArea(bbox4(cell.bbox));
      map.leaflet.fitBounds(bounds, { padding: [24, 24] });
    });
}

const bbox4 = (numbers) => [numbers[0] - EDGE, numbers[1] - EDGE, numbers[2] + EDGE, numbers[3] + EDGE]
  .map((n, i) => (i % 2 ? clampLat(n) : Math.max(-180, Math.min(180, n))).toFixed(6)).join(",");

function render(answer) {
  const { L, leaflet } = map;
  if (map.layer) leaflet.removeLayer(map.layer);
  if (answer.cells.length) {
    map.layer = L.layerGroup(answer.cells.map((cell) => cellMarker(L, cell)));
  } else {
    map.layer = L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true,
      iconCreateFunction: (cluster) => clusterIcon(L, cluster.getChildCount()) });
    map.layer.addLayers(answer.points.map((point) => photoMarker(L, point)));
    map.layer.on("clusterclick", (event) => showArea(bboxOf(event.layer.getBounds(), EDGE)));
  }
  map.layer.addTo(leaflet);
}

/** Only a library too big to send whole asks again as the view moves: the grid of what is in view. */
async function refresh() {
  if (map.complete) return;
  const generation = ++map.generation;
  const answer = await api(endpoints.mapPoints({ bbox: bboxOf(map.leaflet.getBounds().pad(0.25)), limit: LIMIT }));
  if (generation === map.generation) render(answer);
}

function fitAll(answer) {
  const { L, leaflet } = map;
  const spots = answer.points.length ? answer.points.map(([, lat, lon]) => [lat, lon]) : answer.cells.map((c) => [c.lat, c.lon]);
  leaflet.fitBounds(L.latLngBounds(spots), { padding: [32, 32], maxZoom: 13 });
}

/** The map of every photo with GPS, when there is one; how many photos it shows. */
async function initMap() {
  const answer = await api(endpoints.mapPoints({ limit: LIMIT }));
  if (!answer.total) return 0;
  $("[data-map-section]", page).hidden = false;
  const container = $("[data-map]", page);
  map.leaflet = await makeMap(container, $("[data-map-status]", page), { minZoom: 1 });
  map.L = window.L;
  map.complete = !answer.cells.length; // every photo is on the map: moving it asks nothing more
  render(answer);
  fitAll(answer);
  map.leaflet.on("moveend", debounce(() => refresh().catch(report), 250));
  container.dataset.ready = "";
  return answer.total;
}

// -- the photos of an area, under the map -----------------------------------------------------------------------
async function showArea(bbox) {
  const section = $("[data-map-photos]", page);
  const grid = $("[data-map-grid]", section);
  const query = { bbox, sort: "date" };
  const reply = await api(endpoints.search({ ...query, limit: GRID_SIZE }));
  grid.replaceChildren(...reply.items.map((photo) => photoTile(photo, { className: "rounded-sm sm:rounded-md" })));
  const count = reply.total;
  $("[data-map-photos-title]", section).textContent = `${count} ${count === 1 ? "photo" : "photos"} in this area`;
  const all = $("[data-map-photos-all]", section);
  all.href = `/search?${new URLSearchParams(query)}`;
  all.hidden = count <= reply.items.length;
  section.hidden = false;
  publish({ ids: reply.items.map((photo) => photo.id), back: "/places", more: null });
  section.scrollIntoView({ behavior: "smooth", block: "nearest" });
}

function report(error) {
  page.querySelector("[data-places-status]").textContent = error.message;
}

export function initPlaces() {
  page = document.querySelector("[data-places-page]");
  const shown = (work) => work.catch((error) => { report(error); return 1; }); // a failure says so itself
  Promise.all([shown(load()), shown(initMap())]).then(([places, photos]) => {
    // "No places yet" only while nothing is on the map either (places come from analysis, the map from GPS alone).
    page.querySelector("[data-places-empty]").hidden = places > 0 || photos > 0;
  });
}
