import { Alert, StatusFilter, api, html, money, useLoad, useState, when } from "../ui.js";
import { useEvents } from "../live.js";

// Subscriptions lists the business's subscriptions (GET /v1/subscriptions),
// filtered by status, kept up to date by the live event stream.
export function Subscriptions() {
  const [status, setStatus] = useState("");
  const [subs, error, reload] = useLoad(() => api("GET", `/v1/subscriptions?limit=200${status ? `&status=${status}` : ""}`).then((r) => r.results), [status]);
  useEvents(["subscription."], reload);
  return html`
    <h1>Subscriptions</h1>
    <${StatusFilter} id="subscriptions-filter" statuses=${statuses} onFilter=${setStatus} />
    <${Alert} error=${error} />
    ${subs && html`<${SubscriptionTable} subs=${subs} />`}`;
}

const statuses = ["pending", "trialing", "active", "past_due", "paused", "canceled", "expired"];

// SubscriptionTable lists subscriptions, each linked to its page.
export function SubscriptionTable({ subs }) {
  return html`<div class="table">
    <table id="subscriptions">
      <thead><tr><th scope="col">Subscription</th><th scope="col">Status</th><th scope="col">Amount</th><th scope="col">Period ends</th><th scope="col">Since</th></tr></thead>
      <tbody>
        ${subs.map(
          (s) => html`<tr key=${s.id} data-status=${s.status}>
            <td><a href=${"#/subscription/" + s.id}>${s.id.slice(-12)}</a></td>
            <td>${s.status}${s.cancelAtPeriodEnd ? " (ends at period end)" : ""}</td>
            <td>${money(s.amount, s.currency)}</td>
            <td>${when(s.currentPeriodEnd)}</td>
            <td>${when(s.createdAt)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${subs.length === 0 ? html`<p class="muted">No subscriptions yet.</p>` : ""}
  </div>`;
}
