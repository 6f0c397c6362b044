// What the photo viewer steps through: an ordered list of photo ids from the grid the user came from (the
// timeline, search results, a person, duplicates; albums, favourites and trash next), where "back" leads, and
// how to fetch the page after the last id. A grid publishes its sequence; the viewer recalls it by photo id.
// It lives in sessionStorage, so it survives the page change from grid to photo and stays per tab.
import { api } from "./api.js";
import * as endpoints from "./endpoints.js";

const KEY = "shoebox:order";
const FROM_GRID = "shoebox:from-grid";
const DELETED = "shoebox:deleted";
const EXTEND_BY = 100;
// The paginated lists a sequence can be extended from, by name: each takes a query with `limit` and `cursor`
// and answers {items, next_cursor}. A sequence stores the name (and query), never a function, so it can be saved.
const LISTS = {
  photos: endpoints.photos,
  album: ({ album, ...params }) => endpoints.albumPhotos(album, params),
};

export class Sequence {
  /** `more`: null when `ids` is the whole list, else {list: a name in LISTS, query, cursor} for the next page. */
  constructor({ ids = [], back = "/", more = null } = {}) {
    Object.assign(this, { ids, back, more });
  }

  includes(id) {
    return this.ids.includes(id);
  }

  /** The id `step` places away from `id` (-1 before, 1 after), or undefined at either end or for a stranger. */
  neighbour(id, step) {
    const at = this.ids.indexOf(id);
    return at < 0 ? undefined : this.ids[at + step];
  }

  /** At the last known id, fetch the next page, so "next" works past the end of what the grid had loaded. */
  async extend(id) {
    if (!this.more || this.ids.indexOf(id) < this.ids.length - 1) return;
    const { list, query = {}, cursor } = this.more;
    const reply = await api(LISTS[list]({ ...query, limit: EXTEND_BY, cursor }));
    this.ids.push(...reply.items.map((item) => item.id));
    this.more = reply.next_cursor ? { ...this.more, cursor: reply.next_cursor } : null;
    this.save();
  }

  save() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ ids: this.ids, back: this.back, more: this.more }));
    } catch {
      // Private mode or a full quota: the viewer simply falls back to the timeline.
    }
  }
}

export function recall() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY));
    return saved && Array.isArray(saved.ids) ? new Sequence(saved) : null;
  } catch {
    return null;
  }
}

/** A photo deleted in this tab: it leaves the published sequence, and any grid shown again drops its tile. */
export function forget(id) {
  const sequence = recall();
  if (sequence) {
    sequence.ids = sequence.ids.filter((other) => other !== id);
    sequence.save();
  }
  try {
    sessionStorage.setItem(DELETED, JSON.stringify([...deleted(), id].slice(-1000)));
  } catch {
    // As with the order: without storage, a grid from the page cache may show a deleted tile until reloaded.
  }
}

/** The ids `forget` was told of in this tab. */
export function deleted() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DELETED)) || []);
  } catch {
    return new Set();
  }
}

let published = null; // the order this page published last, if it is a grid

/** Back to a grid out of the browser's page cache: its order is the current one again, less what was deleted. */
function republish(event) {
  if (!event.persisted) return;
  const gone = deleted();
  published.ids = published.ids.filter((id) => !gone.has(id));
  published.save();
}

/** A grid's current order ({ids, back, more}), for the viewer its tiles open. Call again whenever it changes. */
export function publish(order) {
  if (!published) {
    sessionStorage.removeItem(FROM_GRID); // arrived on a grid: "back" is no longer behind us
    window.addEventListener("pageshow", republish);
  }
  published = new Sequence({ ...order, ids: [...order.ids] });
  published.save();
}

/** Opening a photo from a grid that published its order: "back" on the photo can then be the browser's own. */
export function followTileClicks() {
  document.addEventListener("click", (event) => {
    if (published && event.target.closest("a.tile")) sessionStorage.setItem(FROM_GRID, "1");
  });
}

/** The first pages of the timeline, up to the one holding `id`: for a photo opened from no grid at all. */
async function fromTimeline(id) {
  const ids = [];
  let cursor = null;
  for (let page = 0; page < 10; page += 1) {
    const reply = await api(endpoints.photos({ limit: 200, cursor }));
    ids.push(...reply.items.map((item) => item.id));
    cursor = reply.next_cursor;
    if (!cursor || ids.includes(id)) break;
  }
  return new Sequence({ ids, back: "/", more: cursor ? { list: "photos", cursor } : null });
}

/** The sequence that holds photo `id`: the published one if it does, else the timeline around it. */
export async function sequenceFor(id) {
  const recalled = recall();
  if (recalled && recalled.includes(id)) return recalled;
  const found = await fromTimeline(id).catch(() => new Sequence({ ids: [id], back: "/" }));
  found.save();
  return found;
}

/** Back to the grid: the browser's back when the photo was opened from it (scroll kept), else its address. */
export function goBack(sequence) {
  if (sessionStorage.getItem(FROM_GRID) && history.length > 1) history.back();
  else location.assign(sequence ? sequence.back : "/");
}
