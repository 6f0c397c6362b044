// Copies the map's browser libraries (Leaflet and Leaflet.markercluster, pinned in package.json) from node_modules
// into the folder given (npm run build:vendor-map: shoebox/static/vendor/leaflet), as the packages build them:
// their minified UMD scripts, styles, marker images and licences. Served from static/, never from a CDN, and
// committed, so `pip install` alone serves a working map; tests/test_vendor_map_is_fresh.py checks the copy.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const FILES = {
  "leaflet/dist/leaflet.js": "leaflet.js",
  "leaflet/dist/leaflet.css": "leaflet.css",
  "leaflet/LICENSE": "LICENSE-leaflet.txt",
  "leaflet.markercluster/dist/leaflet.markercluster.js": "leaflet.markercluster.js",
  "leaflet.markercluster/dist/MarkerCluster.css": "MarkerCluster.css",
  "leaflet.markercluster/dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
  "leaflet.markercluster/MIT-LICENCE.txt": "LICENSE-leaflet.markercluster.txt",
};

const out = process.argv[2];
if (!out) throw new Error("usage: node scripts/vendor-map.mjs OUTPUT_FOLDER");
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "images"), { recursive: true });
const copy = (from, to) => {
  copyFileSync(from, to);
  chmodSync(to, 0o644); // some packages ship their files executable
};
for (const [from, to] of Object.entries(FILES)) copy(join("node_modules", from), join(out, to));
for (const image of readdirSync("node_modules/leaflet/dist/images")) {
  copy(join("node_modules/leaflet/dist/images", image), join(out, "images", image));
}
