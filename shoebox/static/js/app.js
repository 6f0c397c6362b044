// Entry point of every page: wires what the page (body[data-page]) contains.
import { api } from "./api.js";
import { initAuthForms } from "./auth.js";
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

function init() {
  const page = document.body.dataset.page;
  if (AUTH_PAGES.has(page)) {
    initAuthForms();
    return;
  }
  if (page === "error") return;
  initLogout();
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
}

init();
