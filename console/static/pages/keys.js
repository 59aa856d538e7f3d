import { Alert, Secret, api, html, useAction, useLoad, useState, when } from "../ui.js";

// Keys are the account's API keys (/v1/api-keys) and HTTP Signature keys
// (/v1/signing-keys). A key's secret is shown once, when it is made, with
// a button that copies it.
export function Keys() {
  return html`
    <h1>My keys</h1>
    <${KeyList}
      id="api-keys"
      title="API keys"
      path="/v1/api-keys"
      help="Send it as Authorization: Plain <secret>."
      describe=${(k) => `…${k.hint}`}
      fields=${html`<label>Name <input name="name" required maxlength="100" /></label>`}
      body=${(form) => ({ name: form.get("name") })}
    />
    <${KeyList}
      id="signing-keys"
      title="Signing keys"
      path="/v1/signing-keys"
      help="Sign requests with it: Authorization: Signature keyId=…"
      describe=${(k) => `${k.keyId} (${k.algorithm})`}
      fields=${html`<label>Name <input name="name" required maxlength="100" /></label>
        <label>Algorithm <select name="algorithm">
          <option value="hmac-sha256">hmac-sha256</option>
          <option value="hmac-sha1">hmac-sha1</option>
        </select></label>`}
      body=${(form) => ({ name: form.get("name"), algorithm: form.get("algorithm") })}
    />`;
}

// KeyList is one kind of key: the list, revoke, and a form for a new one
// whose secret it shows until the page is left.
function KeyList({ id, title, path, help, describe, fields, body }) {
  const [keys, error, reload] = useLoad(() => api("GET", path).then((r) => r.results));
  const [done, run] = useAction(reload);
  const [made, setMade] = useState(null);
  async function create(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    if (await run(() => api("POST", path, body(form)).then((r) => setMade(r.result)), "")) event.target.reset();
  }
  return html`
    <section id=${id}>
      <h2>${title}</h2>
      <${Alert} error=${error || done.error} />
      ${made && html`<${Secret} secret=${made.secret}>The secret of ${made.name}, shown this once. ${help}</${Secret}>`}
      ${keys &&
      html`<div class="table">
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            ${keys.map(
              (k) => html`<tr key=${k.id}>
                <td>${k.name}</td>
                <td>${describe(k)}</td>
                <td>${when(k.createdAt)}</td>
                <td>${when(k.lastUsedAt)}</td>
                <td>${k.expiresAt ? when(k.expiresAt) : "never"}</td>
                <td><button class="secondary" onClick=${() => run(() => api("DELETE", `${path}/${k.id}`), "")}>Revoke</button></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>`}
      <form onSubmit=${create}>
        ${fields}
        <button type="submit">Create the key</button>
      </form>
    </section>`;
}
