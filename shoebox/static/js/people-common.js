// What the people pages share: a person's counts and a photo tile. Talking to the API is api.js's job.
import { h } from "./ui.js";

export function counts(person) {
  const photos = `${person.photo_count} photo${person.photo_count === 1 ? "" : "s"}`;
  return `${photos} · ${person.face_count} face${person.face_count === 1 ? "" : "s"}`;
}

export function photoTile(photo) {
  const label = photo.caption || photo.filename;
  return h("li", {}, h("a", { href: `/photos/${photo.id}`, class: "tile block", title: label },
    h("img", { src: photo.thumbnail_url, alt: label, loading: "lazy", width: "256", height: "256",
      class: "aspect-square w-full object-cover" })));
}
