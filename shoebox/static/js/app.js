// Entry point of every page: wires what the page (body[data-page]) contains.
import { api } from "./api.js";
import { initAuthForms } from "./auth.js";
import { initDuplicates } from "./duplicates.js";
import { initJobs, initJobsIndicator } from "./jobs.js";
import { initLibrary } from "./library.js";
import { initPhoto } from "./photo.js";
import { initHeaderSearch } from "./search.js";
import { $ } from "./ui.js";
import { initUpload } from "./upload.js";

const AUTH_PAGES = new Set(["login", "register", "forgot", "reset"]);

function initLogout() {
  const button = $("[data-logout]");
  if (!button) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("/api/auth/logout", { method: "POST", auth: false });
      location.assign("/login");
    } catch {
      location.assign("/logout"); // the server-side route clears the cookies whatever happened
    }
  });
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

function init() {
  const page = document.body.dataset.page;
  if (AUTH_PAGES.has(page)) {
    initAuthForms();
    return;
  }
  if (page === "error") return;
  initLogout();
  initMenu();
  initUpload();
  initJobsIndicator();
  initHeaderSearch();
  // Opening a photo from the grid: Escape on the photo page can then simply go back (scroll kept).
  document.addEventListener("click", (event) => {
    if (event.target.closest("a.tile")) sessionStorage.setItem("shoebox:from-grid", "1");
  });
  if (page === "library" || page === "search") {
    sessionStorage.removeItem("shoebox:from-grid");
    initLibrary();
  } else if (page === "photo") initPhoto();
  else if (page === "jobs") initJobs();
  else if (page === "duplicates") initDuplicates();
}

init();
