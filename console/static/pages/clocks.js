import { Alert, api, html, money, useAction, useLoad, when } from "../ui.js";
import { useEvents } from "../live.js";

// Clocks are the business's test clocks (/v1/test-clocks): create one,
// advance it by a period, and watch the subscriptions bound to it catch up,
// live.
export function Clocks() {
  const [data, error, reload] = useLoad(async () => {
    const [clocks, subs] = await Promise.all([api("GET", "/v1/test-clocks?limit=200"), api("GET", "/v1/subscriptions?limit=200")]);
    return { clocks: clocks.results, subs: subs.results.filter((s) => s.testClockId) };
  });
  const [done, run] = useAction(reload);
  useEvents(["test_clock.", "subscription.", "invoice."], reload);
  async function create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const frozenTime = new Date(form.get("frozenTime") || Date.now()).toISOString().replace(/\.\d+Z$/, "Z");
    const made = () => api("POST", "/v1/test-clocks", { name: form.get("name"), frozenTime }).then((r) => r.result);
    if (await run(made, (c) => `${c.name} stands at ${when(c.frozenTime)}.`)) event.target.reset();
  }
  function advance(clock, months) {
    const to = new Date(clock.frozenTime);
    to.setUTCMonth(to.getUTCMonth() + months);
    const iso = to.toISOString().replace(/\.\d+Z$/, "Z");
    run(() => api("POST", `/v1/test-clocks/${clock.id}/advance`, { to: iso }), `${clock.name} is moving to ${when(iso)}.`);
  }
  return html`
    <h1>Test clocks</h1>
    <p class="help">A subscription on a test clock lives on the clock's time: advance the clock, and its renewals, retries and trial ends happen as if that time had passed.</p>
    <${Alert} error=${error || done.error} notice=${done.notice} />
    ${data &&
    data.clocks.map(
      (c) => html`<section class="card" key=${c.id} data-clock=${c.name}>
        <h2>${c.name}</h2>
        <p class="clock-state">${c.status === "ready" ? `at ${when(c.frozenTime)}` : `${c.status} to ${when(c.advancingTo)}`}</p>
        <button class="secondary" disabled=${c.status !== "ready"} onClick=${() => advance(c, 1)}>Advance a month</button>
        <div class="table">
          <table>
            <thead><tr><th scope="col">Subscription</th><th scope="col">Status</th><th scope="col">Amount</th><th scope="col">Period ends</th></tr></thead>
            <tbody>
              ${data.subs
                .filter((s) => s.testClockId === c.id)
                .map(
                  (s) => html`<tr key=${s.id}>
                    <td><a href=${"#/subscription/" + s.id}>${s.id.slice(-12)}</a></td>
                    <td>${s.status}</td>
                    <td>${money(s.amount, s.currency)}</td>
                    <td class="period-end">${when(s.currentPeriodEnd)}</td>
                  </tr>`,
                )}
            </tbody>
          </table>
        </div>
      </section>`,
    )}
    <h2>New test clock</h2>
    <form onSubmit=${create}>
      <label>Name <input name="name" required maxlength="100" /></label>
      <label>Starts at <input name="frozenTime" type="datetime-local" /></label>
      <p class="help">Empty: now.</p>
      <button type="submit">Create the clock</button>
    </form>`;
}
