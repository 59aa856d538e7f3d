import { Alert, api, html, minorUnits, money, useAction, useLoad } from "../ui.js";

// Products is a business's catalog (GET /v1/products): a product with its
// first price (POST /v1/products), another price for a product (POST
// /v1/products/{id}/prices), and archiving a product or a price, or
// putting it back on sale (PATCH active).
export function Products() {
  const [products, error, reload] = useLoad(() => api("GET", "/v1/products?limit=200").then((r) => r.results));
  const [done, run] = useAction(reload);
  async function create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const made = () => api("POST", "/v1/products", { name: form.get("name"), prices: [priceFrom(form)] }).then((r) => r.result);
    if (await run(made, (p) => `${p.name} is on sale.`)) event.target.reset();
  }
  async function addPrice(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const product = products.find((p) => p.id === form.get("productId"));
    const made = () => api("POST", `/v1/products/${product.id}/prices`, priceFrom(form)).then((r) => r.result);
    if (await run(made, (pr) => `${product.name} has a new price: ${describe(pr)}.`)) event.target.reset();
  }
  const setActive = (path, active, notice) => run(() => api("PATCH", path, { active }), notice);
  return html`
    <h1>Products</h1>
    <${Alert} error=${error || done.error} notice=${done.notice} />
    ${products &&
    html`<div class="table">
      <table id="products">
        <thead><tr><th scope="col">Product</th><th scope="col">Prices</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          ${products.map(
            (p) => html`<tr key=${p.id} data-product=${p.name}>
              <td>${p.name}</td>
              <td><ul class="plain prices">
                ${p.prices.map(
                  (pr) => html`<li key=${pr.id} data-price=${pr.id} class=${pr.active ? "" : "archived"}>
                    <span>${describe(pr)}</span> <span class="price-status muted">${pr.active ? "on sale" : "archived"}</span>
                    <button class="secondary small" aria-label=${`${pr.active ? "Archive" : "Put back on sale"} ${p.name} at ${describe(pr)}`}
                      onClick=${() => setActive(`/v1/prices/${pr.id}`, !pr.active, `${p.name} at ${describe(pr)} is ${pr.active ? "archived" : "on sale again"}.`)}>
                      ${pr.active ? "Archive" : "Put back on sale"}
                    </button>
                  </li>`,
                )}
              </ul></td>
              <td class="product-status">${p.active ? "on sale" : "archived"}</td>
              <td><button class="secondary" aria-label=${`${p.active ? "Archive" : "Put back on sale"} ${p.name}`}
                onClick=${() => setActive(`/v1/products/${p.id}`, !p.active, `${p.name} is ${p.active ? "archived: no new sales" : "on sale again"}.`)}>
                ${p.active ? "Archive" : "Put back on sale"}
              </button></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
    <h2>New product</h2>
    <form id="new-product" onSubmit=${create}>
      <label>Name <input name="name" required maxlength="200" /></label>
      <${PriceFields} />
      <button type="submit">Create the product</button>
    </form>
    ${products?.length > 0 &&
    html`<h2>Add a price</h2>
      <p class="help">A price never changes: to charge another amount, add a price and archive the old one. Subscriptions on an archived price keep it.</p>
      <form id="new-price" onSubmit=${addPrice}>
        <label>Product <select name="productId" required>
          ${products.map((p) => html`<option key=${p.id} value=${p.id}>${p.name}${p.active ? "" : " (archived)"}</option>`)}
        </select></label>
        <${PriceFields} />
        <button type="submit">Add the price</button>
      </form>`}`;
}

// PriceFields are the fields of a new price, read by priceFrom.
function PriceFields() {
  return html`
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
    <label>Trial days <input name="trialDays" type="number" min="0" inputmode="numeric" /></label>`;
}

function priceFrom(form) {
  const currency = form.get("currency").toUpperCase();
  const price = { amount: minorUnits(form.get("amount"), currency), currency, type: form.get("type") };
  if (price.type === "recurring") {
    price.interval = form.get("interval");
    if (form.get("trialDays")) price.trialDays = Number(form.get("trialDays"));
  }
  return price;
}

// describe is a price as a person reads it: "$30.00 a month".
function describe(price) {
  const amount = money(price.amount, price.currency);
  if (!price.interval) return `${amount} once`;
  return price.intervalCount > 1 ? `${amount} every ${price.intervalCount} ${price.interval}s` : `${amount} a ${price.interval}`;
}
