import { Alert, api, html, money, newKey, useAction, useLoad, useState, when } from "../ui.js";

// ChangePrice moves a subscription to another recurring price of its
// business in its currency. The reader picks the price and the proration,
// sees what the change would invoice (GET …/price-change-preview), and
// only then confirms it (POST …/change-price), under one idempotency key
// per preview: a second click is the same change.
export function ChangePrice({ sub, onChanged }) {
  const [prices, loadError] = useLoad(() => api("GET", "/v1/products?limit=200").then((r) => r.results.flatMap(pricesFor(sub))), [sub.id, sub.priceId]);
  const [preview, setPreview] = useState(null);
  const [done, run] = useAction(onChanged);
  function previewChange(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const choice = { priceId: form.get("priceId"), proration: form.get("proration") };
    const query = new URLSearchParams(choice).toString();
    run(async () => {
      setPreview(null);
      const r = await api("GET", `/v1/subscriptions/${sub.id}/price-change-preview?${query}`);
      setPreview({ choice, result: r.result, key: newKey() });
    }, "");
  }
  async function confirm() {
    if (await run(() => api("POST", `/v1/subscriptions/${sub.id}/change-price`, preview.choice, preview.key), "The subscription is on its new price.")) {
      setPreview(null);
    }
  }
  if (prices && prices.length === 0) return html`<p class="muted">No other recurring price in ${sub.currency} to move to.</p>`;
  return html`
    <${Alert} error=${loadError || done.error} notice=${done.notice} />
    ${prices &&
    html`<form id="change-price" onSubmit=${previewChange} onChange=${() => setPreview(null)}>
      <label>New price
        <select name="priceId" required>
          ${prices.map((p) => html`<option key=${p.id} value=${p.id}>${p.product}: ${money(p.amount, p.currency)} every ${every(p)}</option>`)}
        </select>
      </label>
      <label>Proration
        <select name="proration">
          <option value="create_prorations">Credit and charge the difference on the next invoice</option>
          <option value="always_invoice">Invoice the difference now</option>
          <option value="none">No proration: the new price from the next period</option>
        </select>
      </label>
      <button class="secondary" type="submit">Preview the change</button>
    </form>`}
    ${preview &&
    html`<section id="price-preview" aria-label="What the change would invoice">
      <p class="muted">Computed for ${when(preview.result.prorationDate)}.</p>
      <${InvoicePreview} id="invoiced-now" title="Invoiced now" invoice=${preview.result.invoicedNow} />
      <${InvoicePreview} id="next-invoice" title="Next invoice" invoice=${preview.result.upcomingInvoice} />
      <button onClick=${confirm}>Confirm the change</button>
    </section>`}`;
}

// pricesFor keeps a product's prices sub could move to.
const pricesFor = (sub) => (product) =>
  product.active
    ? product.prices
        .filter((p) => p.active && p.type === "recurring" && p.currency === sub.currency && p.id !== sub.priceId)
        .map((p) => ({ ...p, product: product.name }))
    : [];

function every(price) {
  return price.intervalCount > 1 ? `${price.intervalCount} ${price.interval}s` : price.interval;
}

// InvoicePreview shows an invoice to come, line by line; nothing when
// there is none.
export function InvoicePreview({ id, title, invoice }) {
  if (!invoice) return null;
  const m = (amount) => money(amount, invoice.currency);
  return html`<div class="table" id=${id}>
    <table>
      <caption>${title}, due ${when(invoice.dueAt)}</caption>
      <thead><tr><th scope="col">Line</th><th scope="col">Period</th><th scope="col" class="num">Amount</th></tr></thead>
      <tbody>
        ${invoice.lines.map(
          (l, i) => html`<tr key=${i}>
            <td>${l.description}</td>
            <td>${l.periodStart ? `${when(l.periodStart)} to ${when(l.periodEnd)}` : "—"}</td>
            <td class="num">${m(l.amount.amount)}</td>
          </tr>`,
        )}
      </tbody>
      <tfoot>
        <tr><th scope="row" colspan="2">Total</th><td class="num">${m(invoice.total)}</td></tr>
        ${invoice.creditApplied > 0 && html`<tr><th scope="row" colspan="2">Paid from credit</th><td class="num">${m(-invoice.creditApplied)}</td></tr>`}
        <tr><th scope="row" colspan="2">Amount due</th><td class="num amount-due">${m(invoice.amountDue)}</td></tr>
      </tfoot>
    </table>
  </div>`;
}
