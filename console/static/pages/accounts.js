import { Alert, api, html, useAction, useLoad, when } from "../ui.js";

// Accounts are every account an admin sees (GET /v1/clients): businesses
// and their customers, with the admin's actions on each (disable or enable,
// end its sessions, set its password), and a form for a new business.
export function Accounts() {
  const [accounts, error, reload] = useLoad(() => api("GET", "/v1/clients?limit=200").then((r) => r.results));
  const [done, act] = useAction(reload);
  const businesses = new Map((accounts || []).filter((a) => a.roles.includes("business")).map((a) => [a.id, a.login]));
  function setPassword(event, a) {
    event.preventDefault();
    const password = new FormData(event.target).get("password");
    act(() => api("PUT", `/v1/clients/${a.id}/password`, { password }), `${a.login} has a new password; its sessions were ended.`).then(
      (ok) => ok && event.target.reset(),
    );
  }
  function create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    act(
      () => api("POST", "/v1/clients", { login: form.get("login"), password: form.get("password"), email: form.get("email"), role: "business" }),
      `${form.get("login")} can log in now.`,
    ).then((ok) => ok && event.target.reset());
  }
  return html`
    <h1>Accounts</h1>
    <${Alert} error=${error || done.error} notice=${done.notice} />
    ${accounts &&
    html`<div class="table">
      <table id="accounts">
        <thead><tr><th scope="col">Login</th><th scope="col">Role</th><th scope="col">Business</th><th scope="col">Last login</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          ${accounts.map(
            (a) => html`<tr key=${a.id} data-login=${a.login}>
              <td>${a.login}</td>
              <td>${a.roles.join(", ")}</td>
              <td>${a.tenantId ? businesses.get(a.tenantId) || a.tenantId : "—"}</td>
              <td>${when(a.lastLoginAt)}</td>
              <td class="status">${a.disabled ? "disabled" : "active"}</td>
              <td><div class="actions">
                <button class="secondary" onClick=${() =>
                  act(() => api("PATCH", `/v1/clients/${a.id}`, { disabled: !a.disabled }), `${a.login} is ${a.disabled ? "enabled" : "disabled"}.`)}>
                  ${a.disabled ? "Enable" : "Disable"}
                </button>
                <button class="secondary" onClick=${() => act(() => api("DELETE", `/v1/clients/${a.id}/sessions`), `${a.login}'s sessions were ended.`)}>
                  End sessions
                </button>
                <form class="inline" onSubmit=${(e) => setPassword(e, a)}>
                  <label><span class="sr-only">New password for ${a.login}</span>
                    <input name="password" type="password" minlength="12" required placeholder="new password" autocomplete="new-password" /></label>
                  <button class="secondary" type="submit">Set password</button>
                </form>
              </div></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
    <h2>New business</h2>
    <form onSubmit=${create} id="new-business">
      <label>Login <input name="login" required autocomplete="off" /></label>
      <label>Email <input name="email" type="email" autocomplete="off" /></label>
      <label>Password <input name="password" type="password" required minlength="12" autocomplete="new-password" /></label>
      <button type="submit">Create the business</button>
    </form>`;
}
