// Talking to the JSON API from the browser: cookies carry the tokens, a header carries the CSRF token,
// and a 401 gets one silent refresh before we send the user to the sign-in page.
import * as endpoints from "./endpoints.js";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function cookie(name) {
  const prefix = `${name}=`;
  const found = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : "";
}

export function goToLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

let refreshing = null;

/** Renew the access cookie from the refresh cookie; concurrent callers share one request. */
export function refreshSession() {
  if (!refreshing) {
    refreshing = fetch(endpoints.auth.refresh, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-TOKEN": cookie("csrf_refresh_token"), Accept: "application/json" },
    })
      .then((reply) => reply.ok)
      .catch(() => false)
      .finally(() => setTimeout(() => { refreshing = null; }, 0));
  }
  return refreshing;
}

async function errorFrom(reply) {
  const data = await reply.json().catch(() => null);
  const error = data && data.error ? data.error : {};
  return new ApiError(reply.status, error.code || `http_${reply.status}`, error.message || reply.statusText || "Request failed");
}

/** A 401 that answers a password check (changing the password, deleting the account): not a session ending. */
async function wrongPassword(reply) {
  const data = await reply.clone().json().catch(() => null);
  return Boolean(data && data.error && data.error.code === "invalid_credentials");
}

/**
 * Call the API and return its JSON (null for 204). Throws ApiError with the server's code and message.
 * `auth: false` is for the sign-in forms: a 401 there is an answer, not an expired session.
 */
export async function api(path, { method = "GET", body, signal, auth = true } = {}) {
  const send = () => {
    const headers = { Accept: "application/json" };
    if (method !== "GET" && method !== "HEAD") headers["X-CSRF-TOKEN"] = cookie("csrf_access_token");
    let payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    // no-store: on back/forward Chromium would otherwise reuse a stale listing without asking the server.
    return fetch(path, { method, headers, body: payload, credentials: "same-origin", signal, cache: "no-store" });
  };
  let reply;
  try {
    reply = await send();
    if (reply.status === 401 && auth && !(await wrongPassword(reply)) && (await refreshSession())) reply = await send();
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "Could not reach Shoebox. Check your connection and try again.");
  }
  if (reply.status === 401 && auth && !(await wrongPassword(reply))) {
    goToLogin();
    throw new ApiError(401, "unauthorized", "Your session ended. Please sign in again.");
  }
  if (!reply.ok) throw await errorFrom(reply);
  return reply.status === 204 ? null : reply.json();
}

function postFile(file, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", endpoints.photos());
    xhr.responseType = "json";
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-TOKEN", cookie("csrf_access_token"));
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => resolve({ status: xhr.status, data: xhr.response }));
    xhr.addEventListener("error", () => resolve({ status: 0, data: null }));
    const form = new FormData();
    form.append("files", file, file.name);
    // The file's own date, for a photo whose metadata has none (a PNG, a scan): its modified time, with the
    // browser's UTC offset at that moment (0: the browser does not know it).
    form.append("last_modified", String(Math.max(0, Math.round(file.lastModified || 0))));
    form.append("last_modified_offset", String(-new Date(file.lastModified || 0).getTimezoneOffset()));
    xhr.send(form);
  });
}

/** Upload one file with progress (XMLHttpRequest: fetch has no upload progress). Resolves {status, data}. */
export async function uploadFile(file, onProgress) {
  let result = await postFile(file, onProgress);
  if (result.status === 401 && (await refreshSession())) result = await postFile(file, onProgress);
  if (result.status === 401) goToLogin();
  return result;
}
