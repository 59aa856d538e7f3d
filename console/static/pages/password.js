import { Alert, api, html, useAction } from "../ui.js";

// Password changes the account's password (PUT /auth/password), which ends
// every other session.
export function Password() {
  const [done, run] = useAction();
  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const change = () => api("PUT", "/auth/password", { currentPassword: form.get("current"), newPassword: form.get("next") });
    if (await run(change, "Password changed. Your other sessions have been ended.")) event.target.reset();
  }
  return html`
    <h1>Change my password</h1>
    <form onSubmit=${submit}>
      <${Alert} error=${done.error} notice=${done.notice} />
      <label>Current password <input name="current" type="password" autocomplete="current-password" required /></label>
      <label>New password <input name="next" type="password" autocomplete="new-password" minlength="12" required /></label>
      <button type="submit">Change password</button>
    </form>`;
}
