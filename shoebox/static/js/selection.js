// The selection: the photos a user picks on a grid, to act on all of them at once (selection-bar.js does the acting).
// It holds ids only, in a Set, never tiles: a grid that draws and recycles tiles as the user scrolls (the virtualised
// timeline) asks it whether a photo is picked as it draws that photo's tile (`mark`), and every tile is reached
// through one set of listeners on the grid's root (event delegation on `a.tile[data-id]`), so a tile drawn later
// needs no wiring of its own.
//
// How a user picks: the check on a tile (shown on hover or keyboard focus with a mouse, always on touch screens once
// picking), a long press on a tile on a touch screen, then taps; once anything is picked, a click or tap on any tile
// picks it instead of opening it; shift-click picks every photo between the last one picked and this one; a group's
// "select all" (a month's header) picks the whole group, or unpicks it when it is all picked.
import { h, icon } from "./ui.js";

/** The most photos one action takes (the API's limit). */
export const MAX_SELECTION = 5000;
const LONG_PRESS_MS = 500;
const MOVE_TOLERANCE_PX = 10;

export class Selection extends EventTarget {
  constructor() {
    super();
    this.ids = new Set();
    this.anchor = null; // the photo picked last: a shift-click picks from it
    this.favourites = new Map(); // id -> favourite, as last seen on its tile (what the Favourite action toggles)
  }

  get size() {
    return this.ids.size;
  }

  has(id) {
    return this.ids.has(Number(id));
  }

  list() {
    return [...this.ids];
  }

  /** Pick (`on`) or unpick these photos; past MAX_SELECTION the rest are left out and a `limit` event says so. */
  set(ids, on = true) {
    let refused = 0;
    for (const raw of ids) {
      const id = Number(raw);
      if (!on) this.ids.delete(id);
      else if (this.ids.size < MAX_SELECTION) this.ids.add(id);
      else if (!this.ids.has(id)) refused += 1;
    }
    if (refused) this.dispatchEvent(new CustomEvent("limit", { detail: { refused } }));
    this.changed();
  }

  toggle(id) {
    this.set([id], !this.has(id));
    this.anchor = Number(id);
  }

  clear() {
    if (!this.ids.size && this.anchor === null) return;
    this.ids.clear();
    this.anchor = null;
    this.changed();
  }

  changed() {
    document.documentElement.toggleAttribute("data-selecting", this.ids.size > 0);
    this.dispatchEvent(new CustomEvent("change", { detail: { size: this.ids.size } }));
  }
}

/** The check on a tile: a toggle button over the picture's upper left corner. */
export function checkButton() {
  return h("button", { type: "button", class: "tile-check", "aria-pressed": "false", "aria-label": "Select", title: "Select", dataset: { check: "" } },
    icon("check", "tile-check-mark"));
}

/** Show a tile as picked or not: its check's state and the tile's own look (`data-selected`). */
export function mark(tile, picked) {
  tile.toggleAttribute("data-selected", picked);
  const check = tile.querySelector("[data-check]");
  if (check) check.setAttribute("aria-pressed", String(picked));
}

const tileOf = (target, root) => {
  const tile = target.closest("a.tile[data-id]");
  return tile && root.contains(tile) ? tile : null;
};

const heartOf = (tile) => tile.querySelector(".heart");

/** Tile ids in the grid's DOM order from `from` to `to` (either way round), both included: the default range. */
function rangeInDom(root, from, to) {
  const ids = [...root.querySelectorAll("a.tile[data-id]")].map((tile) => Number(tile.dataset.id));
  const [a, b] = [ids.indexOf(from), ids.indexOf(to)].sort((x, y) => x - y);
  return a < 0 ? [to] : ids.slice(a, b + 1);
}

/**
 * Let the user pick photos on the tiles inside `root`. Options (all optional):
 * - `range(fromId, toId)`: the ids from one photo to another in the grid's order (may return a Promise): for grids
 *   whose tiles are not all drawn; default: the tiles in the DOM.
 * - `groupIds(key)`: the ids of a group (a month) with a "select all" button `[data-select-group=key]` (a Promise).
 * - `loadedGroupIds(key)`: the same if every one is known now, else null: whether its button shows all picked.
 * Returns a function that marks one tile as it is drawn (for the grid's tile hook).
 */
export function attach(root, selection, { range, groupIds, loadedGroupIds } = {}) {
  const press = { timer: null, x: 0, y: 0, fired: false, swallow: false };

  const remember = (tile) => {
    const heart = heartOf(tile);
    if (heart) selection.favourites.set(Number(tile.dataset.id), heart.getAttribute("aria-pressed") === "true");
  };

  async function pickRange(tile) {
    const to = Number(tile.dataset.id);
    const from = selection.anchor;
    const ids = range ? await range(from, to) : rangeInDom(root, from, to);
    selection.set(ids.includes(to) ? ids : [...ids, to], true);
    selection.anchor = to;
  }

  async function toggleGroup(button) {
    const key = button.dataset.selectGroup;
    button.setAttribute("aria-busy", "true");
    try {
      const ids = groupIds ? await groupIds(key) : [];
      const all = ids.length > 0 && ids.every((id) => selection.has(id));
      selection.set(ids, !all);
    } finally {
      button.removeAttribute("aria-busy");
    }
  }

  function onClick(event) {
    const group = event.target.closest("[data-select-group]");
    if (group && root.contains(group)) {
      event.preventDefault();
      toggleGroup(group);
      return;
    }
    const tile = tileOf(event.target, root);
    if (!tile) return;
    if (press.swallow) { // the click that ends a long press: the press picked already
      press.swallow = false;
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    const onCheck = Boolean(event.target.closest("[data-check]"));
    const ranged = event.shiftKey && selection.anchor !== null && selection.size > 0;
    if (!onCheck && !selection.size) return; // an ordinary click: the tile opens its photo
    event.preventDefault();
    event.stopPropagation(); // neither the viewer nor the heart: this click picks
    remember(tile);
    if (ranged) pickRange(tile);
    else selection.toggle(tile.dataset.id);
  }

  function cancelPress() {
    clearTimeout(press.timer);
    press.timer = null;
  }

  function onPointerDown(event) {
    if (event.pointerType !== "touch") return;
    const tile = tileOf(event.target, root);
    if (!tile || event.target.closest("[data-check]")) return;
    Object.assign(press, { x: event.clientX, y: event.clientY, fired: false, swallow: false });
    cancelPress();
    press.timer = setTimeout(() => {
      press.timer = null;
      press.fired = true;
      remember(tile);
      selection.toggle(tile.dataset.id);
      navigator.vibrate?.(15);
    }, LONG_PRESS_MS);
  }

  function onPointerMove(event) {
    if (press.timer && Math.hypot(event.clientX - press.x, event.clientY - press.y) > MOVE_TOLERANCE_PX) cancelPress();
  }

  function onPointerEnd() {
    cancelPress();
    if (press.fired) {
      press.fired = false;
      press.swallow = true; // the click that follows the lifted finger must not open the photo or unpick it
      setTimeout(() => { press.swallow = false; }, 600);
    }
  }

  function refresh() {
    for (const tile of root.querySelectorAll("a.tile[data-id]")) mark(tile, selection.has(tile.dataset.id));
    for (const button of root.querySelectorAll("[data-select-group]")) showGroup(button);
  }

  function showGroup(button) {
    const ids = loadedGroupIds ? loadedGroupIds(button.dataset.selectGroup) : null;
    const all = Boolean(ids && ids.length && ids.every((id) => selection.has(id)));
    button.setAttribute("aria-pressed", String(all));
  }

  root.addEventListener("click", onClick, true); // capture: before the viewer's and the heart's own handlers
  root.addEventListener("pointerdown", onPointerDown);
  root.addEventListener("pointermove", onPointerMove);
  root.addEventListener("pointerup", onPointerEnd);
  root.addEventListener("pointercancel", onPointerEnd);
  // A long press on a touch screen also asks for the link's menu: a press that picks does not show it.
  root.addEventListener("contextmenu", (event) => {
    if ((press.timer || press.fired || selection.size) && tileOf(event.target, root)) event.preventDefault();
  });
  root.addEventListener("favouritechange", (event) => selection.favourites.set(Number(event.detail.id), event.detail.favourite));
  selection.addEventListener("change", refresh);

  return (node) => {
    if (node.matches?.("a.tile[data-id]")) mark(node, selection.has(node.dataset.id));
    for (const button of node.querySelectorAll?.("[data-select-group]") || []) showGroup(button);
    if (node.matches?.("[data-select-group]")) showGroup(node);
    return node;
  };
}

/** A group's "select all" button (a month's header): pressed when all of it is picked. */
export function groupButton(key, label) {
  return h("button", { type: "button", class: "group-check", "aria-pressed": "false", "aria-label": `Select all of ${label}`,
    title: `Select all of ${label}`, dataset: { selectGroup: key } }, icon("check", "size-3.5"));
}
