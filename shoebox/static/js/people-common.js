// What the people pages share: a person's counts. Talking to the API is api.js's job, tiles are tile.js's.

export function counts(person) {
  const photos = `${person.photo_count} photo${person.photo_count === 1 ? "" : "s"}`;
  return `${photos} · ${person.face_count} face${person.face_count === 1 ? "" : "s"}`;
}
