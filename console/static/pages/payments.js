import { Alert, StatusFilter, api, html, minorUnits, money, useAction, useKey, useLoad, useState, when } from "../ui.js";
import { useEvents } from "../live.js";

// Payments are a business's invoices (GET /v1/invoices) and payments (GET
// /v1/payments) with each payment's attempts, each list filtered by
// status, kept up to date by the live event stream.
export function Payments() {
  const [customers] = useLoad(() => api("GET", "/v1/clients?limit=200").then((r) => new Map(r.results.map((c) => [c.id, c.login]))));
  const name = (id) => customers?.get(id) || id.slice(-12);
  return html`
    <h1>Invoices and payments</h1>
    <${Filtered} title="Invoices" id="invoices" path="/v1/invoices" statuses=${invoiceStatuses} events=${["invoice."]}
      view=${(invoices) => html`<${InvoiceTable} id="invoices" invoices=${invoices} name=${name} />`} />
    <${Filtered} title="Payments" id="payments" path="/v1/payments" statuses=${paymentStatuses} events=${["payment.", "refund."]}
      view=${(payments) => html`<${PaymentTable} payments=${payments} name=${name} />`} />`;
}

const invoiceStatuses = ["draft", "open", "paid", "void", "uncollectible"];
const paymentStatuses = ["pending", "retrying", "paid", "expired", "failed", "canceled"];

// Filtered is a section listing path's first 200, filtered by status.
function Filtered({ title, id, path, statuses, events, view }) {
  const [status, setStatus] = useState("");
  const [list, error, reload] = useLoad(() => api("GET", `${path}?limit=200${status ? `&status=${status}` : ""}`).then((r) => r.results), [status]);
  useEvents(events, reload);
  return html`<section aria-labelledby=${id + "-title"}>
    <h2 id=${id + "-title"}>${title}</h2>
    <${StatusFilter} id=${id + "-filter"} statuses=${statuses} onFilter=${setStatus} />
    <${Alert} error=${error} />
    ${list && (list.length ? view(list) : html`<p class="muted">None${status ? ` ${status.replace("_", " ")}` : ""}.</p>`)}
  </section>`;
}

// InvoiceTable lists invoices, with their customer when name is given.
export function InvoiceTable({ id, invoices, name }) {
  return html`<div class="table">
    <table id=${id}>
      <thead><tr>
        <th scope="col">Invoice</th>${name && html`<th scope="col">Customer</th>`}<th scope="col">Status</th>
        <th scope="col" class="num">Total</th><th scope="col" class="num">Due</th><th scope="col" class="num">Credited</th>
        <th scope="col">Period</th><th scope="col">Paid</th><th scope="col">Payment</th>
      </tr></thead>
      <tbody>
        ${invoices.map(
          (i) => html`<tr key=${i.id} data-status=${i.status}>
            <td>${i.id.slice(-12)}</td>
            ${name && html`<td>${name(i.customerId)}</td>`}
            <td>${i.status}</td>
            <td class="num">${money(i.total, i.currency)}</td>
            <td class="num">${money(i.amountDue, i.currency)}</td>
            <td class="num">${i.amountCredited ? money(i.amountCredited, i.currency) : "—"}</td>
            <td>${i.periodStart ? `${when(i.periodStart)} to ${when(i.periodEnd)}` : "—"}</td>
            <td>${when(i.paidAt)}</td>
            <td>${i.paymentId ? html`<a href=${"#/payment/" + i.paymentId}>${i.paymentId.slice(-12)}</a>` : "—"}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

// PaymentTable lists payments with their attempts, with their customer
// when name is given.
export function PaymentTable({ payments, name }) {
  return html`<div class="table">
    <table id="payments">
      <thead><tr>
        <th scope="col">Payment</th>${name && html`<th scope="col">Customer</th>`}<th scope="col">Status</th><th scope="col" class="num">Amount</th>
        <th scope="col" class="num">Refunded</th><th scope="col">Attempts</th><th scope="col">Created</th>
      </tr></thead>
      <tbody>
        ${payments.map(
          (p) => html`<tr key=${p.id} data-payment=${p.id} data-status=${p.status}>
            <td><a href=${"#/payment/" + p.id}>${p.id.slice(-12)}</a></td>
            ${name && html`<td>${name(p.customerId)}</td>`}
            <td>${p.status}${p.disputedAt ? " (disputed)" : ""}</td>
            <td class="num">${money(p.amount, p.currency)}</td>
            <td class="num">${p.amountRefunded ? money(p.amountRefunded, p.currency) : "—"}</td>
            <td><ol class="plain attempts">
              ${p.attempts.map(
                (a) => html`<li key=${a.number}>${a.status}${a.declineCode ? html` <code>${a.declineCode}</code>` : ""} <time datetime=${a.at} class="muted">${when(a.at)}</time></li>`,
              )}
            </ol></td>
            <td>${when(p.createdAt)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

// Payment is one payment: its attempts, its refunds (GET
// /v1/refunds?paymentId=) and a form to refund it, kept up to date by the
// live event stream.
export function Payment({ param: id }) {
  const [data, error, reload] = useLoad(async () => {
    const [payment, refunds] = await Promise.all([api("GET", `/v1/payments/${id}`), api("GET", `/v1/refunds?paymentId=${id}&limit=200`)]);
    return { payment: payment.result, refunds: refunds.results };
  }, [id]);
  useEvents(["payment.", "refund."], (e) => (e.objectId === id || e.data?.object?.paymentId === id) && reload());
  if (error) return html`<${Alert} error=${error} />`;
  if (!data) return html`<p class="loading">Loading…</p>`;
  const { payment: p, refunds } = data;
  const m = (amount) => money(amount, p.currency);
  return html`
    <p><a href="#/payments">← Invoices and payments</a></p>
    <h1>Payment <span class="muted">${p.id}</span></h1>
    <dl class="facts">
      <dt>Status</dt><dd id="payment-status">${p.status}</dd>
      <dt>Amount</dt><dd>${m(p.amount)}</dd>
      <dt>Refunded</dt><dd id="payment-refunded">${m(p.amountRefunded || 0)}</dd>
      <dt>Customer</dt><dd><a href=${"#/customer/" + p.customerId}>${p.customerId}</a></dd>
      <dt>Subscription</dt><dd>${p.subscriptionId ? html`<a href=${"#/subscription/" + p.subscriptionId}>${p.subscriptionId}</a>` : "none: a purchase"}</dd>
      <dt>Gateway</dt><dd>${p.gateway}</dd>
      <dt>Paid</dt><dd>${when(p.paidAt)}</dd>
      ${p.declineCode && html`<dt>Last decline</dt><dd><code>${p.declineCode}</code></dd>`}
      ${p.nextAttemptAt && html`<dt>Next attempt</dt><dd>${when(p.nextAttemptAt)}</dd>`}
      ${p.disputedAt && html`<dt>Disputed</dt><dd>${when(p.disputedAt)}</dd>`}
    </dl>
    <h2>Attempts</h2>
    <div class="table">
      <table id="attempts">
        <thead><tr><th scope="col">#</th><th scope="col">Status</th><th scope="col">Decline code</th><th scope="col">Gateway reference</th><th scope="col">When</th></tr></thead>
        <tbody>
          ${p.attempts.map(
            (a) => html`<tr key=${a.number}>
              <td>${a.number}</td>
              <td>${a.status}</td>
              <td>${a.declineCode ? html`<code>${a.declineCode}</code>` : "—"}</td>
              <td><code>${a.reference || "—"}</code></td>
              <td>${when(a.at)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <h2>Refunds</h2>
    ${refunds.length === 0
      ? html`<p class="muted">No refunds.</p>`
      : html`<div class="table">
          <table id="refunds">
            <thead><tr><th scope="col">Asked</th><th scope="col" class="num">Amount</th><th scope="col">Reason</th><th scope="col">Status</th><th scope="col">Made</th></tr></thead>
            <tbody>
              ${refunds.map(
                (r) => html`<tr key=${r.id} data-status=${r.status}>
                  <td>${when(r.createdAt)}</td>
                  <td class="num">${m(r.amount)}</td>
                  <td>${r.reason ? r.reason.replaceAll("_", " ") : "—"}</td>
                  <td>${r.status}${r.failureReason ? `: ${r.failureReason}` : ""}</td>
                  <td>${r.origin === "gateway" ? "at the gateway" : "here"}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`}
    <${RefundForm} payment=${p} onDone=${reload} />`;
}

// RefundForm refunds some or all of what is left of a paid payment (POST
// /v1/refunds), under one idempotency key for as long as the form is
// unchanged: a second click, or a retry after no answer, is the same refund.
// What came of the last refund stays when nothing is left to refund.
function RefundForm({ payment, onDone }) {
  const [key, renew] = useKey();
  const [done, run] = useAction(onDone);
  const left = payment.amount - (payment.amountRefunded || 0);
  async function refund(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { paymentId: payment.id };
    if (form.get("amount").trim()) body.amount = minorUnits(form.get("amount"), payment.currency);
    if (form.get("reason")) body.reason = form.get("reason");
    if (await run(() => api("POST", "/v1/refunds", body, key).then((r) => r.result), refunded)) {
      renew();
      event.target.reset();
    }
  }
  const refundable = payment.status === "paid" && left > 0;
  if (!refundable && !done.notice) return null;
  return html`<section id="refund" aria-labelledby="refund-title">
    <h2 id="refund-title">Refund</h2>
    <${Alert} error=${done.error} notice=${done.notice} />
    ${refundable &&
    html`<form id="refund-form" onSubmit=${refund} onInput=${renew}>
      <label>Amount <input name="amount" inputmode="decimal" pattern="[0-9]+([.][0-9]+)?" aria-describedby="refund-help" /></label>
      <p class="help" id="refund-help">At most ${money(left, payment.currency)}; empty refunds all of it.</p>
      <label>Reason <select name="reason">
        <option value="">None given</option>
        <option value="requested_by_customer">requested by the customer</option>
        <option value="duplicate">duplicate</option>
        <option value="fraudulent">fraudulent</option>
      </select></label>
      <button type="submit" disabled=${done.busy}>Refund</button>
    </form>`}
  </section>`;
}

function refunded(r) {
  const amount = money(r.amount, r.currency);
  if (r.status === "succeeded") return `Refunded ${amount}.`;
  if (r.status === "failed") return `The gateway refused to refund ${amount}: ${r.failureReason}`;
  return `The refund of ${amount} is pending at the gateway; it shows here when it settles.`;
}
