import { Alert, api, html, useLoad, useState, when } from "../ui.js";

const pageSize = 50;

// Audit is the audit trail (GET /v1/audit-events), oldest first, a page at
// a time, filtered as the API filters it: by action, by the business an
// event belongs to (tenantId) and by the account it is about (subjectId).
export function Audit() {
  const [filters, setFilters] = useState({ action: "", tenantId: "", subjectId: "" });
  // cursors are those of the pages read so far, the current one last, for
  // going back.
  const [cursors, setCursors] = useState([""]);
  const cursor = cursors[cursors.length - 1];
  const [accounts, accountsError] = useLoad(() => api("GET", "/v1/clients?limit=200").then((r) => r.results));
  const wanted = query({ ...filters, cursor, limit: pageSize });
  // The page shown is the one asked for last: an earlier one, still on
  // screen while the next loads, would read as the filters' answer.
  const [loaded, error] = useLoad(() => api("GET", `/v1/audit-events?${wanted}`).then((page) => ({ query: wanted, page })), [wanted]);
  const page = loaded?.query === wanted ? loaded.page : null;
  const logins = new Map((accounts || []).map((a) => [a.id, a.login]));
  const name = (id) => (id ? logins.get(id) || id : "—");
  function filter(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    setFilters({ action: form.get("action").trim(), tenantId: form.get("tenantId"), subjectId: form.get("subjectId") });
    setCursors([""]);
  }
  function clear(event) {
    event.target.form.reset();
    setFilters({ action: "", tenantId: "", subjectId: "" });
    setCursors([""]);
  }
  const next = page?.meta?.nextCursor;
  return html`
    <h1>Audit trail</h1>
    <p class="help">Logins and logouts, password changes, accounts created, changed, disabled or deleted, roles granted, sessions and keys revoked: who did it, to whom, from where. Oldest first.</p>
    <${Alert} error=${error || accountsError} />
    <form id="audit-filters" class="toolbar" onSubmit=${filter}>
      <label>Action <input name="action" autocomplete="off" spellcheck="false" placeholder="client.create" aria-describedby="audit-action-help" /></label>
      <label>Business <select name="tenantId">
        <option value="">Any</option>
        ${(accounts || []).filter((a) => a.roles.includes("business")).map((a) => html`<option key=${a.id} value=${a.id}>${a.login}</option>`)}
      </select></label>
      <label>About the account <select name="subjectId">
        <option value="">Any</option>
        ${(accounts || []).map((a) => html`<option key=${a.id} value=${a.id}>${a.login}${a.tenantId ? ` (${name(a.tenantId)})` : ""}</option>`)}
      </select></label>
      <div class="actions">
        <button type="submit">Filter</button>
        <button type="button" class="secondary" onClick=${clear}>Show all</button>
      </div>
      <p class="help" id="audit-action-help">For example login, logout, password.change, client.create, client.disable, client.roles, api-key.create.</p>
    </form>
    ${!page && !error && html`<p class="loading">Loading…</p>`}
    ${page &&
    html`<p class="muted" aria-live="polite">Page ${cursors.length}: ${events(page.results.length)}${filtered(filters) ? " matching the filters" : ""}.</p>
      <div class="table">
        <table id="audit">
          <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">By</th><th scope="col">About</th><th scope="col">Business</th><th scope="col">IP</th><th scope="col">Details</th></tr></thead>
          <tbody>
            ${page.results.map(
              (e) => html`<tr key=${e.id}>
                <td>${when(e.occurredAt)}</td>
                <td>${e.action}</td>
                <td>${e.outcome}</td>
                <td>${name(e.actorId)}</td>
                <td>${name(e.subjectId)}</td>
                <td>${name(e.tenantId)}</td>
                <td>${e.ip || "—"}</td>
                <td><code>${Object.keys(e.details).length ? JSON.stringify(e.details) : "—"}</code></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${(next || cursors.length > 1) &&
      html`<nav class="actions" aria-label="Pages">
        <button class="secondary" disabled=${cursors.length === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous page</button>
        <button class="secondary" disabled=${!next} onClick=${() => setCursors([...cursors, next])}>Next page</button>
      </nav>`}`}`;
}

function events(n) {
  return n === 0 ? "no events" : n === 1 ? "1 event" : `${n} events`;
}

function filtered(filters) {
  return Object.values(filters).some(Boolean);
}

// query is the query string of the parameters that have a value.
function query(params) {
  return new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== undefined)).toString();
}
