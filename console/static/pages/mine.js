import { Alert, ApiError, api, html, money, newKey, useAction, useKey, useLoad, when } from "../ui.js";
import { useEvents } from "../live.js";
import { PaymentMethods } from "./customer.js";
import { ChangePrice } from "./plan.js";

// MySubscriptions is what a customer has: its subscriptions (GET
// /v1/subscriptions), each with its upcoming invoice, a cancel at the
// period's end or taking it back, and a change of plan previewed before
// it is made; and its purchases (GET /v1/entitlements). The live event
// stream keeps it current.
export function MySubscriptions() {
  const [data, error, reload] = useLoad(async () => {
    const [list, entitlements, catalog] = await Promise.all([
      api("GET", "/v1/subscriptions?limit=200").then((r) => r.results),
      api("GET", "/v1/entitlements").then((r) => r.results),
      api("GET", "/v1/products?limit=200").then((r) => r.results),
    ]);
    const subs = await Promise.all(list.map(async (s) => ({ ...s, upcoming: await upcoming(s.id) })));
    return { subs, purchases: entitlements.filter((e) => e.kind === "purchase"), names: priceNames(catalog) };
  });
  const [done, run] = useAction(reload);
  useEvents(["subscription.", "invoice.", "payment."], reload);
  const change = (s, what, body, notice) => run(() => api("POST", `/v1/subscriptions/${s.id}/${what}`, body, newKey()), notice);
  if (!data) return html`<h1>My subscriptions</h1><${Alert} error=${error} />`;
  const { subs, purchases, names } = data;
  return html`
    <h1>My subscriptions</h1>
    <${Alert} error=${error || done.error} notice=${done.notice} />
    ${subs.length === 0 && html`<p class="muted">You have no subscriptions. <a href="#/shop">See what is on sale.</a></p>`}
    ${subs.map(
      (s) => html`<section class="card" key=${s.id} data-subscription=${s.id}>
        <h2>${names.get(s.priceId) || "Subscription"}: ${money(s.amount, s.currency)} <span class="muted">× ${s.quantity}</span></h2>
        <p class="sub-state">${s.status}${s.cancelAtPeriodEnd ? `: ends on ${when(s.currentPeriodEnd)}` : ""}</p>
        ${s.upcoming
          ? html`<p>Next invoice: ${money(s.upcoming.amountDue, s.upcoming.currency)} on ${when(s.upcoming.dueAt)}</p>`
          : html`<p class="muted">No invoice is coming.</p>`}
        <div class="actions">
          ${["active", "trialing", "past_due"].includes(s.status) && !s.cancelAtPeriodEnd &&
          html`<button class="secondary cancel" onClick=${() => change(s, "cancel", { atPeriodEnd: true }, "It ends at the end of its period.")}>Cancel at the end of the period</button>`}
          ${s.cancelAtPeriodEnd && !["canceled", "expired"].includes(s.status) &&
          html`<button class="secondary reactivate" onClick=${() => change(s, "reactivate", undefined, "It renews again.")}>Keep my subscription</button>`}
        </div>
        ${["active", "trialing"].includes(s.status) &&
        html`<details class="change-plan"><summary>Change my plan</summary><${ChangePrice} sub=${s} onChanged=${reload} /></details>`}
      </section>`,
    )}
    <h2>My purchases</h2>
    ${purchases.length === 0
      ? html`<p class="muted">No purchases yet.</p>`
      : html`<ul id="purchases">${purchases.map((p) => html`<li key=${p.paymentId}>${names.get(p.priceId) || p.priceId}: ${p.status}</li>`)}</ul>`}`;
}

// priceNames names each price of a catalog after its product.
function priceNames(products) {
  return new Map(products.flatMap((p) => p.prices.map((pr) => [pr.id, p.name])));
}

// Shop is the business's active catalog, for its customer: subscribe to a
// recurring price or buy a one-time one, paying with a saved payment
// method or a sandbox token, under one idempotency key per form.
export function Shop({ me }) {
  const [data, error] = useLoad(async () => {
    const [products, methods] = await Promise.all([
      api("GET", "/v1/products?limit=200").then((r) => r.results.filter((p) => p.active)),
      api("GET", `/v1/customers/${me.client.id}/payment-methods`).then((r) => r.results),
    ]);
    return { products, methods };
  });
  if (!data) return html`<h1>Shop</h1><${Alert} error=${error} />`;
  return html`
    <h1>Shop</h1>
    ${data.products.length === 0 && html`<p class="muted">Nothing is on sale.</p>`}
    ${data.products.map(
      (p) => html`<section class="card" key=${p.id} data-product=${p.name}>
        <h2>${p.name}</h2>
        ${p.description && html`<p>${p.description}</p>`}
        ${p.prices.filter((pr) => pr.active).map((pr) => html`<${Offer} key=${pr.id} price=${pr} methods=${data.methods} />`)}
      </section>`,
    )}`;
}

// Offer is one price and the form that takes it.
function Offer({ price, methods }) {
  const [key, renew] = useKey();
  const [done, run] = useAction();
  const recurring = price.type === "recurring";
  async function take(event) {
    event.preventDefault();
    const pay = new FormData(event.target).get("pay");
    const body = { priceId: price.id, ...(pay.startsWith("token:") ? { paymentMethod: { gateway: "sandbox", token: pay.slice(6) } } : { paymentMethodId: pay }) };
    const made = () => api("POST", recurring ? "/v1/subscriptions" : "/v1/purchases", body, key).then((r) => r.result);
    if (await run(made, (r) => (recurring ? `Subscribed: it is ${r.status}.` : `Bought: the payment is ${r.status}.`))) renew();
  }
  const label = `${money(price.amount, price.currency)}${recurring ? ` every ${price.intervalCount > 1 ? `${price.intervalCount} ${price.interval}s` : price.interval}` : " once"}${price.trialDays ? `, ${price.trialDays} days free` : ""}`;
  return html`<form class="offer" data-price=${price.id} onSubmit=${take} onInput=${renew}>
    <p><strong>${label}</strong></p>
    <${Alert} error=${done.error} notice=${done.notice} />
    <label>Pay with <select name="pay">
      ${methods.map((m) => html`<option key=${m.id} value=${m.id}>${m.gateway}: ${m.token}</option>`)}
      <option value="token:sandbox_ok">a sandbox card that pays</option>
      <option value="token:sandbox_async">a sandbox payment to approve</option>
    </select></label>
    <button type="submit" disabled=${done.busy}>${recurring ? "Subscribe" : "Buy"}</button>
  </form>`;
}

// MyPaymentMethods are the customer's own saved ways to pay.
export function MyPaymentMethods({ me }) {
  const [methods, error, reload] = useLoad(() => api("GET", `/v1/customers/${me.client.id}/payment-methods`).then((r) => r.results));
  return html`
    <h1>My payment methods</h1>
    <${Alert} error=${error} />
    ${methods && html`<${PaymentMethods} customer=${me.client} methods=${methods} accounts=${[]} onChange=${reload} />`}`;
}

// upcoming is a subscription's next invoice, or null when none is coming.
async function upcoming(id) {
  try {
    return (await api("GET", `/v1/subscriptions/${id}/upcoming-invoice`)).result;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

// MyInvoices are a customer's invoices (GET /v1/invoices).
export function MyInvoices() {
  const [invoices, error, reload] = useLoad(() => api("GET", "/v1/invoices?limit=200").then((r) => r.results));
  useEvents(["invoice."], reload);
  return html`
    <h1>My invoices</h1>
    <${Alert} error=${error} />
    ${invoices &&
    html`<div class="table">
      <table id="invoices">
        <thead><tr><th scope="col">Issued</th><th scope="col">Status</th><th scope="col">Total</th><th scope="col">Period</th><th scope="col">Paid</th></tr></thead>
        <tbody>
          ${invoices.map(
            (i) => html`<tr key=${i.id}>
              <td>${when(i.createdAt)}</td>
              <td>${i.status}</td>
              <td>${money(i.total, i.currency)}</td>
              <td>${i.periodStart ? `${when(i.periodStart)} to ${when(i.periodEnd)}` : "—"}</td>
              <td>${when(i.paidAt)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}`;
}
