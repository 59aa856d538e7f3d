import { Alert, api, html, useAction, useLoad, when } from "../ui.js";

// Customers are a business's customers (GET /v1/clients), each linked to
// its page, and a form for a new one (POST /v1/clients).
export function Customers() {
  const [customers, error, reload] = useLoad(() => api("GET", "/v1/clients?limit=200").then((r) => r.results));
  const [done, run] = useAction(reload);
  async function create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { login: form.get("login"), password: form.get("password") };
    if (form.get("email")) body.email = form.get("email");
    const made = () => api("POST", "/v1/clients", body).then((r) => r.result);
    if (await run(made, (c) => `${c.login} can log in now, with your business's login.`)) event.target.reset();
  }
  return html`
    <h1>Customers</h1>
    <${Alert} error=${error} />
    ${customers &&
    html`<div class="table">
      <table id="customers">
        <thead><tr><th scope="col">Login</th><th scope="col">Email</th><th scope="col">Since</th><th scope="col">Last login</th><th scope="col">Status</th></tr></thead>
        <tbody>
          ${customers.map(
            (c) => html`<tr key=${c.id}>
              <td><a href=${"#/customer/" + c.id}>${c.login}</a></td>
              <td>${c.email || "—"}</td>
              <td>${when(c.createdAt)}</td>
              <td>${when(c.lastLoginAt)}</td>
              <td>${c.disabled ? "disabled" : "active"}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
    <h2>New customer</h2>
    <form onSubmit=${create}>
      <${Alert} error=${done.error} notice=${done.notice} />
      <label>Login <input name="login" required autocomplete="off" /></label>
      <label>Email <input name="email" type="email" autocomplete="off" /></label>
      <label>Password <input name="password" type="password" required minlength="12" autocomplete="new-password" /></label>
      <button type="submit">Create the customer</button>
    </form>`;
}
