// Sign-up, sign-in, forgot-password and reset-password forms: inline validation, then the JSON API.
import { api } from "./api.js";
import { auth } from "./endpoints.js";
import { $, $$ } from "./ui.js";

const MIN_PASSWORD = 10;
// Which input an API error code belongs to; the rest are shown above the submit button.
const FIELD_OF_CODE = { invalid_email: "email", email_taken: "email", weak_password: "password" };

function setFieldError(form, name, message) {
  const input = form.elements.namedItem(name);
  const slot = $(`[data-field-error="${name}"]`, form);
  if (slot) slot.textContent = message || "";
  if (input && input.type !== "hidden") {
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

function clearErrors(form) {
  $$("[data-field-error]", form).forEach((slot) => setFieldError(form, slot.dataset.fieldError, ""));
  $("[data-form-error]", form).textContent = "";
}

function check(form, kind) {
  const errors = {};
  const email = form.elements.namedItem("email");
  if (email) {
    const value = email.value.trim();
    if (!value) errors.email = "Enter your email address.";
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) errors.email = "That does not look like an email address.";
  }
  const password = form.elements.namedItem("password");
  if (password) {
    if (!password.value) errors.password = kind === "login" ? "Enter your password." : "Choose a password.";
    else if (kind !== "login" && password.value.length < MIN_PASSWORD) {
      errors.password = `Use at least ${MIN_PASSWORD} characters (${password.value.length} so far).`;
    }
  }
  return errors;
}

const REQUESTS = {
  login: (data) => api(auth.login, { method: "POST", body: { email: data.email, password: data.password }, auth: false }),
  register: (data) =>
    api(auth.register, { method: "POST", body: { email: data.email, password: data.password, invite: data.invite }, auth: false }),
  forgot: (data) => api(auth.passwordReset, { method: "POST", body: { email: data.email }, auth: false }),
  reset: (data) => api(auth.passwordResetConfirm, { method: "POST", body: { token: data.token, password: data.password }, auth: false }),
};

// Where to go after signing in: `next` only when the browser resolves it to this site (it drops tabs and
// newlines and reads a backslash as "/", so "/\t/evil.example" would lead away), else the library.
function sameSitePath(next) {
  try {
    const url = new URL(next || "/", location.origin);
    if (url.origin === location.origin) return url.pathname + url.search + url.hash;
  } catch {
    // not a URL at all
  }
  return "/";
}

function done(form, kind, reply, data) {
  if (kind === "login") location.assign(sameSitePath(data.next));
  else if (kind === "register") location.assign("/");
  else {
    $("[data-form-success]", form).textContent = reply.message;
    if (kind === "reset") setTimeout(() => location.assign("/login"), 1200);
  }
}

// The server's message as a sentence: capitalised, with one full stop.
function sentence(message) {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function showServerError(form, error) {
  const field = FIELD_OF_CODE[error.code];
  if (field && form.elements.namedItem(field)) {
    setFieldError(form, field, sentence(error.message));
    form.elements.namedItem(field).focus();
    return;
  }
  const messages = {
    invalid_credentials: "Wrong email or password.",
    invalid_token: "This reset link is invalid, used or expired. Ask for a new one below.",
  };
  $("[data-form-error]", form).textContent = messages[error.code] || sentence(error.message);
}

async function submit(form, kind, event) {
  event.preventDefault();
  clearErrors(form);
  const errors = check(form, kind);
  for (const [name, message] of Object.entries(errors)) setFieldError(form, name, message);
  const first = Object.keys(errors)[0];
  if (first) {
    form.elements.namedItem(first).focus();
    return;
  }
  const button = $("button[type=submit]", form);
  button.disabled = true;
  const data = Object.fromEntries(new FormData(form));
  if (data.email) data.email = data.email.trim();
  try {
    done(form, kind, await REQUESTS[kind](data), data);
  } catch (error) {
    showServerError(form, error);
  } finally {
    button.disabled = false;
  }
}

export function initAuthForms() {
  for (const form of $$("[data-auth-form]")) {
    const kind = form.dataset.authForm;
    form.addEventListener("submit", (event) => submit(form, kind, event));
    // Clear a field's error as soon as the user fixes it.
    form.addEventListener("input", (event) => {
      if (event.target.name && event.target.getAttribute("aria-invalid")) setFieldError(form, event.target.name, "");
    });
    // The page sends it disabled: until now the browser would send it itself, the password in the address.
    $("button[type=submit]", form).disabled = false;
  }
  const first = $("[data-auth-form] input:not([type=hidden])");
  if (first && !first.value) first.focus();
}
