import { Alert, api, html, minorUnits, money, useAction, useLoad } from "../ui.js";

// Products is a business's catalog (GET /v1/products), and a form for a
// product with its first price (POST /v1/products).
export function Products() {
  const [products, error, reload] = useLoad(() => api("GET", "/v1/products?limit=200").then((r) => r.results));
  const [done, run] = useAction(reload);
  async function create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const currency = form.get("currency").toUpperCase();
    const price = { amount: minorUnits(form.get("amount"), currency), currency, type: form.get("type") };
    if (price.type === "recurring") price.interval = form.get("interval");
    const made = () => api("POST", "/v1/products", { name: form.get("name"), prices: [price] }).then((r) => r.result);
    if (await run(made, (p) => `${p.name} is on sale.`)) event.target.reset();
  }
  return html`
    <h1>Products</h1>
    <${Alert} error=${error} />
    ${products &&
    html`<div class="table">
      <table id="products">
        <thead><tr><th scope="col">Product</th><th scope="col">Prices</th><th scope="col">Status</th></tr></thead>
        <tbody>
          ${products.map(
            (p) => html`<tr key=${p.id}>
              <td>${p.name}</td>
              <td>${p.prices.map((pr) => html`<div key=${pr.id}>${money(pr.amount, pr.currency)}${pr.interval ? ` a ${pr.interval}` : " once"}</div>`)}</td>
              <td>${p.active ? "on sale" : "archived"}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
    <h2>New product</h2>
    <form onSubmit=${create}>
      <${Alert} error=${done.error} notice=${done.notice} />
      <label>Name <input name="name" required maxlength="200" /></label>
      <label>Price <input name="amount" inputmode="decimal" required pattern="[0-9]+([.][0-9]+)?" /></label>
      <label>Currency <input name="currency" defaultValue="USD" required pattern="[A-Za-z]{3}" /></label>
      <label>Sold <select name="type">
        <option value="recurring">as a subscription</option>
        <option value="one_time">once</option>
      </select></label>
      <label>Every <select name="interval">
        <option value="month">month</option>
        <option value="year">year</option>
        <option value="week">week</option>
        <option value="day">day</option>
      </select></label>
      <button type="submit">Create the product</button>
    </form>`;
}
