import { Alert, api, html, money, useAction, useKey, useLoad, when } from "../ui.js";
import { useEvents } from "../live.js";
import { InvoiceTable } from "./payments.js";
import { SubscriptionTable } from "./subscriptions.js";

// Customer is one of the business's customers: its payment methods (save
// one, remove one), its subscriptions and its invoices, kept up to date by
// the live event stream.
export function Customer({ param: id }) {
  const [data, error, reload] = useLoad(async () => {
    const [customer, methods, accounts, subs, invoices, products, clocks] = await Promise.all([
      api("GET", `/v1/clients/${id}`),
      api("GET", `/v1/customers/${id}/payment-methods`),
      api("GET", "/v1/gateway-accounts?limit=200"),
      api("GET", `/v1/subscriptions?customerId=${id}&limit=200`),
      api("GET", `/v1/invoices?customerId=${id}&limit=200`),
      api("GET", "/v1/products?limit=200"),
      api("GET", "/v1/test-clocks?limit=200"),
    ]);
    return {
      customer: customer.result, methods: methods.results, accounts: accounts.results, subs: subs.results, invoices: invoices.results,
      products: products.results, clocks: clocks.results,
    };
  }, [id]);
  useEvents(["subscription.", "invoice."], (e) => e.customerId === id && reload());
  if (error) return html`<${Alert} error=${error} />`;
  if (!data) return html`<p class="loading">Loading…</p>`;
  const { customer, methods, accounts, subs, invoices, products, clocks } = data;
  return html`
    <p><a href="#/customers">← Customers</a></p>
    <h1>${customer.login}</h1>
    <dl class="facts">
      <dt>Email</dt><dd>${customer.email || "—"}</dd>
      <dt>Since</dt><dd>${when(customer.createdAt)}</dd>
      <dt>Last login</dt><dd>${when(customer.lastLoginAt)}</dd>
      <dt>Status</dt><dd>${customer.disabled ? "disabled" : "active"}</dd>
    </dl>
    <h2>Payment methods</h2>
    <${PaymentMethods} customer=${customer} methods=${methods} accounts=${accounts} onChange=${reload} />
    <h2>Subscriptions</h2>
    <${SubscriptionTable} subs=${subs} />
    <${NewSubscription} customer=${customer} products=${products} methods=${methods} clocks=${clocks} onMade=${reload} />
    <h2>Invoices</h2>
    ${invoices.length === 0 ? html`<p class="muted">No invoices yet.</p>` : html`<${InvoiceTable} id="invoices" invoices=${invoices} />`}`;
}

// NewSubscription subscribes the customer to one of the business's active
// recurring prices, on a test clock if one is chosen, paying with a saved
// method or a sandbox token (POST /v1/subscriptions, one key per form).
function NewSubscription({ customer, products, methods, clocks, onMade }) {
  const [key, renew] = useKey();
  const [done, run] = useAction(onMade);
  const prices = products
    .filter((p) => p.active)
    .flatMap((p) => p.prices.filter((pr) => pr.active && pr.type === "recurring").map((pr) => ({ ...pr, product: p.name })));
  async function subscribe(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const pay = form.get("pay");
    const body = { priceId: form.get("priceId"), customerId: customer.id };
    if (form.get("testClockId")) body.testClockId = form.get("testClockId");
    if (pay.startsWith("token:")) body.paymentMethod = { gateway: "sandbox", token: pay.slice(6) };
    else body.paymentMethodId = pay;
    const made = () => api("POST", "/v1/subscriptions", body, key).then((r) => r.result);
    if (await run(made, (sub) => `${customer.login} is subscribed: ${sub.status}.`)) renew();
  }
  return html`<form id="new-subscription" onSubmit=${subscribe} onInput=${renew}>
    <h3>Subscribe ${customer.login}</h3>
    <${Alert} error=${done.error} notice=${done.notice} />
    <label>Price <select name="priceId" required>
      ${prices.map((p) => html`<option key=${p.id} value=${p.id}>${p.product}: ${money(p.amount, p.currency)} every ${p.intervalCount > 1 ? `${p.intervalCount} ${p.interval}s` : p.interval}</option>`)}
    </select></label>
    <label>Test clock <select name="testClockId">
      <option value="">none: real time</option>
      ${clocks.map((c) => html`<option key=${c.id} value=${c.id}>${c.name} (at ${when(c.frozenTime)})</option>`)}
    </select></label>
    <label>Pay with <select name="pay">
      ${methods.map((m) => html`<option key=${m.id} value=${m.id}>${m.gateway}: ${m.token}</option>`)}
      ${sandboxTokens.map((t) => html`<option key=${t} value=${"token:" + t}>sandbox: ${t}</option>`)}
    </select></label>
    <button type="submit" disabled=${done.busy || prices.length === 0}>Subscribe</button>
  </form>`;
}

// PaymentMethods are a customer's saved ways to pay, to remove, and a form
// for another: the business's view of its customer, and the customer's own
// (without gateway accounts, which only the business lists).
export function PaymentMethods({ customer, methods, accounts, onChange }) {
  const [done, run] = useAction(onChange);
  const account = (pm) => accounts.find((a) => a.id === pm.gatewayAccountId);
  return html`
    <${Alert} error=${done.error} notice=${done.notice} />
    ${methods.length === 0
      ? html`<p class="muted">No saved payment methods.</p>`
      : html`<div class="table">
          <table id="payment-methods">
            <thead><tr><th scope="col">Gateway</th><th scope="col">Token</th><th scope="col">Saved</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              ${methods.map(
                (pm) => html`<tr key=${pm.id} data-method=${pm.id}>
                  <td>${pm.gateway}${account(pm) ? ` (${account(pm).name || account(pm).mode})` : ""}</td>
                  <td><code>${pm.token}</code></td>
                  <td>${when(pm.createdAt)}</td>
                  <td><button class="secondary danger" aria-label=${`Remove ${pm.gateway} ${pm.token}`}
                    onClick=${() => run(() => api("DELETE", `/v1/customers/${customer.id}/payment-methods/${pm.id}`), `${pm.token} is removed.`)}>Remove</button></td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`}
    <p class="help">Subscriptions and payments that charge a removed method are declined at their next attempt, until they are given another.</p>
    <${NewPaymentMethod} customer=${customer} accounts=${accounts} onSaved=${onChange} />`;
}

// NewPaymentMethod saves a token a gateway issued as one of the customer's
// payment methods: the sandbox's, or one of a gateway account the
// business connected (which checks it with the gateway first).
function NewPaymentMethod({ customer, accounts, onSaved }) {
  const [key, renew] = useKey();
  const [done, run] = useAction(onSaved);
  async function save(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const via = form.get("via");
    const body = via === "sandbox" ? { gateway: "sandbox" } : { gatewayAccountId: via };
    body.token = form.get("token").trim();
    const saved = () => api("POST", `/v1/customers/${customer.id}/payment-methods`, body, key).then((r) => r.result);
    if (await run(saved, (pm) => `${customer.login} can pay with ${pm.token}.`)) {
      renew();
      event.target.reset();
    }
  }
  return html`<form id="new-payment-method" onSubmit=${save} onInput=${renew}>
    <h3>Save a payment method</h3>
    <${Alert} error=${done.error} notice=${done.notice} />
    <label>Gateway <select name="via">
      <option value="sandbox">sandbox (moves no money)</option>
      ${accounts.map((a) => html`<option key=${a.id} value=${a.id}>${a.gateway}: ${a.name || a.id.slice(-12)} (${a.mode})</option>`)}
    </select></label>
    <label>Token <input name="token" required maxlength="255" autocomplete="off" spellcheck="false" list="sandbox-tokens" aria-describedby="token-help" /></label>
    <datalist id="sandbox-tokens">
      ${sandboxTokens.map((t) => html`<option key=${t} value=${t} />`)}
    </datalist>
    <p class="help" id="token-help">The token the gateway issued for the card or wallet. The sandbox's: sandbox_ok pays, sandbox_decline and sandbox_insufficient_funds decline, sandbox_async waits for approval, sandbox_decline_after_N pays N times.</p>
    <button type="submit" disabled=${done.busy}>Save the payment method</button>
  </form>`;
}

const sandboxTokens = ["sandbox_ok", "sandbox_decline", "sandbox_insufficient_funds", "sandbox_async", "sandbox_flaky", "sandbox_decline_after_1"];
