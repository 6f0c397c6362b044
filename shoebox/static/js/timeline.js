// A virtualised photo grid grouped by month, for any number of photos: the months' counts (one cheap call, right
// after the first screen's photos) give the whole grid's height and every tile's place before the rest is
// fetched; only the tiles near the viewport exist in the DOM (a few hundred at most: a tile scrolled away is taken
// out and its picture let go), photos are fetched a page at a time around the scroll position (a month straight
// from its last day: the listing's `to` filter, then its cursor), and months far from the viewport are forgotten
// again, so memory stays bounded at any size.
// Any grid can use it with its own data source:
//   months()                    -> Promise<[{month: "YYYY-MM", count}]>, newest first
//   page({to, cursor, limit})   -> Promise<{items, next_cursor}>, newest first; `to` is a month's last day
import { photoTile } from "./tile.js";
import { $, h, monthLabel } from "./ui.js";

const PAGE = 200; // the API's largest page
const KEEP = 6000; // photos kept in memory at most (the months nearest the viewport); the rest are fetched again
const HEADER = 44; // a month's title (h-11)
// Columns and gaps by viewport width: the grid's look before virtualisation (Tailwind's sm..2xl breakpoints).
const COLUMNS = [[1536, 10], [1280, 8], [1024, 6], [768, 5], [640, 4], [0, 3]];

const lastDay = (key) => {
  const [year, month] = key.split("-").map(Number);
  const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${key}-${String(day).padStart(2, "0")}`;
};

export class Timeline {
  /** A grid in `root` (an empty element) over `source`; `tile(photo, index)` draws a photo (default: tile.js's tile), and
   * `header(node, month)` may add to a month's title as it is drawn (a "select all"). */
  constructor(root, source, { tile = (photo) => photoTile(photo, { className: "rounded-sm sm:rounded-md" }),
    header = (node) => node } = {}) {
    Object.assign(this, { root, source, tile, decorate: header, months: [], rendered: new Map(), loading: null,
      scheduled: false });
    this.layer = h("div", { class: "relative" });
    root.replaceChildren(this.layer);
    this.onScroll = () => this.schedule();
    this.onResize = () => this.relayout();
  }

  /** Fetch the months' counts, lay the grid out and show its first tiles; resolves to the total. */
  async start() {
    // The first screen's photos come first, laid out on their own, then the months are counted: the first tiles
    // wait neither for the counts (asked for at the same time, they slowed the page: measured) nor for a big page.
    const columns = COLUMNS.find(([min]) => window.innerWidth >= min)[1];
    const screen = columns * (Math.ceil(window.innerHeight / (window.innerWidth / columns)) + 1);
    const first = await this.source.page({ limit: Math.min(PAGE, screen) }).catch(() => null);
    if (this.stopped) return 0; // the page moved on (a search began) while it came
    if (first?.items.length) this.showFirst(first.items);
    const months = await this.source.months();
    if (this.stopped) return 0;
    this.months = months.map(({ month, count }) => ({ key: month, count, items: [], loaded: 0, cursor: null }));
    if (first && this.months.length) this.absorb(0, first.items, first.next_cursor);
    this.layout(); // the first page's tiles stay, moved where the counts put them
    window.addEventListener("scroll", this.onScroll, { passive: true });
    window.addEventListener("resize", this.onResize);
    this.update();
    return this.total;
  }

  /** The first page on its own, each month counted as what it holds, while the months are being counted. */
  showFirst(items) {
    const counts = new Map();
    for (const photo of items) {
      const key = photo.taken_at.slice(0, 7);
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    this.months = [...counts].map(([key, count]) => ({ key, count, items: [], loaded: 0, cursor: null }));
    this.absorb(0, items, null);
    this.layout();
    this.render();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("scroll", this.onScroll);
    window.removeEventListener("resize", this.onResize);
    if (this.loading) this.loading.abort();
  }

  /** Count the months again and fetch what is in view afresh (photos were added or deleted). */
  async refresh() {
    const anchor = this.indexAt(this.reading());
    const months = await this.source.months();
    if (this.stopped) return 0;
    if (this.loading) this.loading.abort();
    this.loading = null;
    this.months = months.map(({ month, count }) => ({ key: month, count, items: [], loaded: 0, cursor: null }));
    this.layout();
    this.clear();
    if (anchor) this.scrollToIndex(Math.min(anchor, this.total - 1));
    this.update();
    return this.total;
  }

  get total() {
    return this.months.reduce((sum, month) => sum + month.count, 0);
  }

  // -- geometry ---------------------------------------------------------------------------------------------------
  layout() {
    const width = this.root.clientWidth;
    this.columns = COLUMNS.find(([min]) => window.innerWidth >= min)[1];
    this.gap = window.innerWidth >= 640 ? 6 : 4;
    this.size = (width - this.gap * (this.columns - 1)) / this.columns;
    const spacing = window.innerWidth >= 640 ? 32 : 24;
    let top = 0;
    let start = 0;
    for (const month of this.months) {
      const rows = Math.ceil(month.count / this.columns);
      Object.assign(month, { top, start, rows, height: HEADER + rows * (this.size + this.gap) - this.gap });
      top += month.height + spacing;
      start += month.count;
    }
    this.height = Math.max(0, top - spacing);
    this.layer.style.height = `${this.height}px`;
  }

  /** Lay out again for a new width, keeping the photo at the top of the screen where it was. */
  relayout() {
    const anchor = this.indexAt(this.reading());
    const before = this.columns;
    const width = this.size;
    this.layout();
    if (before === this.columns && width === this.size) return;
    if (anchor !== null) this.scrollToIndex(anchor, "instant");
    this.update();
  }

  clear() {
    for (const [key, node] of this.rendered) this.drop(key, node);
  }

  /** The window's visible band in the grid's own coordinates. */
  viewport() {
    const top = -this.root.getBoundingClientRect().top;
    return { top, bottom: top + window.innerHeight };
  }

  /** How far down the window the grid shows (below the sticky header), in px. */
  static covered() {
    const header = document.querySelector("body > header, header");
    return header ? Math.max(0, header.getBoundingClientRect().bottom) + 8 : 8;
  }

  /** The grid position just under the sticky header: what the user reads now. */
  reading() {
    return this.viewport().top + Timeline.covered();
  }

  /** Scroll the window so grid position `y` is just under the header. */
  scrollToGrid(y, behavior = "instant") {
    window.scrollTo({ top: this.root.getBoundingClientRect().top + window.scrollY + y - Timeline.covered(), behavior });
  }

  /** Index of the month holding grid position `y` (the last one starting at or above it). */
  monthAt(y) {
    let low = 0;
    let high = this.months.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.months[mid].top <= y) low = mid;
      else high = mid - 1;
    }
    return this.months.length ? low : -1;
  }

  /** The photo index (in the whole order) at grid position `y`, or null in an empty grid. */
  indexAt(y) {
    const at = this.monthAt(Math.max(0, y));
    if (at < 0) return null;
    const month = this.months[at];
    const row = Math.max(0, Math.floor((y - month.top - HEADER) / (this.size + this.gap)));
    return month.start + Math.min(month.count - 1, row * this.columns);
  }

  /** The month holding photo `index` of the whole order, and the photo's offset in it. */
  locate(index) {
    let low = 0;
    let high = this.months.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.months[mid].start <= index) low = mid;
      else high = mid - 1;
    }
    const month = this.months[low];
    if (!month || index < 0 || index >= month.start + month.count) return null;
    return { month, at: low, offset: index - month.start };
  }

  tileTop(month, offset) {
    return month.top + HEADER + Math.floor(offset / this.columns) * (this.size + this.gap);
  }

  /** Scroll the window so photo `index` is in view (near the top when it is not). */
  scrollToIndex(index, behavior = "instant") {
    const found = this.locate(index);
    if (!found) return;
    const y = this.tileTop(found.month, found.offset);
    if (y >= this.reading() && y + this.size <= this.viewport().bottom) return;
    this.scrollToGrid(y, behavior);
  }

  /** Scroll to the start of a month ("YYYY-MM"): its photos are fetched straight away. */
  scrollToMonth(key) {
    const month = this.months.find((m) => m.key <= key);
    if (month) this.scrollToGrid(month.top);
  }

  // -- drawing ----------------------------------------------------------------------------------------------------
  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.update();
    });
  }

  update() {
    this.render();
    this.fetchNext();
  }

  /** The nodes that should exist now, in reading order: keyed so an unchanged one is kept, not drawn again. */
  *wanted(margin) {
    const { top, bottom } = this.viewport();
    const from = top - margin;
    const to = bottom + margin;
    for (let at = Math.max(0, this.monthAt(from)); at < this.months.length; at += 1) {
      const month = this.months[at];
      if (month.top > to) break;
      if (month.top + month.height < from) continue;
      yield [`h${month.key}`, () => this.header(month), (node) => this.moveHeader(node, month)];
      const step = this.size + this.gap;
      const first = Math.max(0, Math.floor((from - month.top - HEADER) / step));
      const last = Math.min(month.rows - 1, Math.floor((to - month.top - HEADER) / step));
      for (let offset = first * this.columns; offset < Math.min(month.count, (last + 1) * this.columns); offset += 1) {
        const photo = month.items[offset];
        const move = (node) => this.place(node, month, offset);
        yield photo ? [`p${photo.id}`, () => move(this.tile(photo, month.start + offset)), move]
          : [`s${month.key}/${offset}`, () => move(h("div", { class: "skeleton absolute rounded-sm sm:rounded-md" })), move];
      }
    }
  }

  render() {
    const keep = new Set();
    let previous = null;
    for (const [key, make, move] of this.wanted(window.innerHeight)) {
      keep.add(key);
      let node = this.rendered.get(key);
      if (node) move(node); // where the layout has it now (the same place, but for a new width or new counts)
      else {
        node = make();
        this.rendered.set(key, node);
        this.layer.insertBefore(node, previous ? previous.nextSibling : this.layer.firstChild);
      }
      previous = node;
    }
    for (const [key, node] of this.rendered) {
      if (!keep.has(key)) this.drop(key, node);
    }
  }

  /** Take a tile out, and let go of its picture at once: a removed node lingers until the browser's next full
   * garbage collection, which a page this light in script seldom triggers, and its picture would linger with it. */
  drop(key, node) {
    for (const img of node.querySelectorAll("img")) img.removeAttribute("src");
    node.remove();
    this.rendered.delete(key);
  }

  header(month) {
    const node = h("h2", { class: "absolute inset-x-0 top-0 flex h-11 items-center px-1 text-sm font-semibold sm:px-0 sm:text-base",
      text: monthLabel(month.key), dataset: { month: month.key } });
    return this.decorate(this.moveHeader(node, month), month);
  }

  moveHeader(node, month) {
    const transform = `translateY(${month.top}px)`;
    if (node.style.transform !== transform) node.style.transform = transform;
    return node;
  }

  place(node, month, offset) {
    const index = String(month.start + offset);
    const x = (offset % this.columns) * (this.size + this.gap);
    const transform = `translate(${x}px, ${this.tileTop(month, offset)}px)`;
    if (node.dataset.index === index && node.style.transform === transform && node.dataset.size === String(this.size)) {
      return node; // already there: the usual case, every frame of a scroll
    }
    node.classList.add("absolute", "top-0", "left-0");
    Object.assign(node.style, { width: `${this.size}px`, height: `${this.size}px`, transform });
    Object.assign(node.dataset, { index, size: String(this.size) });
    return node;
  }

  // -- fetching ---------------------------------------------------------------------------------------------------
  /** The first month near the viewport with photos still to fetch, and how many of them are wanted. */
  nextWant() {
    const { top, bottom } = this.viewport();
    const margin = window.innerHeight;
    for (let at = Math.max(0, this.monthAt(top - margin)); at < this.months.length; at += 1) {
      const month = this.months[at];
      if (month.top > bottom + margin) break;
      const step = this.size + this.gap;
      const lastRow = Math.min(month.rows - 1, Math.floor((bottom + margin - month.top - HEADER) / step));
      const needed = Math.min(month.count, (lastRow + 1) * this.columns);
      if (month.loaded < needed && !month.short) return { at, month };
    }
    return null;
  }

  /** Fetch the next page the viewport needs; after each page, look again (so nothing waits for a scroll). */
  async fetchNext() {
    if (this.loading || this.paused || this.stopped) return;
    const want = this.nextWant();
    if (!want) return;
    const { at, month } = want;
    const controller = new AbortController();
    this.loading = controller;
    const query = month.cursor ? { cursor: month.cursor } : { to: lastDay(month.key) };
    try {
      const page = await this.source.page({ ...query, limit: PAGE, signal: controller.signal });
      const before = month.loaded;
      this.absorb(at, page.items, page.next_cursor);
      // Nothing new: the month holds fewer photos than counted (some deleted meanwhile); refresh() squares it.
      if (month.loaded === before) month.short = true;
      this.forget();
    } catch (error) {
      if (error.name === "AbortError") return;
      this.root.dispatchEvent(new CustomEvent("timeline:error", { detail: error, bubbles: true }));
      await new Promise((resolve) => { setTimeout(resolve, 3000); }); // then try again, without a storm
    } finally {
      if (this.loading === controller) this.loading = null;
    }
    this.root.dispatchEvent(new CustomEvent("timeline:page", { bubbles: true }));
    this.update();
  }

  /** Put a page's photos in their months, in order from where month `at` was loaded to. */
  absorb(at, items, nextCursor) {
    let index = at;
    let offset = this.months[at].loaded;
    for (const photo of items) {
      const key = photo.taken_at.slice(0, 7);
      while (index < this.months.length && this.months[index].key > key) {
        index += 1;
        offset = 0;
      }
      const month = this.months[index];
      if (!month || month.key !== key) break; // the library changed since the counts: a reload squares it
      if (offset === month.loaded && offset < month.count) {
        month.items[offset] = photo;
        month.loaded += 1;
      }
      offset += 1;
    }
    const month = this.months[index];
    if (!month) return;
    if (nextCursor && offset === month.loaded && month.loaded < month.count) month.cursor = nextCursor;
    const next = this.months[index + 1];
    if (nextCursor && month.loaded === month.count && next && !next.loaded) next.cursor = nextCursor;
  }

  /** Past KEEP photos in memory, forget the months farthest from the viewport (they are fetched again if seen). */
  forget() {
    let kept = this.months.reduce((sum, month) => sum + month.loaded, 0);
    if (kept <= KEEP) return;
    const middle = this.viewport().top;
    const far = this.months.filter((month) => month.loaded)
      .sort((a, b) => Math.abs(b.top - middle) - Math.abs(a.top - middle));
    for (const month of far) {
      if (kept <= KEEP * 0.75) break;
      kept -= month.loaded;
      Object.assign(month, { items: [], loaded: 0, cursor: null });
    }
  }

  // -- what the viewer and the grid's page ask ------------------------------------------------------------------------
  /** The photo at `index` of the whole order, or null when not fetched (yet, or any more). */
  item(index) {
    const found = this.locate(index);
    return found ? found.month.items[found.offset] || null : null;
  }

  /** Fetch photo `index`: pages of its month up to it. */
  async load(index) {
    const found = this.locate(index);
    if (!found) return;
    while (found.month.loaded <= found.offset && found.month.loaded < found.month.count) {
      const { month, at } = found;
      const query = month.cursor ? { cursor: month.cursor } : { to: lastDay(month.key) };
      const page = await this.source.page({ ...query, limit: PAGE });
      const before = month.loaded;
      this.absorb(at, page.items, page.next_cursor);
      if (month.loaded === before) break;
    }
    this.render();
  }

  /**
   * The fetched photos around `index` without a gap (ids, in order), and the query that goes on after the last of
   * them ({cursor} or {to}: the next month), for a photo page opened from here to step past them; null if unknown.
   */
  runAround(index) {
    if (!this.item(index)) return null;
    let first = index;
    while (first > 0 && first > index - KEEP && this.item(first - 1)) first -= 1;
    let last = index;
    while (last + 1 < this.total && last < index + KEEP && this.item(last + 1)) last += 1;
    const ids = [];
    for (let at = first; at <= last; at += 1) ids.push(this.item(at).id);
    const end = this.locate(last);
    const next = this.months[end.at + 1];
    let more = null;
    if (end.offset + 1 < end.month.count) more = end.month.cursor ? { cursor: end.month.cursor } : null;
    else if (next) more = next.cursor ? { cursor: next.cursor } : { to: lastDay(next.key) };
    return { ids, more };
  }

  /** The grid's tile of photo `id`, if it is drawn. */
  tileOf(id) {
    return $(`[data-id="${id}"]`, this.layer);
  }
}
