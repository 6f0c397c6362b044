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
};

// -- photos: the timeline listing (also where uploads go), one photo, its thumbnail, its look-alikes ---------
/** The timeline, a page at a time: `{limit, cursor}` (and the search filters: `to` a month's last day starts
 * there); answers `{items, next_cursor}`. POST here uploads. */
export const photos = (params) => `/api/photos${query(params)}`;
export const photo = (id) => `/api/photos/${id}`;
/** A thumbnail (`small` 256 px, `large` 1440 px); with the photo's `version` the browser keeps it a year. */
export const thumbnail = (id, size, version) => `/api/photos/${id}/thumbnail${query({ size, v: version })}`;
/** The picture at full size as browsers show it (the original, or a rendition of a HEIC or RAW): the viewer's zoom. */
export const full = (id, version) => `/api/photos/${id}/full${query({ v: version })}`;
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
