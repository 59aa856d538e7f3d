// The console's shell: who is logged in, the pages they may open, and the
// route after "#".
import { ApiError, api, html, render, useEffect, useState } from "./ui.js";
import { Login } from "./pages/login.js";
import { Password } from "./pages/password.js";
import { Profile } from "./pages/profile.js";
import { Sessions } from "./pages/sessions.js";

// pages are the console's routes, with the roles that see each in the
// menu (every role, for now).
const pages = {
  profile: { title: "My profile", view: Profile },
  sessions: { title: "My sessions", view: Sessions },
  password: { title: "Change my password", view: Password },
};

function route() {
  const name = location.hash.replace(/^#\/?/, "");
  return pages[name] ? name : "profile";
}

function App() {
  // me is GET /auth/session: undefined while it loads, null when nobody
  // is logged in.
  const [me, setMe] = useState(undefined);
  const [ended, setEnded] = useState(false);
  const [page, setPage] = useState(route());

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
      // gone already: logged out all the same
    }
    setEnded(false);
    setMe(null);
    location.hash = "#/"; // whoever logs in next starts at their first page
  }

  if (me === undefined) return html`<p class="loading">Loading…</p>`;
  if (me === null)
    return html`<${Login} ended=${ended} onLogin=${() => (setEnded(false), whoami())} />`;
  const View = pages[page].view;
  return html`
    <header class="bar">
      <a class="brand" href="#/profile">billgate</a>
      <nav aria-label="Console">
        ${Object.entries(pages).map(
          ([name, p]) =>
            html`<a href=${"#/" + name} aria-current=${name === page ? "page" : undefined}>${p.title}</a>`,
        )}
      </nav>
      <span class="who"><span id="who-login">${me.client.login}</span> <span class="role">${me.roles.join(", ")}</span></span>
      <button class="secondary" onClick=${logout}>Log out</button>
    </header>
    <main id="page"><${View} me=${me} onLogout=${logout} /></main>`;
}

render(html`<${App} />`, document.getElementById("app"));
