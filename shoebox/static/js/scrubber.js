// The timeline's scrubber (as in Immich and Google Photos): a vertical strip at the right edge, its years marked
// where their photos are in the grid; drag it (or click it, or use the keyboard: it is a slider) to jump to any
// month, with the month named beside the pointer. On a phone only its handle takes touches, so the tiles under the
// strip stay tappable; it shows while the page scrolls and fades when it stops.
import { h, monthLabel } from "./ui.js";

const FADE_MS = 1500;
const MIN_LABEL_GAP = 22; // px between two year labels, or the later one is left out

export class Scrubber {
  /** A scrubber for `timeline` (timeline.js), added to the page's body. */
  constructor(timeline) {
    this.timeline = timeline;
    this.marks = h("div", { class: "absolute inset-0 hidden sm:block", "aria-hidden": "true" });
    this.thumb = h("div", { class: "scrubber-thumb", "aria-hidden": "true" });
    this.label = h("div", { class: "scrubber-label", "aria-hidden": "true" });
    this.hover = h("div", { class: "scrubber-hover hidden", "aria-hidden": "true" });
    this.node = h("div", {
      class: "scrubber", role: "slider", tabindex: "0", "aria-label": "Timeline: jump to a month",
      "aria-orientation": "vertical", dataset: { scrubber: "" },
    }, this.marks, this.hover, this.thumb, this.label);
    document.body.append(this.node);
    this.wire();
    this.draw();
  }

  remove() {
    this.node.remove();
    window.removeEventListener("scroll", this.onScroll);
    window.removeEventListener("resize", this.onResize);
  }

  /** Where the strip is on the screen. */
  box() {
    return this.node.getBoundingClientRect();
  }

  /** Grid position (timeline.js coordinates) at strip height `y` (client px), and back. */
  toGrid(clientY) {
    const box = this.box();
    const fraction = Math.min(1, Math.max(0, (clientY - box.top) / box.height));
    return fraction * this.timeline.height;
  }

  toStrip(gridY) {
    return (gridY / Math.max(1, this.timeline.height)) * this.box().height;
  }

  monthAtGrid(y) {
    return this.timeline.months[this.timeline.monthAt(y)];
  }

  /** The year marks, placed where each year's newest month starts; crowded ones are left out. */
  draw() {
    const { months } = this.timeline;
    this.node.style.top = `${this.timeline.constructor.covered()}px`; // below the sticky header
    const marks = [];
    let last = -Infinity;
    months.forEach((month, at) => {
      const year = month.key.slice(0, 4);
      if (at && months[at - 1].key.slice(0, 4) === year) return;
      const y = this.toStrip(month.top);
      if (y - last < MIN_LABEL_GAP) return;
      last = y;
      const mark = h("span", { class: "scrubber-year", text: year });
      mark.style.top = `${y}px`;
      marks.push(mark);
    });
    this.marks.replaceChildren(...marks);
    this.node.setAttribute("aria-valuemin", "0");
    this.node.setAttribute("aria-valuemax", String(Math.max(0, months.length - 1)));
    this.node.hidden = !months.length;
    this.follow();
  }

  /** Put the handle and the value where the page is scrolled to. */
  follow() {
    const top = this.timeline.reading();
    const at = Math.max(0, this.timeline.monthAt(top + 1));
    this.thumb.style.transform = `translateY(${this.toStrip(Math.max(0, top))}px)`;
    const month = this.timeline.months[at];
    if (!month) return;
    this.node.setAttribute("aria-valuenow", String(at));
    this.node.setAttribute("aria-valuetext", monthLabel(month.key));
    this.node.dataset.month = month.key;
    this.label.textContent = monthLabel(month.key);
    this.label.style.transform = `translateY(${this.toStrip(Math.max(0, top))}px)`;
  }

  /** Scroll the page to grid position `y`. */
  jump(y) {
    this.timeline.scrollToGrid(y);
  }

  showForAWhile() {
    this.node.classList.add("scrubber-active");
    clearTimeout(this.fading);
    if (!this.dragging) this.fading = setTimeout(() => this.node.classList.remove("scrubber-active"), FADE_MS);
  }

  wire() {
    this.onScroll = () => {
      this.follow();
      this.showForAWhile();
    };
    this.onResize = () => this.draw();
    window.addEventListener("scroll", this.onScroll, { passive: true });
    window.addEventListener("resize", this.onResize);
    this.node.addEventListener("pointerdown", (event) => this.press(event));
    this.node.addEventListener("pointermove", (event) => this.move(event));
    this.node.addEventListener("pointerup", (event) => this.release(event));
    this.node.addEventListener("pointercancel", (event) => this.release(event));
    this.node.addEventListener("pointerleave", () => this.hover.classList.add("hidden"));
    this.node.addEventListener("keydown", (event) => this.key(event));
  }

  press(event) {
    if (event.button !== 0) return;
    event.preventDefault();
    this.node.setPointerCapture(event.pointerId);
    this.dragging = true;
    this.hover.classList.add("hidden"); // the handle's own label names the month while dragging
    this.timeline.paused = true; // no fetching for every month passed over; the one let go at is fetched
    this.node.classList.add("scrubber-dragging");
    this.move(event);
  }

  move(event) {
    const y = this.toGrid(event.clientY);
    if (this.dragging) {
      this.jump(y);
      this.showForAWhile();
      return;
    }
    if (event.pointerType !== "mouse" || window.innerWidth < 640) return;
    const month = this.monthAtGrid(y);
    if (!month) return;
    this.hover.textContent = monthLabel(month.key);
    this.hover.style.transform = `translateY(${event.clientY - this.box().top}px)`;
    this.hover.classList.remove("hidden");
  }

  release(event) {
    if (!this.dragging) return;
    this.dragging = false;
    this.node.releasePointerCapture(event.pointerId);
    this.node.classList.remove("scrubber-dragging");
    this.timeline.paused = false;
    this.timeline.update();
    this.showForAWhile();
  }

  /** A slider's keys: a month with the arrows, a year with Page Up/Down, the ends with Home/End. */
  key(event) {
    const { months } = this.timeline;
    const at = Math.max(0, this.timeline.monthAt(this.timeline.reading() + 1));
    const year = (from, step) => {
      let to = from;
      while (months[to + step] && months[to + step].key.slice(0, 4) === months[from].key.slice(0, 4)) to += step;
      return Math.min(months.length - 1, Math.max(0, to + step));
    };
    const target = { ArrowDown: at + 1, ArrowUp: at - 1, PageDown: year(at, 1), PageUp: year(at, -1), Home: 0,
      End: months.length - 1 }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const month = months[Math.min(months.length - 1, Math.max(0, target))];
    this.timeline.scrollToMonth(month.key);
    this.showForAWhile();
  }
}
