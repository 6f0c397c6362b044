// The small part of talking to the JSON API that the people and places pages need: cookies carry the
// tokens, a header carries the CSRF token, errors come back as {error: {code, message}}.

function cookie(name) {
  const prefix = `${name}=`;
  const found = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : "";
}

/** Call the API and return its JSON (null for 204); throws an Error with the server's message. */
export async function call(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-TOKEN"] = cookie("csrf_access_token");
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const reply = await fetch(path, {
    method, headers, credentials: "same-origin", cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (reply.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new Error("signed out");
  }
  if (reply.status === 204) return null;
  const data = await reply.json().catch(() => null);
  if (!reply.ok) throw new Error((data && data.error && data.error.message) || reply.statusText);
  return data;
}

/** Create an element: el("a", {href: "/", class: "x"}, child, "text"). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

export function counts(person) {
  const photos = `${person.photo_count} photo${person.photo_count === 1 ? "" : "s"}`;
  return `${photos} · ${person.face_count} face${person.face_count === 1 ? "" : "s"}`;
}

export function photoTile(photo) {
  const label = photo.caption || photo.filename;
  return el("li", {}, el("a", { href: `/photos/${photo.id}`, class: "tile block", title: label },
    el("img", { src: photo.thumbnail_url, alt: label, loading: "lazy", width: "256", height: "256",
      class: "aspect-square w-full object-cover" })));
}
