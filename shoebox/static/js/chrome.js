// What every signed-in page shares around its content: the header's menu, search box, background-work
// indicator and sign-out, uploads by button or drop, and opening photos from a grid.
import { api } from "./api.js";
import { auth } from "./endpoints.js";
import { initJobsIndicator } from "./jobs.js";
import { initHeaderSearch } from "./search.js";
import { followTileClicks } from "./sequence.js";
import { $, $$ } from "./ui.js";
import { initUpload } from "./upload.js";

function initLogout() {
  // One in the row of pages (wider screens) and one in the phone's menu.
  for (const button of $$("[data-logout]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await api(auth.logout, { method: "POST", auth: false });
        location.assign("/login");
      } catch {
        location.assign("/logout"); // the server-side route clears the cookies whatever happened
      }
    });
  }
}

/** The header's menu of pages: a disclosure button; Escape or a click elsewhere closes it. */
function initMenu() {
  const toggle = $("[data-menu-toggle]");
  const panel = $("[data-menu-panel]");
  if (!toggle || !panel) return;
  const open = (show) => {
    panel.hidden = !show;
    toggle.setAttribute("aria-expanded", String(show));
  };
  toggle.addEventListener("click", () => open(panel.hidden));
  document.addEventListener("click", (event) => {
    if (!panel.hidden && !event.target.closest("[data-menu]")) open(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || panel.hidden) return;
    event.preventDefault(); // the photo page's Escape (back to the grid) waits for the next press
    open(false);
    toggle.focus();
  });
  // Tabbing out of the menu closes it.
  $("[data-menu]").addEventListener("focusout", (event) => {
    if (event.relatedTarget && !event.currentTarget.contains(event.relatedTarget)) open(false);
  });
}

/** Wire the shared parts; app.js calls it before the page's own module, whose key handlers come second. */
export function initChrome() {
  initLogout();
  initMenu();
  initUpload();
  initJobsIndicator();
  initHeaderSearch();
  followTileClicks();
}
