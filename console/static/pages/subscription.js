import { Alert, api, html, money, newKey, useAction, useLoad, when } from "../ui.js";
import { useEvents } from "../live.js";
import { InvoiceTable, PaymentTable } from "./payments.js";
import { ChangePrice } from "./plan.js";

// Subscription is one subscription: its state, the timeline of its
// events, its invoices, and its payments with their attempts, kept up to
// date by the live event stream. A
// link opens its workflow in the Temporal UI when billgate knows where
// that is.
export function Subscription({ param: id }) {
  const [data, error, reload] = useLoad(async () => {
    const [sub, events, invoices, payments, workflow] = await Promise.all([
      api("GET", `/v1/subscriptions/${id}`),
      api("GET", `/v1/events?objectId=${id}&limit=200`),
      api("GET", `/v1/invoices?subscriptionId=${id}&limit=200`),
      api("GET", `/v1/payments?subscriptionId=${id}&limit=200`),
      api("GET", `/v1/subscriptions/${id}/workflow`),
    ]);
    return { sub: sub.result, events: events.results, invoices: invoices.results, payments: payments.results, workflow: workflow.result };
  }, [id]);
  useEvents(["subscription.", "invoice.", "payment."], (e) => (e.objectId === id || e.data?.object?.subscriptionId === id) && reload());
  const [done, run] = useAction(reload);
  const change = (what, body, notice) => run(() => api("POST", `/v1/subscriptions/${id}/${what}`, body, newKey()), notice);
  if (error) return html`<${Alert} error=${error} />`;
  if (!data) return html`<p class="loading">Loading…</p>`;
  const { sub, events, invoices, payments, workflow } = data;
  return html`
    <p><a href="#/subscriptions">← Subscriptions</a></p>
    <h1>Subscription <span class="muted">${sub.id}</span></h1>
    <dl class="facts">
      <dt>Status</dt><dd id="sub-status">${sub.status}${sub.cancelAtPeriodEnd ? " (ends at period end)" : ""}</dd>
      <dt>Amount</dt><dd>${money(sub.amount, sub.currency)} × ${sub.quantity}</dd>
      <dt>Period</dt><dd>${when(sub.currentPeriodStart)} to ${when(sub.currentPeriodEnd)}</dd>
      <dt>Trial ends</dt><dd>${when(sub.trialEnd)}</dd>
      <dt>Customer</dt><dd>${sub.customerId}</dd>
      <dt>Gateway</dt><dd>${sub.gateway}</dd>
      <dt>Test clock</dt><dd>${sub.testClockId || "none"}</dd>
      <dt>Workflow</dt>
      <dd>${workflow.url ? html`<a id="temporal-link" href=${workflow.url} target="_blank" rel="noopener">${workflow.workflowId} in the Temporal UI</a>` : workflow.workflowId}</dd>
    </dl>
    <h2>Actions</h2>
    <${Alert} error=${done.error} notice=${done.notice} />
    <div class="actions" id="sub-actions">
      ${sub.status === "active" && html`<button class="secondary" onClick=${() => change("pause", undefined, "Paused: invoicing has stopped.")}>Pause</button>`}
      ${sub.status === "paused" && html`<button class="secondary" onClick=${() => change("resume", undefined, "Resumed: a new period starts now.")}>Resume</button>`}
      ${cancels.includes(sub.status) &&
      !sub.cancelAtPeriodEnd &&
      html`<button class="secondary" onClick=${() => change("cancel", { atPeriodEnd: true }, "It ends at the end of its period.")}>Cancel at period end</button>`}
      ${[...cancels, "paused", "pending"].includes(sub.status) &&
      html`<button class="secondary danger" onClick=${() => change("cancel", { atPeriodEnd: false }, "Canceled now.")}>Cancel now</button>`}
    </div>
    ${["active", "trialing"].includes(sub.status) && html`<h2>Change price</h2><${ChangePrice} sub=${sub} onChanged=${reload} />`}
    <h2>Timeline</h2>
    <ol class="timeline" id="timeline">
      ${events.map((e) => html`<li key=${e.id}><time datetime=${e.createdAt}>${when(e.createdAt)}</time> ${e.type}</li>`)}
    </ol>
    <h2>Invoices</h2>
    ${invoices.length ? html`<${InvoiceTable} id="invoices" invoices=${invoices} />` : html`<p class="muted">No invoices yet.</p>`}
    <h2>Payments and their attempts</h2>
    ${payments.length ? html`<${PaymentTable} payments=${payments} />` : html`<p class="muted">No payments yet.</p>`}`;
}

// cancels are the statuses a subscription can be set to cancel from.
const cancels = ["active", "trialing", "past_due"];
