// The Account page: who is signed in and their library's size, password change, sign-out everywhere, account
// deletion (confirmed in the page's own dialog, with the password), and for the admin invites and new accounts.
import { api } from "./api.js";
import { admin, auth } from "./endpoints.js";
import { initSharedLinks } from "./shared-links.js";
import { $, formatBytes, formatDateTime, h } from "./ui.js";

const REGISTRATION_TEXT = {
  open: "Anyone who can reach this Shoebox can create an account (REGISTRATION=open).",
  invite: "New people need an invite link from you (REGISTRATION=invite).",
  closed: "Nobody can sign up; only you can create accounts (REGISTRATION=closed).",
};
const INVITE_STATUS = { pending: "Not used yet", used: "Used", expired: "Expired" };

// The server's message as a sentence: capitalised, with one full stop.
const sentence = (text) => {
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
};

function showMe(me) {
  $("[data-account-email]").textContent = me.email;
  $("[data-account-username]").value = me.email;
  $("[data-account-admin]").hidden = !me.is_admin;
  $("[data-account-photos]").textContent = me.photo_count.toLocaleString();
  $("[data-account-storage]").textContent = me.storage_bytes ? formatBytes(me.storage_bytes) : "Nothing yet";
  $("[data-delete-count]").textContent = me.photo_count === 1 ? "your 1" : `your ${me.photo_count.toLocaleString()}`;
  if (me.is_admin) {
    $("[data-admin]").hidden = false;
    $("[data-registration-text]").textContent = REGISTRATION_TEXT[me.registration] || "";
    loadInvites();
  }
}

function initPassword() {
  const form = $("[data-password-form]");
  const done = $("[data-password-done]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    done.textContent = "";
    for (const slot of form.querySelectorAll("[data-field-error]")) slot.textContent = "";
    const data = Object.fromEntries(new FormData(form));
    const button = $("button[type=submit]", form);
    button.disabled = true;
    try {
      await api(auth.password, { method: "POST", body: { current_password: data.current_password, new_password: data.new_password } });
      form.reset();
      $("[data-account-username]").value = $("[data-account-email]").textContent;
      done.textContent = "Password changed. Your other devices are signed out.";
    } catch (error) {
      const field = error.code === "weak_password" ? "new_password" : "current_password";
      $(`[data-field-error="${field}"]`, form).textContent = sentence(error.message);
      form.elements.namedItem(field).focus();
    } finally {
      button.disabled = false;
    }
  });
}

function initLogoutAll() {
  const button = $("[data-logout-all]");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api(auth.logoutAll, { method: "POST" });
      location.assign("/login");
    } catch (error) {
      $("[data-sessions-error]").textContent = sentence(error.message);
      button.disabled = false;
    }
  });
}

function inviteRow(invite) {
  const when = invite.status === "used"
    ? `Used by ${invite.used_by || "a deleted account"} on ${formatDateTime(invite.used_at)}`
    : `${INVITE_STATUS[invite.status]} · made ${formatDateTime(invite.created_at)} · ${invite.status === "expired" ? "expired" : "expires"} ${formatDateTime(invite.expires_at)}`;
  const revoke = h("button", { type: "button", class: "btn btn-secondary shrink-0", text: invite.status === "pending" ? "Revoke" : "Remove" });
  revoke.setAttribute("aria-label", `${revoke.textContent} the invite link made ${formatDateTime(invite.created_at)}`);
  revoke.addEventListener("click", async () => {
    revoke.disabled = true;
    try {
      await api(admin.invite(invite.id), { method: "DELETE" });
      $("[data-invite-status]").textContent = invite.status === "pending" ? "Invite link revoked: it no longer works." : "Removed.";
      loadInvites();
    } catch (error) {
      $("[data-invite-status]").textContent = sentence(error.message);
      revoke.disabled = false;
    }
  });
  return h("li", { class: "flex items-center justify-between gap-3 py-2.5", dataset: { invite: invite.id } },
    h("p", { class: "min-w-0 text-sm text-neutral-700 dark:text-neutral-300", text: when }), revoke);
}

async function loadInvites() {
  const { items } = await api(admin.invites);
  $("[data-invite-list]").replaceChildren(...items.map(inviteRow));
}

function initInvites() {
  const create = $("[data-invite-create]");
  create.addEventListener("click", async () => {
    create.disabled = true;
    try {
      const made = await api(admin.invites, { method: "POST", body: {} });
      $("[data-invite-new]").hidden = false;
      $("[data-invite-url]").value = made.url;
      $("[data-invite-url]").select();
      $("[data-invite-status]").textContent = "Invite link created. Send it to the person you invite.";
      loadInvites();
    } catch (error) {
      $("[data-invite-status]").textContent = sentence(error.message);
    } finally {
      create.disabled = false;
    }
  });
  $("[data-invite-copy]").addEventListener("click", async () => {
    const field = $("[data-invite-url]");
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      $("[data-invite-status]").textContent = "Copied.";
    } catch {
      $("[data-invite-status]").textContent = "Select the link and copy it.";
    }
  });
}

function initNewUser() {
  const form = $("[data-user-form]");
  const status = $("[data-user-status]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    try {
      const user = await api(admin.users, { method: "POST", body: { email: data.email.trim(), password: data.password } });
      form.reset();
      status.className = "sm:col-span-3 text-sm text-emerald-700 dark:text-emerald-300";
      status.textContent = `Account created for ${user.email}. Give them their password by a safe way.`;
    } catch (error) {
      status.className = "sm:col-span-3 text-sm text-red-700 dark:text-red-300";
      status.textContent = sentence(error.message);
    }
  });
}

function initDeleteAccount() {
  const dialog = $("[data-delete-account-dialog]");
  const form = $("[data-delete-account-form]");
  const error = $("[data-field-error=password]", form);
  $("[data-delete-account-open]").addEventListener("click", () => {
    form.reset();
    error.textContent = "";
    dialog.showModal();
    form.elements.namedItem("password").focus();
  });
  $("[data-delete-account-cancel]").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = form.elements.namedItem("password");
    if (!password.value) {
      error.textContent = "Enter your password to confirm.";
      password.focus();
      return;
    }
    try {
      await api(auth.me, { method: "DELETE", body: { password: password.value } });
      location.assign("/login");
    } catch (failure) {
      error.textContent = failure.code === "invalid_credentials" ? "That is not your password." : sentence(failure.message);
      password.focus();
    }
  });
}

export async function initAccount() {
  initPassword();
  initLogoutAll();
  initInvites();
  initNewUser();
  initDeleteAccount();
  initSharedLinks();
  showMe(await api(auth.me));
}
