import { Alert, api, html, money, useEffect, useLoad, useState } from "../ui.js";
import { useEvents } from "../live.js";

// Dashboard is a business's morning look: MRR and paying subscriptions
// over time, revenue by day, payments failed and recovered, and churn,
// from GET /v1/reports/… (computed by the database). It follows the live
// event stream, reloading at most every few seconds.
export function Dashboard() {
  const [days, setDays] = useState(30);
  const [data, error, reload] = useLoad(async () => {
    const to = new Date();
    const from = new Date(to.getTime() - (days - 1) * 86400000);
    const window = `?from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`;
    const [mrr, revenue, payments, churn] = await Promise.all(
      ["mrr", "revenue", "payments", "churn"].map((r) => api("GET", `/v1/reports/${r}${window}`).then((x) => x.result.points)),
    );
    return { mrr, revenue, payments, churn };
  }, [days]);
  useEvents(["subscription.", "invoice.", "payment.", "refund."], useThrottled(reload, 3000));
  return html`
    <h1>Dashboard</h1>
    <form class="inline" id="window" onChange=${(e) => setDays(Number(e.target.value))} onSubmit=${(e) => e.preventDefault()}>
      <label>Period
        <select name="days" value=${days}>
          <option value="30">Last 30 days</option>
          <option value="90">Last 90 days</option>
          <option value="365">Last 12 months</option>
        </select>
      </label>
    </form>
    <${Alert} error=${error} />
    ${data && html`<${Figures} ...${data} />`}`;
}

// Figures are the headline numbers and the four charts, per currency for
// money.
function Figures({ mrr, revenue, payments, churn }) {
  const currencies = [...new Set(mrr.map((p) => p.currency).concat(revenue.map((p) => p.currency)))];
  const sum = (points, key) => points.reduce((n, p) => n + p[key], 0);
  const last = (points) => points[points.length - 1];
  return html`
    ${currencies.length === 0 && html`<p class="muted" id="no-revenue">No paying subscriptions or revenue in this period yet.</p>`}
    ${currencies.map((c) => {
      const m = mrr.filter((p) => p.currency === c);
      const r = revenue.filter((p) => p.currency === c);
      const now = last(m) || { mrr: 0, activeSubscriptions: 0 };
      return html`<section class="kpis" key=${c} data-currency=${c} aria-label=${`Figures in ${c}`}>
        <div class="kpi"><span class="kpi-label">MRR</span><strong id=${`mrr-${c}`}>${money(now.mrr, c)}</strong></div>
        <div class="kpi"><span class="kpi-label">Paying subscriptions</span><strong>${now.activeSubscriptions}</strong></div>
        <div class="kpi"><span class="kpi-label">Net revenue in the period</span><strong>${money(sum(r, "net"), c)}</strong></div>
      </section>
      <div class="charts">
        <${Chart} title=${`MRR (${c})`} points=${m} series=${[{ key: "mrr", label: "MRR" }]} format=${(v) => money(v, c)} line />
        <${Chart} title=${"Paying subscriptions"} points=${m} series=${[{ key: "activeSubscriptions", label: "Paying" }]} format=${String} line />
        <${Chart} title=${`Revenue by day (${c})`} points=${r} series=${[{ key: "collected", label: "Collected" }, { key: "refunded", label: "Refunded", tone: "bad" }]} format=${(v) => money(v, c)} />
      </div>`;
    })}
    <div class="kpis">
      <div class="kpi"><span class="kpi-label">Payments failed</span><strong>${sum(payments, "failed")}</strong></div>
      <div class="kpi"><span class="kpi-label">Recovered</span><strong>${sum(payments, "recovered")}</strong></div>
      <div class="kpi"><span class="kpi-label">Churned</span><strong id="churned">${sum(churn, "canceled") + sum(churn, "expired")}</strong></div>
    </div>
    <div class="charts">
      <${Chart} title="Payments failed and recovered" points=${payments}
        series=${[{ key: "failed", label: "Failed", tone: "bad" }, { key: "recovered", label: "Recovered", tone: "good" }, { key: "lost", label: "Lost", tone: "worst" }]} format=${String} />
      <${Chart} title="Churn" points=${churn} series=${[{ key: "canceled", label: "Canceled", tone: "bad" }, { key: "expired", label: "Expired", tone: "worst" }]} format=${String} />
    </div>`;
}

const W = 600, H = 200, PAD = 32;

// Chart draws points (one a day) as a line (the first series) or as bars
// side by side, in SVG. A person who cannot see it reads the table under
// it, which holds the same numbers.
function Chart({ title, points, series, format, line }) {
  const max = Math.max(1, ...points.flatMap((p) => series.map((s) => p[s.key])));
  const x = (i) => PAD + (i * (W - 2 * PAD)) / Math.max(1, points.length - 1);
  const y = (v) => H - PAD - (v * (H - 2 * PAD)) / max;
  const slot = (W - 2 * PAD) / Math.max(1, points.length) / series.length;
  const drawn = line
    ? html`<path class="line" d=${points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p[series[0].key]).toFixed(1)}`).join("")} />`
    : points.flatMap((p, i) =>
        series.map((s, k) => {
          const top = y(p[s.key]);
          return html`<rect class=${"bar " + (s.tone || "")} x=${(PAD + (i * series.length + k) * slot).toFixed(1)} y=${top.toFixed(1)}
            width=${Math.max(1, slot - 1).toFixed(1)} height=${(H - PAD - top).toFixed(1)} />`;
        }),
      );
  const first = points[0]?.date || "", lastDate = points[points.length - 1]?.date || "";
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${`${title}, ${first} to ${lastDate}, at most ${format(max)}`}>
      <line class="axis" x1=${PAD} y1=${H - PAD} x2=${W - PAD} y2=${H - PAD} />
      <text class="tick" x=${PAD} y=${PAD - 10}>${format(max)}</text>
      <text class="tick" x=${PAD} y=${H - 6}>${first}</text>
      <text class="tick end" x=${W - PAD} y=${H - 6}>${lastDate}</text>
      ${drawn}
    </svg>
    ${!line && series.length > 1 && html`<p class="legend">${series.map((s) => html`<span class=${"key " + (s.tone || "")}>${s.label}</span> `)}</p>`}
    <details>
      <summary>The numbers</summary>
      <div class="table"><table>
        <thead><tr><th scope="col">Day</th>${series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}</tr></thead>
        <tbody>${points.map((p) => html`<tr key=${p.date}><td>${p.date}</td>${series.map((s) => html`<td class="num">${format(p[s.key])}</td>`)}</tr>`)}</tbody>
      </table></div>
    </details>
  </figure>`;
}

// useThrottled calls fn at most once every ms, the last call's time
// included: a burst of events reloads once at its start and once after.
function useThrottled(fn, ms) {
  const [state] = useState({ last: 0, timer: 0 });
  useEffect(() => () => clearTimeout(state.timer), []);
  return () => {
    const wait = state.last + ms - Date.now();
    if (wait <= 0) {
      state.last = Date.now();
      fn();
    } else if (!state.timer) {
      state.timer = setTimeout(() => {
        state.timer = 0;
        state.last = Date.now();
        fn();
      }, wait);
    }
  };
}
