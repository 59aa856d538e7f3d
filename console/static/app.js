// The console's shell: who is logged in, the pages they may open, and the
// route after "#".
import { ApiError, api, html, render, useEffect, useState } from "./ui.js";
import { Keys } from "./pages/keys.js";
import { Login } from "./pages/login.js";
import { MyInvoices, MyPaymentMethods, MySubscriptions, Shop } from "./pages/mine.js";
import { Password } from "./pages/password.js";
import { Profile } from "./pages/profile.js";
import { Accounts } from "./pages/accounts.js";
import { Audit } from "./pages/audit.js";
import { Roles } from "./pages/roles.js";
import { Templates } from "./pages/templates.js";
import { Clocks } from "./pages/clocks.js";
import { Customer } from "./pages/customer.js";
import { Customers } from "./pages/customers.js";
import { Dashboard } from "./pages/dashboard.js";
import { Gateways } from "./pages/gateways.js";
import { Payment, Payments } from "./pages/payments.js";
import { Products } from "./pages/products.js";
import { Sessions } from "./pages/sessions.js";
import { Subscription } from "./pages/subscription.js";
import { Subscriptions } from "./pages/subscriptions.js";
import { Webhook, Webhooks } from "./pages/webhooks.js";
import { stopLive } from "./live.js";

// pages are the console's routes, with the roles that open each (none:
// everyone).
const pages = {
  accounts: { title: "Accounts", view: Accounts, roles: ["admin"] },
  roles: { title: "Roles and policies", view: Roles, roles: ["admin"] },
  templates: { title: "Payload templates", view: Templates, roles: ["admin"] },
  audit: { title: "Audit trail", view: Audit, roles: ["admin"] },
  dashboard: { title: "Dashboard", view: Dashboard, roles: ["business"] },
  subscriptions: { title: "Subscriptions", view: Subscriptions, roles: ["business"] },
  subscription: { title: "Subscription", view: Subscription, roles: ["business"], hidden: true },
  products: { title: "Products", view: Products, roles: ["business"] },
  customers: { title: "Customers", view: Customers, roles: ["business"] },
  customer: { title: "Customer", view: Customer, roles: ["business"], hidden: true },
  payments: { title: "Invoices and payments", view: Payments, roles: ["business"] },
  payment: { title: "Payment", view: Payment, roles: ["business"], hidden: true },
  gateways: { title: "Gateway accounts", view: Gateways, roles: ["business"] },
  webhooks: { title: "Webhooks", view: Webhooks, roles: ["business"] },
  webhook: { title: "Webhook endpoint", view: Webhook, roles: ["business"], hidden: true },
  clocks: { title: "Test clocks", view: Clocks, roles: ["business"] },
  mine: { title: "My subscriptions", view: MySubscriptions, roles: ["customer"] },
  "my-invoices": { title: "My invoices", view: MyInvoices, roles: ["customer"] },
  "my-payment-methods": { title: "My payment methods", view: MyPaymentMethods, roles: ["customer"] },
  shop: { title: "Shop", view: Shop, roles: ["customer"] },
  profile: { title: "My profile", view: Profile },
  sessions: { title: "My sessions", view: Sessions },
  keys: { title: "My keys", view: Keys },
  password: { title: "Change my password", view: Password },
};

function opens(me, page) {
  return !page.roles || page.roles.some((r) => me.roles.includes(r));
}

// route is the page after "#/" and its parameter: "subscription/<id>".
function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  return pages[name] ? { name, param: decodeURIComponent(rest.join("/")) } : { name: "profile", param: "" };
}

function App() {
  // me is GET /auth/session: undefined while it loads, null when nobody
  // is logged in.
  const [me, setMe] = useState(undefined);
  const [ended, setEnded] = useState(false);
  const [{ name: page, param }, setPage] = useState(route());

  async function whoami() {
    try {
      setMe((await api("GET", "/auth/session")).result);
    } catch (err) {
      setMe(null);
      if (!(err instanceof ApiError && err.code === "SESSION_UNKNOWN")) console.warn("whoami:", err.message);
    }
  }
  useEffect(() => {
    whoami();
    const onHash = () => setPage(route());
    addEventListener("hashchange", onHash);
    // A page whose call finds the session gone sends the reader to log in.
    const onEnded = () => {
      stopLive();
      setEnded(true);
      setMe(null);
    };
    addEventListener("billgate:session-ended", onEnded);
    return () => {
      removeEventListener("hashchange", onHash);
      removeEventListener("billgate:session-ended", onEnded);
    };
  }, []);

  async function logout() {
    try {
      await api("DELETE", "/auth/session");
    } catch (err) {
      // SESSION UNKNOWN: gone already, logged out all the same
      if (!(err instanceof ApiError && err.code === "SESSION_UNKNOWN")) console.warn("logout:", err.message);
    }
    stopLive();
    setEnded(false);
    setMe(null);
    location.hash = "#/"; // whoever logs in next starts at their first page
  }

  if (me === undefined) return html`<p class="loading">Loading…</p>`;
  if (me === null)
    return html`<${Login} ended=${ended} onLogin=${() => (setEnded(false), whoami())} />`;
  // A page the role does not open says so, as the API would.
  const View = opens(me, pages[page])
    ? pages[page].view
    : () => html`<p class="alert error" role="alert">PERMISSION DENIED: this page is not for your account.</p>`;
  return html`
    <header class="bar">
      <a class="brand" href="#/profile">billgate</a>
      <nav aria-label="Console">
        ${Object.entries(pages)
          .filter(([, p]) => opens(me, p) && !p.hidden)
          .map(([name, p]) => html`<a href=${"#/" + name} aria-current=${name === page ? "page" : undefined}>${p.title}</a>`)}
      </nav>
      <span class="who"><span id="who-login">${me.client.login}</span> <span class="role">${me.roles.join(", ")}</span></span>
      <button class="secondary" onClick=${logout}>Log out</button>
    </header>
    <main id="page"><${View} me=${me} param=${param} onLogout=${logout} /></main>`;
}

render(html`<${App} />`, document.getElementById("app"));
