// What every page uses: Preact with htm, and the public API with the
// session cookie.
import { h, render } from "./vendor/preact.js";
import { useEffect, useState } from "./vendor/hooks.js";
import htm from "./vendor/htm.js";

export const html = htm.bind(h);
export { render, useEffect, useState };

// ApiError is an answer outside 2xx: its status, the envelope's first
// error, and Retry-After when the server sent one.
export class ApiError extends Error {
  constructor(status, error, retryAfter) {
    super(error?.message || `the server answered ${status}`);
    this.status = status;
    this.code = error?.code || "";
    this.field = error?.field || "";
    this.retryAfter = retryAfter ? Number(retryAfter) : 0;
  }
}

// api calls the API and returns its envelope ({result} or {results,
// meta}), or null for 204. A change that may move money passes an
// idempotency key (newKey), kept for as long as the reader means the same
// change, so that a second click or a retry is the same request.
export async function api(method, path, body, idempotencyKey) {
  // X-Requested-With keeps the browser's own Basic login dialog away: the
  // API offers a script no Basic challenge.
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" } };
  // A change made with the cookie must say it is JSON, body or not: the
  // API's CSRF defence refuses any other (PERMISSION DENIED).
  if (method !== "GET") init.headers["Content-Type"] = "application/json";
  if (idempotencyKey) init.headers["Idempotency-Key"] = idempotencyKey;
  if (body !== undefined) init.body = JSON.stringify(body);
  const resp = await fetch(path, init);
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => null);
  if (!resp.ok) {
    const err = new ApiError(resp.status, data?.errors?.[0], resp.headers.get("Retry-After"));
    // The session ended under a page (revoked, expired): the shell sends
    // the reader to log in again. The session's own calls say so
    // themselves.
    if (err.code === "SESSION_UNKNOWN" && path !== "/auth/session") dispatchEvent(new Event("billgate:session-ended"));
    throw err;
  }
  return data;
}

// newKey is a fresh idempotency key (a UUID v4). crypto.randomUUID exists
// only on https and localhost; billgate may be served on plain http.
export function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// explain says what an error means to the person using the console. The
// seed's answers keep their words, which support staff search for.
export function explain(err) {
  if (!(err instanceof ApiError)) return "billgate could not be reached: check the connection and try again.";
  switch (err.code) {
    case "AUTH_FAILED":
      return "AUTH FAILED: wrong login or password.";
    case "SESSION_UNKNOWN":
      return "SESSION UNKNOWN: your session has ended. Log in again.";
    case "PERMISSION_DENIED":
      return "PERMISSION DENIED: your account may not do this.";
    case "TOO_MANY_ATTEMPTS":
      return `Locked after too many failed logins: try again in ${duration(err.retryAfter)}.`;
  }
  return err.field ? `${err.message} (${err.field})` : err.message;
}

function duration(seconds) {
  if (seconds >= 120) return `${Math.ceil(seconds / 60)} minutes`;
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

// money shows an amount in a currency's minor units (cents) the reader's
// way.
export function money(amount, currency) {
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
  return format.format(amount / 10 ** format.resolvedOptions().maximumFractionDigits);
}

// minorUnits reads an amount a person typed in a currency's major units
// ("12.50") as its minor units (1250); NaN when it is not a number.
export function minorUnits(text, currency) {
  const digits = new Intl.NumberFormat(undefined, { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  const n = Number(String(text).trim());
  return Number.isFinite(n) ? Math.round(n * 10 ** digits) : NaN;
}

// when shows a time from the API in the reader's own zone; "never" for
// none.
export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "never";
}

// Alert is an error or a notice, read out by screen readers.
export function Alert({ error, notice }) {
  if (error) return html`<p class="alert error" role="alert">${explain(error)}</p>`;
  if (notice) return html`<p class="alert notice" role="status">${notice}</p>`;
  return null;
}

// useAction runs changes and keeps what came of the last: notice (a
// string, or a function of the change's value) when it went, then reload;
// the error when it did not; busy while a change runs. run reports whether
// it went.
export function useAction(reload) {
  const [state, setState] = useState({ error: null, notice: "", busy: false });
  async function run(change, notice) {
    setState((s) => ({ ...s, busy: true }));
    try {
      const value = await change();
      setState({ error: null, notice: typeof notice === "function" ? notice(value) : notice });
      if (reload) reload();
      return true;
    } catch (error) {
      setState({ error, notice: "" });
      return false;
    }
  }
  return [state, run];
}

// useLoad calls load once and whenever deps change; it returns
// [value, error, reload].
export function useLoad(load, deps = []) {
  const [state, setState] = useState({ value: undefined, error: null });
  const reload = () =>
    load().then(
      (value) => setState({ value, error: null }),
      (error) => setState({ value: undefined, error }),
    );
  useEffect(() => {
    reload();
  }, deps);
  return [state.value, state.error, reload];
}

// Secret shows a secret the API gives this once, with a button that
// copies it; where the page may not (plain HTTP off localhost), the button
// selects the secret for the reader to copy. children say what it is.
export function Secret({ secret, children }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [secret]);
  async function copy(event) {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      getSelection().selectAllChildren(event.target.closest(".secret").querySelector("code"));
    }
  }
  return html`<div class="alert notice secret" role="status">
    <p>${children}</p>
    <p><code class="secret-value">${secret}</code></p>
    <button class="secondary" onClick=${copy}>${copied ? "Copied" : "Copy the secret"}</button>
  </div>`;
}

// StatusFilter is a form that picks the status a list shows (any, or one
// of statuses), as the API's status parameter filters it.
export function StatusFilter({ id, statuses, onFilter }) {
  function submit(event) {
    event.preventDefault();
    onFilter(new FormData(event.target).get("status"));
  }
  return html`<form id=${id} class="toolbar" onSubmit=${submit}>
    <label>Status <select name="status">
      <option value="">Any</option>
      ${statuses.map((s) => html`<option key=${s} value=${s}>${s.replace("_", " ")}</option>`)}
    </select></label>
    <button type="submit" class="secondary">Show</button>
  </form>`;
}

// useKey is one form's idempotency key: the same while the reader means
// the same change (a second click, a retry after an error), a new one
// once the form changes or the change is made (renew).
export function useKey() {
  const [key, setKey] = useState(newKey);
  return [key, () => setKey(newKey())];
}
