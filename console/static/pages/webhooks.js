import { Alert, ApiError, Secret, StatusFilter, api, html, useAction, useEffect, useLoad, useState, when } from "../ui.js";
import { useEvents } from "../live.js";

// Webhooks are the business's webhook endpoints (/v1/webhook-endpoints),
// each linked to its page, and a form for a new one, whose signing secret
// is shown once.
export function Webhooks() {
  const [endpoints, error, reload] = useLoad(() => api("GET", "/v1/webhook-endpoints?limit=200").then((r) => r.results));
  useEvents(["webhook_endpoint."], reload);
  const [made, setMade] = useState(null);
  const [done, run] = useAction(reload);
  async function create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { url: form.get("url").trim(), description: form.get("description").trim(), eventTypes: form.get("eventTypes").split(/[\s,]+/).filter(Boolean) };
    // authFrom throws on claims that are not JSON: inside change, run shows it.
    const change = () => api("POST", "/v1/webhook-endpoints", { ...body, auth: authFrom(form) }).then((r) => setMade(r.result));
    if (await run(change, "")) event.target.reset();
  }
  return html`
    <h1>Webhook endpoints</h1>
    <p class="help">billgate sends each event to the endpoints whose event types take it, signed with the endpoint's secret (Standard Webhooks), in order, retrying for about a day.</p>
    <${Alert} error=${error} />
    ${endpoints && endpoints.length === 0 && html`<p class="muted">No endpoints yet.</p>`}
    ${endpoints?.length > 0 &&
    html`<div class="table">
      <table id="endpoints">
        <thead><tr><th scope="col">URL</th><th scope="col">Description</th><th scope="col">Events</th><th scope="col">Authentication</th><th scope="col">Status</th></tr></thead>
        <tbody>
          ${endpoints.map(
            (e) => html`<tr key=${e.id} data-endpoint=${e.id}>
              <td><a href=${"#/webhook/" + e.id}>${e.url}</a></td>
              <td>${e.description || "—"}</td>
              <td>${e.eventTypes.join(", ")}</td>
              <td>${e.auth.scheme}</td>
              <td class="endpoint-status">${state(e)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
    <h2>New endpoint</h2>
    ${made && html`<${Secret} secret=${made.secret}>The signing secret of ${made.url}, shown this once: receivers verify each delivery's webhook-signature with it.</${Secret}>`}
    <form id="new-endpoint" class="wide" onSubmit=${create}>
      <${Alert} error=${done.error} />
      <label>URL <input name="url" type="url" required maxlength="2048" placeholder="https://crm.example/billgate" /></label>
      <label>Description <input name="description" maxlength="500" /></label>
      <label>Event types <input name="eventTypes" required defaultValue="*" spellcheck="false" aria-describedby="event-types-help" /></label>
      <p class="help" id="event-types-help">Separated by spaces or commas: types (payment.failed), all of an object's (invoice.*), or * for every event.</p>
      <${AuthFields} />
      <button type="submit" disabled=${done.busy}>Create the endpoint</button>
    </form>`;
}

// state is an endpoint's status in words.
function state(e) {
  if (!e.enabled) return e.disabledReason ? `disabled by billgate: ${e.disabledReason}` : "disabled";
  return e.failingSince ? `failing since ${when(e.failingSince)}` : "enabled";
}

// AuthFields choose the authentication deliveries carry besides their
// signature (docs/events.md): the fields of the scheme chosen.
function AuthFields() {
  const [scheme, setScheme] = useState("none");
  const secret = html`<label>Secret <input name="auth-secret" type="password" required autocomplete="off" /></label>`;
  return html`<fieldset>
    <legend>Authentication</legend>
    <label>Scheme <select name="auth-scheme" value=${scheme} onChange=${(e) => setScheme(e.target.value)}>
      <option value="none">none: the signature alone</option>
      <option value="basic">basic: a user and a password</option>
      <option value="custom">custom: Authorization: name secret</option>
      <option value="signature">signature: an HTTP Signature over Date</option>
      <option value="bearer">bearer: a JWT per delivery</option>
    </select></label>
    ${scheme === "basic" && html`<label>User <input name="auth-user" required autocomplete="off" /></label>${secret}`}
    ${scheme === "custom" && html`<label>Name <input name="auth-name" required placeholder="Plain" autocomplete="off" /></label>${secret}`}
    ${scheme === "signature" &&
    html`<label>Key ID <input name="auth-keyId" required autocomplete="off" /></label>
      <label>Algorithm <select name="auth-algorithm">
        <option value="hmac-sha256">hmac-sha256</option>
        <option value="hmac-sha1">hmac-sha1</option>
      </select></label>
      ${secret}`}
    ${scheme === "bearer" &&
    html`<label>Claims <textarea name="auth-claims" rows="3" spellcheck="false" placeholder='{"aud": "crm"}'></textarea></label>
      <label>Expiry claim <input name="auth-expiryClaim" placeholder="exp" autocomplete="off" /></label>
      <label>Lifetime in seconds <input name="auth-ttlSeconds" type="number" min="1" max="86400" inputmode="numeric" /></label>
      ${secret}`}
  </fieldset>`;
}

// authFrom reads AuthFields: the auth object of the API, or an error
// naming the field when the claims are not a JSON object.
function authFrom(form) {
  const auth = { scheme: form.get("auth-scheme") };
  for (const f of ["user", "name", "keyId", "algorithm", "expiryClaim", "secret"]) {
    if (form.get("auth-" + f)) auth[f] = form.get("auth-" + f);
  }
  if (form.get("auth-ttlSeconds")) auth.ttlSeconds = Number(form.get("auth-ttlSeconds"));
  if (form.get("auth-claims")?.trim()) {
    try {
      auth.claims = JSON.parse(form.get("auth-claims"));
    } catch {
      auth.claims = null;
    }
    if (auth.claims === null || typeof auth.claims !== "object" || Array.isArray(auth.claims)) {
      throw new ApiError(400, { message: "claims must be a JSON object", field: "auth.claims" });
    }
  }
  return auth;
}

const pageSize = 50;

// Webhook is one endpoint: enable or disable it, send it a test, rotate
// its signing secret, remove it; and its deliveries, oldest first, a page
// at a time, filtered by status, each with its attempts and a retry. While
// a delivery shown is pending the page reads them again every 2 s: the
// event stream does not carry deliveries.
export function Webhook({ param: id }) {
  const [endpoint, error, reload] = useLoad(() => api("GET", `/v1/webhook-endpoints/${id}`).then((r) => r.result), [id]);
  useEvents(["webhook_endpoint."], (e) => e.objectId === id && reload());
  const [secret, setSecret] = useState("");
  // acted counts the page's actions: each may add a delivery to the log.
  const [acted, setActed] = useState(0);
  const [done, run] = useAction(() => (reload(), setActed((n) => n + 1)));
  const path = `/v1/webhook-endpoints/${id}`;
  if (error) return html`<${Alert} error=${error} />`;
  if (!endpoint) return html`<p class="loading">Loading…</p>`;
  const e = endpoint;
  const remove = () =>
    confirm(`Remove the endpoint ${e.url}? Its deliveries go with it.`) &&
    run(() => api("DELETE", path), "").then((ok) => ok && (location.hash = "#/webhooks"));
  return html`
    <p><a href="#/webhooks">← Webhook endpoints</a></p>
    <h1>Endpoint <span class="muted">${e.url}</span></h1>
    <dl class="facts">
      <dt>Status</dt><dd id="endpoint-status">${state(e)}</dd>
      <dt>Description</dt><dd>${e.description || "—"}</dd>
      <dt>Event types</dt><dd>${e.eventTypes.join(", ")}</dd>
      <dt>Authentication</dt><dd>${e.auth.scheme}${e.auth.user ? ` (${e.auth.user})` : ""}${e.auth.keyId ? ` (${e.auth.keyId}, ${e.auth.algorithm})` : ""}</dd>
      <dt>Created</dt><dd>${when(e.createdAt)}</dd>
    </dl>
    <${Alert} error=${done.error} notice=${done.notice} />
    ${secret && html`<${Secret} secret=${secret}>The new signing secret, shown this once. The old one signs beside it for 24 hours.</${Secret}>`}
    <div class="actions" id="endpoint-actions">
      <button class="secondary" onClick=${() => run(() => api("PATCH", path, { enabled: !e.enabled }), e.enabled ? "Disabled: deliveries wait until it is enabled." : "Enabled: waiting deliveries go now.")}>
        ${e.enabled ? "Disable" : "Enable"}
      </button>
      <button class="secondary" id="send-test" disabled=${!e.enabled}
        onClick=${() => run(() => api("POST", `${path}/test`), "A test message is on its way: see it below.")}>Send a test</button>
      <button class="secondary" onClick=${() => run(() => api("POST", `${path}/rotate-secret`).then((r) => setSecret(r.result.secret)), "")}>Rotate the secret</button>
      <button class="secondary danger" onClick=${remove}>Remove</button>
    </div>
    <${Deliveries} path=${path} acted=${acted} />`;
}

// Deliveries are an endpoint's delivery log, read again after each of the
// page's actions (acted): a test sent shows at once.
function Deliveries({ path, acted }) {
  const [status, setStatus] = useState("");
  const [cursors, setCursors] = useState([""]);
  const cursor = cursors[cursors.length - 1];
  const query = new URLSearchParams({ limit: pageSize, ...(status && { status }), ...(cursor && { cursor }) }).toString();
  const [page, error, reload] = useLoad(() => api("GET", `${path}/deliveries?${query}`), [query, acted]);
  const [done, run] = useAction(reload);
  const pending = page?.results.some((d) => d.status === "pending");
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(reload, 2000);
    return () => clearTimeout(timer);
  }, [page]);
  const filter = (s) => (setStatus(s), setCursors([""]));
  const next = page?.meta?.nextCursor;
  return html`<section id="delivery-log" aria-labelledby="deliveries-title">
    <h2 id="deliveries-title">Deliveries</h2>
    <${StatusFilter} id="deliveries-filter" statuses=${["pending", "delivered", "failed"]} onFilter=${filter} />
    <${Alert} error=${error || done.error} notice=${done.notice} />
    ${page && page.results.length === 0 && html`<p class="muted">No deliveries${status ? ` ${status}` : ""}.</p>`}
    ${page?.results.length > 0 &&
    html`<div class="table">
      <table id="deliveries">
        <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Next try</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          ${page.results.map(
            (d) => html`<tr key=${d.id} data-delivery=${d.id} data-status=${d.status}>
              <td>${d.eventType}<br /><span class="muted">${when(d.createdAt)}</span></td>
              <td class="delivery-status">${d.status}</td>
              <td><ol class="plain attempts">
                ${d.attempts.map(
                  (a) => html`<li key=${a.number}>
                    ${a.outcome} ${a.statusCode ?? "no answer"} <span class="muted">in ${a.latencyMs} ms, ${when(a.createdAt)}</span>
                    ${a.error && html`<br /><span class="attempt-error">${a.error}</span>`}
                  </li>`,
                )}
              </ol></td>
              <td>${d.nextAttemptAt ? when(d.nextAttemptAt) : "—"}</td>
              <td><button class="secondary" aria-label=${`Retry the ${d.eventType} delivery of ${when(d.createdAt)}`}
                onClick=${() => run(() => api("POST", `${path}/deliveries/${d.id}/retry`), "Sent again, under the same webhook-id.")}>
                ${d.status === "pending" ? "Send now" : "Retry"}
              </button></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
    ${(next || cursors.length > 1) &&
    html`<nav class="actions" aria-label="Pages of deliveries">
      <button class="secondary" disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Earlier deliveries</button>
      <button class="secondary" disabled=${!next} onClick=${() => setCursors([...cursors, next])}>Later deliveries</button>
    </nav>`}
  </section>`;
}
