import { Alert, api, html, useAction, useLoad, when } from "../ui.js";

// Sessions lists the account's sessions (GET /auth/sessions); revoking
// the current one logs out.
export function Sessions({ onLogout }) {
  const [sessions, error, reload] = useLoad(() => api("GET", "/auth/sessions").then((r) => r.results));
  const [done, run] = useAction(reload);
  async function revoke(s) {
    if ((await run(() => api("DELETE", `/auth/sessions/${s.id}`), "")) && s.current) onLogout();
  }
  if (error) return html`<${Alert} error=${error} />`;
  if (!sessions) return html`<p class="loading">Loading…</p>`;
  return html`
    <h1>My sessions</h1>
    <${Alert} error=${done.error} />
    <div class="table">
      <table>
        <thead><tr><th scope="col">Opened</th><th scope="col">From</th><th scope="col">Last seen</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          ${sessions.map(
            (s) => html`<tr key=${s.id}>
              <td>${when(s.createdAt)}${s.current ? html` <strong>(this one)</strong>` : ""}</td>
              <td>${s.ip} <span class="muted">${s.userAgent}</span></td>
              <td>${when(s.lastSeenAt)}</td>
              <td>${when(s.expiresAt)}</td>
              <td><button class="secondary" onClick=${() => revoke(s)}>Revoke</button></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}
