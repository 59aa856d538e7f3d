import { Alert, ApiError, api, html, money, useAction, useLoad, when } from "../ui.js";
import { useEvents } from "../live.js";

// MySubscriptions is what a customer has (GET /v1/subscriptions), with
// each one's upcoming invoice and a way to cancel at the period's end,
// kept current by the live event stream.
export function MySubscriptions() {
  const [subs, error, reload] = useLoad(async () => {
    const list = (await api("GET", "/v1/subscriptions?limit=200")).results;
    return Promise.all(list.map(async (s) => ({ ...s, upcoming: await upcoming(s.id) })));
  });
  const [done, run] = useAction(reload);
  useEvents(["subscription.", "invoice."], reload);
  const cancel = (s) => run(() => api("POST", `/v1/subscriptions/${s.id}/cancel`, { atPeriodEnd: true }), "");
  return html`
    <h1>My subscriptions</h1>
    <${Alert} error=${error || done.error} />
    ${subs && subs.length === 0 && html`<p class="muted">You have no subscriptions.</p>`}
    ${subs &&
    subs.map(
      (s) => html`<section class="card" key=${s.id} data-subscription=${s.id}>
        <h2>${money(s.amount, s.currency)} <span class="muted">× ${s.quantity}</span></h2>
        <p class="sub-state">${s.status}${s.cancelAtPeriodEnd ? `: ends on ${when(s.currentPeriodEnd)}` : ""}</p>
        ${s.upcoming
          ? html`<p>Next invoice: ${money(s.upcoming.amountDue, s.upcoming.currency)} on ${when(s.upcoming.dueAt)}</p>`
          : html`<p class="muted">No invoice is coming.</p>`}
        ${["active", "trialing", "past_due"].includes(s.status) && !s.cancelAtPeriodEnd
          ? html`<button class="secondary" onClick=${() => cancel(s)}>Cancel at the end of the period</button>`
          : ""}
      </section>`,
    )}`;
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
