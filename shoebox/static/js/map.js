// Maps: Leaflet and Leaflet.markercluster from npm (copied into static/vendor/leaflet by `npm run build:vendor-map`,
// never from a CDN), loaded only by the pages that show a map. Tiles come from MAP_TILE_URL (the container's
// data-tiles, with its credit in data-attribution); when they cannot be had (no network, the tile server down, none
// configured) the map keeps its markers on a plain background and says so.
const VENDOR = new URL("../vendor/leaflet/", import.meta.url);
let loading = null;

function stylesheet(name) {
  const href = new URL(name, VENDOR).href;
  if (document.querySelector(`link[href="${href}"]`)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.onload = resolve;
    link.onerror = () => reject(new Error(`Could not load the map's styles (${name}).`));
    document.head.append(link);
  });
}

/** Leaflet (window.L) with markercluster, loaded once: their UMD builds set the global L that markercluster extends. */
export function leaflet() {
  loading ??= (async () => {
    await Promise.all([stylesheet("leaflet.css"), stylesheet("MarkerCluster.css"), stylesheet("MarkerCluster.Default.css"),
      import(new URL("leaflet.js", VENDOR).href)]);
    await import(new URL("leaflet.markercluster.js", VENDOR).href);
    return window.L;
  })();
  return loading;
}

export const TILES_UNAVAILABLE = "Map tiles are unavailable (no network, or the tile server did not answer): your photos are shown on a plain background.";

/**
 * A Leaflet map in `container` with the tile layer its data attributes name. `status` (an element) is told when
 * tiles fail. Options go to L.map.
 */
export async function makeMap(container, status, options = {}) {
  const L = await leaflet();
  const map = L.map(container, { worldCopyJump: true, ...options });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  const url = container.dataset.tiles;
  if (!url) {
    status.textContent = TILES_UNAVAILABLE;
    return map;
  }
  const tiles = L.tileLayer(url, {
    maxZoom: 19,
    attribution: container.dataset.attribution || "",
    // The tile server learns this site's origin, never the page (a photo's id): OpenStreetMap asks for a Referer.
    referrerPolicy: "strict-origin",
    crossOrigin: false,
  });
  let failed = false;
  tiles.on("tileerror", () => {
    if (failed) return;
    failed = true;
    container.classList.add("map-offline");
    status.textContent = TILES_UNAVAILABLE;
  });
  tiles.addTo(map);
  return map;
}
