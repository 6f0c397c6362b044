// Every path of the JSON API the pages call, and nowhere else: a route renamed on the server is one edit here.
// Paths only; talking to them (cookies, CSRF, refresh) is api.js's job.

/** "?a=1&b=2" from the entries whose value is set, "" when none is. */
function query(params = {}) {
  const found = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") found.set(name, String(value));
  }
  const text = found.toString();
  return text ? `?${text}` : "";
}

export const auth = {
  login: "/api/auth/login",
  register: "/api/auth/register",
  logout: "/api/auth/logout",
  refresh: "/api/auth/refresh",
  passwordReset: "/api/auth/password-reset",
  passwordResetConfirm: "/api/auth/password-reset/confirm",
  password: "/api/auth/password",
  logoutAll: "/api/auth/logout-all",
  me: "/api/me",
};

// -- the admin's: invite links and accounts made for someone ---------------------------------------------------
export const admin = {
  invites: "/api/admin/invites",
  invite: (id) => `/api/admin/invites/${id}`,
  users: "/api/admin/users",
};

// -- photos: the timeline listing (also where uploads go), one photo, its thumbnail, its look-alikes ---------
/** The timeline, a page at a time: `{limit, cursor, favourite}` (and the search filters: `to` a month's last day
 * starts there); answers `{items, next_cursor}`. POST here uploads; PATCH `{ids, ...}` edits many at once.
 * PATCH `photo(id)` with `{favourite}` sets the heart; DELETE moves the photo to Trash. */
export const photos = (params) => `/api/photos${query(params)}`;
export const photo = (id) => `/api/photos/${id}`;
/** A thumbnail (`small` 256 px, `large` 1440 px); with the photo's `version` the browser keeps it a year. */
export const thumbnail = (id, size, version) => `/api/photos/${id}/thumbnail${query({ size, v: version })}`;
/** The picture at full size as browsers show it (the original, or a rendition of a HEIC or RAW): the viewer's zoom. */
export const full = (id, version) => `/api/photos/${id}/full${query({ v: version })}`;
/** A clip as the browser plays it (range requests): the original, or its H.264 rendition once the worker made it. */
export const video = (id, version) => `/api/photos/${id}/video${query({ v: version })}`;
/** How many photos each month holds, newest first (`{months: [{month, count}], total}`), within the filters. */
export const timeline = (params) => `/api/timeline${query(params)}`;
export const similar = (id, limit) => `/api/photos/${id}/similar${query({ limit })}`;

// -- search: results a page at a time (same shape as `photos`), and the filter choices ----------------------
export const search = (params) => `/api/search${query(params)}`;
export const facets = () => "/api/facets";
/** The user's own values of one filter (`person`, `place`, `tag`, `camera`) beginning with `prefix`: `{items}`. */
export const suggest = (field, prefix, limit = 10) => `/api/suggest${query({ field, prefix, limit })}`;

// -- the library's other pages -------------------------------------------------------------------------------
export const duplicates = () => "/api/duplicates";
export const jobs = () => "/api/jobs";
export const retryJobs = () => "/api/jobs/retry";

// -- people and places ----------------------------------------------------------------------------------------
/** Everyone on the People page; `hidden: true` lists the hidden ones instead. */
export const people = ({ hidden = false } = {}) => `/api/people${query({ hidden: hidden ? "true" : null })}`;
export const person = (id) => `/api/people/${id}`;
export const mergePerson = (id) => `/api/people/${id}/merge`;
export const places = () => "/api/places";

// -- albums ---------------------------------------------------------------------------------------------------
/** Every album with its count and cover: `{items}`. POST here creates one (`{name, description, ids}`). */
export const albums = () => "/api/albums";
export const album = (id) => `/api/albums/${id}`;
/** An album's photos, a page at a time (`{limit, cursor, order}`); POST/DELETE `{ids}` adds or takes out photos. */
export const albumPhotos = (id, params) => `/api/albums/${id}/photos${query(params)}`;
/** The albums one photo is in: `{items}`. */
export const photoAlbums = (id) => `/api/photos/${id}/albums`;
// -- trash: deleted photos wait here TRASH_DAYS, then are deleted for good --------------------------------------
/** The Trash a page at a time (`{limit, cursor}`): `{items, next_cursor, trash_days}`. POST `{ids}` moves photos
 * in; DELETE empties it. */
export const trash = (params) => `/api/trash${query(params)}`;
/** POST `{ids}` or `{all: true}`: back to the library with everything. */
export const restoreFromTrash = () => "/api/trash/restore";
/** POST `{ids}`: deleted for good, files and all. */
export const deleteForGood = () => "/api/trash/delete";

// -- share links: the owner's, and what anyone with a link may open --------------------------------------------
/** The user's links with view counts: `{items}`. POST here makes one (`{album_id}` or `{ids}`, and options). */
export const shares = () => "/api/shares";
export const share = (id) => `/api/shares/${id}`;
/** A link's public side, by its token (from /s/<token>): what it shows, its password check, its photos. */
export const shared = {
  link: (token) => `/api/shared/${encodeURIComponent(token)}`,
  unlock: (token) => `/api/shared/${encodeURIComponent(token)}/unlock`,
  photos: (token, params) => `/api/shared/${encodeURIComponent(token)}/photos${query(params)}`,
};

// -- the map and memories -------------------------------------------------------------------------------------
/** Where the photos with GPS were taken (`{bbox, limit}`): `{total, points: [[id, lat, lon, v]], cells}`. */
export const mapPoints = (params) => `/api/places/points${query(params)}`;
/** A photo's small thumbnail at its version `v` (kept by the browser for a year). */
export const versionedThumbnail = (id, v) => `/api/photos/${id}/thumbnail${query({ size: "small", v })}`;
/** Photos taken on this month and day (`date`, the user's local one) in earlier years: `{date, years}`. */
export const onThisDay = (date, limit) => `/api/memories/on-this-day${query({ date, limit })}`;
/** POST `{year, size}`: a new album of the year's best photos. */
export const yearInReview = () => "/api/memories/year-in-review";
// -- a selection's actions: PATCH `photos()` with `{ids, ...}` edits many photos at once ------------------------------
/** POST as a form (`ids` "1,2,3", `csrf_token`): their originals as one ZIP, which the browser saves. */
export const download = () => "/api/photos/download";
/** Places of the world whose name begins with `q` (offline GeoNames): `{items: [{name, city, region, country,
 * country_code, latitude, longitude}]}`. */
export const placeLookup = (q, limit = 8) => `/api/places/lookup${query({ q, limit })}`;
