import { Alert, api, html, useLoad, when } from "../ui.js";

// Profile is the account and its login statistics (GET /v1/profile).
export function Profile() {
  const [me, error] = useLoad(() => api("GET", "/v1/profile").then((r) => r.result));
  if (error) return html`<${Alert} error=${error} />`;
  if (!me) return html`<p class="loading">Loading…</p>`;
  return html`
    <h1>My profile</h1>
    <dl class="facts">
      <dt>Login</dt><dd id="profile-login">${me.login}</dd>
      <dt>Name</dt><dd>${me.displayName || "—"}</dd>
      <dt>Email</dt><dd>${me.email || "—"}</dd>
      <dt>Roles</dt><dd>${me.roles.join(", ")}</dd>
      <dt>Created</dt><dd>${when(me.createdAt)}</dd>
      <dt>Last login</dt><dd>${when(me.lastLoginAt)}${me.lastLoginIp ? ` from ${me.lastLoginIp}` : ""}</dd>
      <dt>Last failed login</dt><dd>${when(me.lastFailedLoginAt)}</dd>
      <dt>Failed logins since the last success</dt><dd>${me.failedLogins}</dd>
    </dl>`;
}
