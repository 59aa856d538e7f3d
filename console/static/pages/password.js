import { Alert, api, html, useState } from "../ui.js";

// Password changes the account's password (PUT /auth/password), which ends
// every other session.
export function Password() {
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState("");
  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      await api("PUT", "/auth/password", { currentPassword: form.get("current"), newPassword: form.get("next") });
      event.target.reset();
      setError(null);
      setNotice("Password changed. Your other sessions have been ended.");
    } catch (err) {
      setNotice("");
      setError(err);
    }
  }
  return html`
    <h1>Change my password</h1>
    <form onSubmit=${submit}>
      <${Alert} error=${error} notice=${notice} />
      <label>Current password <input name="current" type="password" autocomplete="current-password" required /></label>
      <label>New password <input name="next" type="password" autocomplete="new-password" minlength="12" required /></label>
      <button type="submit">Change password</button>
    </form>`;
}
