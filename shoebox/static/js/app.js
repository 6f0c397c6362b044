// The one script every page loads (base.html): it starts the page named by body[data-page] and, on signed-in
// pages, the shared header and uploads (chrome.js). A new page is an import and one line in PAGES.
// Imports stay static: the browser then runs every handler before the page's load event, so nothing on a page
// (a sign-in form above all) can be used before its script is wired. A heavy library (a viewer, a map) can still
// come with import() inside the one page module that needs it.
import { initAccount } from "./account.js";
import { initAlbum } from "./album.js";
import { initAlbums } from "./albums.js";
import { initAuthForms } from "./auth.js";
import { initChrome } from "./chrome.js";
import { initDuplicates } from "./duplicates.js";
import { initFavourites } from "./favourites.js";
import { initJobs } from "./jobs.js";
import { initLibrary } from "./library.js";
import { initPeople } from "./people.js";
import { initPerson } from "./person.js";
import { initPhoto } from "./photo.js";
import { initPlaces } from "./places.js";
import { initTrash } from "./trash.js";
import { initShared } from "./shared.js";

// Each page's start; pages not listed (upload, error) have none of their own.
const PAGES = {
  login: initAuthForms,
  register: initAuthForms,
  forgot: initAuthForms,
  reset: initAuthForms,
  library: initLibrary, // the timeline
  search: initLibrary, // and search results: one grid
  photo: initPhoto,
  jobs: initJobs,
  duplicates: initDuplicates,
  people: initPeople,
  person: initPerson,
  places: initPlaces,
  account: initAccount,
  albums: initAlbums,
  album: initAlbum,
  favourites: initFavourites,
  trash: initTrash,
  shared: initShared, // a share link's page, for anyone who has the link
};
// Pages without the signed-in header, so without the chrome.
const SIGNED_OUT = new Set(["login", "register", "forgot", "reset", "error", "shared"]);

function start() {
  const name = document.body.dataset.page;
  if (!SIGNED_OUT.has(name)) initChrome(); // first: its key handlers (Escape closes the menu) run before the page's
  if (PAGES[name]) PAGES[name]();
}

start();
