import { Alert, api, html, useState } from "../ui.js";

// Login takes a login and a password, and for a customer the login of its
// business, as POST /auth/session does; the session comes back as the sid
// cookie.
export function Login({ onLogin, ended }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { login: form.get("login"), password: form.get("password") };
    if (form.get("tenant")) body.tenant = form.get("tenant");
    setBusy(true);
    setError(null); // the last answer goes while this one is asked
    try {
      await api("POST", "/auth/session", body);
      setError(null);
      onLogin();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return html`
    <main class="login">
      <h1>billgate</h1>
      <form onSubmit=${submit} aria-describedby="login-help">
        <${Alert} error=${error} notice=${!error && ended ? "Your session has ended. Log in again." : ""} />
        <label>Login <input name="login" autocomplete="username" required /></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
        <label>Business <input name="tenant" autocomplete="organization" /></label>
        <p id="login-help" class="help">Customers: the login of your business. Everyone else: leave it empty.</p>
        <button type="submit" disabled=${busy}>Log in</button>
      </form>
    </main>`;
}
