// A photo's page: a small map of where it was taken (map.js), shown while the photo has a location and moved with it.
import { makeMap } from "./map.js";
import { $ } from "./ui.js";

let made = null; // the map and its marker, once shown
let shown = ""; // the location they show

/** Show `gps` ({latitude, longitude} or null) on the page's small map; hide the map when there is none. */
export async function showLocation(gps) {
  const container = $("[data-photo-map]");
  if (!container) return;
  container.hidden = !gps;
  if (!gps) return;
  const where = `${gps.latitude},${gps.longitude}`;
  if (where === shown) return;
  shown = where;
  const point = [gps.latitude, gps.longitude];
  if (!made) {
    made = (async () => {
      const map = await makeMap(container, $("[data-map-status]"), { zoomControl: true, scrollWheelZoom: false });
      const marker = window.L.marker(point, { alt: "Where it was taken", keyboard: false }).addTo(map);
      return { map, marker };
    })();
  }
  const { map, marker } = await made;
  marker.setLatLng(point);
  map.invalidateSize(); // it may have been hidden (no location) since it was drawn
  map.setView(point, 13);
  container.dataset.ready = "";
}
