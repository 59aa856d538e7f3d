import { Alert, api, html, useAction, useKey, useLoad, useState, when } from "../ui.js";

// Gateways are the business's accounts at Stripe, PayPal and Skrill
// (/v1/gateway-accounts): connect one, rename it, change its currencies or
// rotate its credentials, disconnect it; and what the reconciliation found
// (GET /v1/reconciliation).
export function Gateways() {
  const [accounts, error, reload] = useLoad(() => api("GET", "/v1/gateway-accounts?limit=200").then((r) => r.results));
  const [done, run] = useAction(reload);
  return html`
    <h1>Gateway accounts</h1>
    <p class="help">Customers pay through the sandbox, which moves no money, or through an account of the business's own at a gateway. Secret credentials are sealed and never shown again; the gateway is first called when a payment goes through the account.</p>
    <${Alert} error=${error || done.error} notice=${done.notice} />
    ${accounts && accounts.length === 0 && html`<p class="muted">No accounts connected.</p>`}
    ${accounts &&
    accounts.map(
      (a) => html`<section class="card" key=${a.id} data-account=${a.id}>
        <h2>${gateways[a.gateway]?.label || a.gateway}: ${a.name || a.id.slice(-12)} <span class="muted">${a.mode}</span></h2>
        <dl class="facts">
          <dt>Currencies</dt><dd class="account-currencies">${a.currencies.length ? a.currencies.join(", ") : "any"}</dd>
          ${Object.entries(a.settings).map(([k, v]) => html`<dt key=${"s" + k}>${label(a.gateway, k)}</dt><dd key=${"v" + k}><code>${v}</code></dd>`)}
          <dt>Sealed</dt><dd>${a.secrets.map((k) => label(a.gateway, k)).join(", ") || "—"}</dd>
          <dt>Webhook URL</dt><dd><code class="secret-value">${a.webhookUrl}</code></dd>
          <dt>Health</dt><dd class="account-health">${health(a.health)}</dd>
        </dl>
        <details>
          <summary>Change the account</summary>
          <${AccountForm} account=${a} onSaved=${reload} />
        </details>
        <button class="secondary danger" onClick=${() => run(() => api("DELETE", `/v1/gateway-accounts/${a.id}`), `${a.name || a.gateway} is disconnected.`)}>
          Disconnect
        </button>
      </section>`,
    )}
    <h2>Connect an account</h2>
    <${AccountForm} onSaved=${reload} />
    <${Findings} />`;
}

// gateways are the credentials each gateway takes (docs/gateways.md).
const gateways = {
  stripe: {
    label: "Stripe",
    credentials: [
      { name: "secretKey", label: "Secret key", secret: true, help: "sk_… or rk_…, of the account's mode" },
      { name: "webhookSecret", label: "Webhook signing secret", secret: true, help: "whsec_…, of the webhook registered at the webhook URL" },
      { name: "publishableKey", label: "Publishable key", optional: true, help: "pk_…, optional" },
    ],
  },
  paypal: {
    label: "PayPal",
    credentials: [
      { name: "clientId", label: "Client ID" },
      { name: "clientSecret", label: "Client secret", secret: true },
      { name: "webhookId", label: "Webhook ID", help: "the ID PayPal gives the webhook once registered" },
    ],
  },
  skrill: {
    label: "Skrill",
    credentials: [
      { name: "merchantId", label: "Merchant ID" },
      { name: "email", label: "Merchant email" },
      { name: "secretWord", label: "Secret word", secret: true, help: "at most 10 lower-case letters and digits" },
      { name: "apiPassword", label: "MQI/API password", secret: true },
      { name: "signature", label: "Status signature", optional: true, help: "md5 or sha2, optional" },
      { name: "oneTapMaxAmount", label: "1-Tap maximum", optional: true, help: "the most a 1-Tap renewal may take, e.g. 100.00; optional" },
    ],
  },
};

function label(gateway, name) {
  return gateways[gateway]?.credentials.find((c) => c.name === name)?.label || name;
}

function health(h) {
  if (h.status === "unknown") return "unknown: no call yet";
  if (h.status === "answering") return `answering (last answer ${when(h.lastAnsweredAt)})`;
  return `failing since ${when(h.lastFailedAt)}${h.lastError ? `: ${h.lastError}` : ""}`;
}

// AccountForm connects an account (POST, under one idempotency key while
// the form is unchanged), or, given account, changes it (PATCH): the
// credentials left empty keep what is stored.
function AccountForm({ account, onSaved }) {
  const [gateway, setGateway] = useState(account?.gateway || "stripe");
  const [key, renew] = useKey();
  const [done, run] = useAction(onSaved);
  const id = account ? `account-${account.id}` : "connect";
  async function save(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const credentials = {};
    for (const c of gateways[gateway].credentials) {
      const v = form.get(c.name).trim();
      if (v) credentials[c.name] = v;
    }
    const body = { name: form.get("name").trim(), currencies: form.get("currencies").split(/[\s,]+/).filter(Boolean), credentials };
    const change = account
      ? () => api("PATCH", `/v1/gateway-accounts/${account.id}`, body).then((r) => r.result)
      : () => api("POST", "/v1/gateway-accounts", { ...body, gateway, mode: form.get("mode") }, key).then((r) => r.result);
    if (await run(change, (a) => (account ? `${a.name || a.gateway} is changed.` : `${gateways[a.gateway].label} is connected: register its webhook URL at the gateway.`))) {
      renew();
      if (!account) event.target.reset();
    }
  }
  return html`<form id=${id} class="account-form" onSubmit=${save} onInput=${renew}>
    <${Alert} error=${done.error} notice=${done.notice} />
    ${!account &&
    html`<label>Gateway <select name="gateway" value=${gateway} onChange=${(e) => setGateway(e.target.value)}>
        ${Object.entries(gateways).map(([name, g]) => html`<option key=${name} value=${name}>${g.label}</option>`)}
      </select></label>
      <label>Mode <select name="mode">
        <option value="test">test</option>
        <option value="live">live: real money</option>
      </select></label>`}
    <label>Name <input name="name" maxlength="200" defaultValue=${account?.name || ""} /></label>
    <label>Currencies <input name="currencies" defaultValue=${account?.currencies.join(", ") || ""} placeholder="any" aria-describedby=${id + "-currencies-help"} /></label>
    <p class="help" id=${id + "-currencies-help"}>The only currencies charged through the account, e.g. EUR, USD; empty takes any.</p>
    ${gateways[gateway].credentials.map(
      (c) => html`<label key=${gateway + c.name}>${c.label}
        <input name=${c.name} type=${c.secret ? "password" : "text"} autocomplete="off" spellcheck="false"
          required=${!account && !c.optional} placeholder=${account ? (c.secret ? "unchanged" : account.settings[c.name] || "") : ""} />
        ${c.help && html`<span class="help">${c.help}</span>`}
      </label>`,
    )}
    <button type="submit" disabled=${done.busy}>${account ? "Save the changes" : "Connect the account"}</button>
  </form>`;
}

// Findings are what the reconciliation found and did, newest first.
function Findings() {
  const [findings, error] = useLoad(() => api("GET", "/v1/reconciliation?limit=50").then((r) => r.results));
  return html`<section aria-labelledby="findings-title">
    <h2 id="findings-title">Reconciliation</h2>
    <p class="help">Every 10 minutes billgate compares its payments and refunds with what the gateways reported, and settles what they disagree on.</p>
    <${Alert} error=${error} />
    ${findings && findings.length === 0 && html`<p class="muted" id="findings">Nothing found: billgate and the gateways agree.</p>`}
    ${findings?.length > 0 &&
    html`<div class="table">
      <table id="findings">
        <thead><tr><th scope="col">When</th><th scope="col">Found</th><th scope="col">Done</th><th scope="col">Payment</th><th scope="col">Gateway</th><th scope="col">Detail</th></tr></thead>
        <tbody>
          ${findings.map(
            (f) => html`<tr key=${f.id}>
              <td>${when(f.createdAt)}</td>
              <td>${f.kind.replaceAll("_", " ")}</td>
              <td>${f.action}</td>
              <td>${f.paymentId ? html`<a href=${"#/payment/" + f.paymentId}>${f.paymentId.slice(-12)}</a>` : "—"}</td>
              <td>${f.gateway || "—"}</td>
              <td>${f.detail}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
  </section>`;
}
