import { Alert, api, html, useAction, useEffect, useLoad, useState } from "../ui.js";
import { useRef } from "../vendor/hooks.js";
import { jsonField, pretty } from "../json.js";

// Roles are the admin's roles and policies (/v1/roles, /v1/policies):
// policies with their statements, edited as JSON and validated by the
// API; roles granting a level and policies; and the actions statements may
// name (/v1/actions).
export function Roles() {
  const [data, error, reload] = useLoad(async () => {
    const [roles, policies] = await Promise.all([api("GET", "/v1/roles"), api("GET", "/v1/policies")]);
    return { roles: roles.results, policies: policies.results };
  });
  return html`
    <h1>Roles and policies</h1>
    <p class="help">A role grants a level and policies; a policy's statements allow or deny actions. Deny wins, and what no statement allows is denied.</p>
    <${Alert} error=${error} />
    ${data &&
    html`<${Editable}
        id="policies"
        title="Policies"
        noun="policy"
        path="/v1/policies"
        items=${data.policies}
        reload=${reload}
        head=${html`<th scope="col">Statements</th><th scope="col">Payload templates</th>`}
        row=${(p) => html`<td><ul class="plain">${p.statements.map((s, i) => html`<li key=${i}>${statement(s)}</li>`)}</ul></td>
          <td>${Object.keys(p.payloads).join(", ") || "—"}</td>`}
        fields=${policyFields}
        body=${(form, editing) => ({
          ...(editing ? {} : { name: form.get("name") }),
          description: form.get("description"),
          statements: jsonField(form, "statements"),
        })}
      />
      <${Editable}
        id="roles"
        title="Roles"
        noun="role"
        path="/v1/roles"
        items=${data.roles}
        reload=${reload}
        head=${html`<th scope="col">Level</th><th scope="col">Policies</th><th scope="col">Listen mode</th>`}
        row=${(r) => html`<td>${r.level}</td><td>${r.policies.join(", ") || "—"}</td><td>${r.listen ? "listening" : "off"}</td>`}
        fields=${(editing) => roleFields(editing, data.policies)}
        body=${(form, editing) => ({
          ...(editing ? {} : { name: form.get("name"), level: form.get("level") }),
          description: form.get("description"),
          policies: form.getAll("policies"),
        })}
      />`}
    <${Actions} />`;
}

// statement reads a statement as a sentence: "allow products:* on *".
function statement(s) {
  return `${s.effect} ${s.actions.join(", ")} on ${s.resources.join(", ")}`;
}

// Editable lists the API's objects at path, each with Edit and (built-in
// ones apart) Delete, and has a form that makes a new one or changes the
// one being edited; its answer, an INVALID field included, shows by the
// form.
function Editable({ id, title, noun, path, items, reload, head, row, fields, body }) {
  const [editing, setEditing] = useState(null);
  const [listed, runOnList] = useAction(reload);
  const [saved, runOnForm] = useAction(reload);
  const form = useRef(null);
  useEffect(() => {
    if (editing) form.current.querySelector("input, textarea").focus();
  }, [editing]);
  async function save(event) {
    event.preventDefault();
    const data = new FormData(event.target);
    const change = async () => {
      const request = body(data, editing);
      const answer = editing ? await api("PATCH", `${path}/${editing.id}`, request) : await api("POST", path, request);
      return answer.result;
    };
    if (await runOnForm(change, (x) => `The ${noun} ${x.name} is ${editing ? "changed" : "created"}.`)) {
      event.target.reset();
      setEditing(null);
    }
  }
  function remove(x) {
    if (editing?.id === x.id) setEditing(null);
    runOnList(() => api("DELETE", `${path}/${x.id}`), `The ${noun} ${x.name} is deleted.`);
  }
  return html`
    <section id=${id}>
      <h2>${title}</h2>
      <${Alert} error=${listed.error} notice=${listed.notice} />
      <div class="table">
        <table>
          <thead><tr><th scope="col">Name</th>${head}<th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            ${items.map(
              (x) => html`<tr key=${x.id} data-name=${x.name}>
                <td>${x.name}${x.builtin ? html` <span class="muted">(built-in)</span>` : ""}${x.description && html`<br /><span class="muted">${x.description}</span>`}</td>
                ${row(x)}
                <td><div class="actions">
                  <button class="secondary edit" onClick=${() => setEditing(x)} aria-label=${`Edit ${x.name}`}>Edit</button>
                  ${!x.builtin && html`<button class="secondary delete" onClick=${() => remove(x)} aria-label=${`Delete ${x.name}`}>Delete</button>`}
                </div></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <form class="wide" id=${`${noun}-form`} key=${editing?.id || "new"} ref=${form} onSubmit=${save}>
        <h3>${editing ? `Edit the ${noun} ${editing.name}` : `New ${noun}`}</h3>
        ${fields(editing, saved.error?.field || "")}
        <${Alert} error=${saved.error} notice=${saved.notice} />
        <div class="actions">
          <button type="submit">${editing ? "Save the changes" : `Create the ${noun}`}</button>
          ${editing && html`<button type="button" class="secondary" onClick=${() => setEditing(null)}>Cancel</button>`}
        </div>
      </form>
    </section>`;
}

const exampleStatements = pretty([{ effect: "allow", actions: ["products:read"], resources: ["*"] }]);

// policyFields are a policy's: the name only when it is new, as it is the
// policy's identity.
function policyFields(editing, invalid) {
  return html`
    ${!editing && html`<label>Name <input name="name" required maxlength="64" autocomplete="off" spellcheck="false" /></label>`}
    <label>Description <input name="description" maxlength="500" defaultValue=${editing?.description || ""} /></label>
    <label>Statements
      <textarea name="statements" rows="8" required spellcheck="false" placeholder=${exampleStatements}
        aria-invalid=${invalid.startsWith("statements") ? "true" : undefined} aria-describedby="statements-help"
        defaultValue=${editing ? pretty(editing.statements) : ""}></textarea></label>
    <p class="help" id="statements-help">A JSON list of statements, each {"effect": "allow" or "deny", "actions": […], "resources": […]}; * matches any run of characters. Below, find the actions a pattern matches.</p>`;
}

// roleFields are a role's: name and level only when it is new, as they
// are the role's identity.
function roleFields(editing, policies) {
  return html`
    ${!editing &&
    html`<label>Name <input name="name" required maxlength="64" autocomplete="off" spellcheck="false" /></label>
      <label>Level <select name="level">
        <option value="customer">customer</option>
        <option value="business">business</option>
        <option value="admin">admin</option>
      </select></label>`}
    <label>Description <input name="description" maxlength="500" defaultValue=${editing?.description || ""} /></label>
    <fieldset>
      <legend>Policies it grants</legend>
      ${policies.map(
        (p) => html`<label class="check" key=${p.id}>
          <input type="checkbox" name="policies" value=${p.name} defaultChecked=${editing?.policies.includes(p.name)} /> ${p.name}</label>`,
      )}
    </fieldset>`;
}

// Actions are what statements and payload templates may name (GET
// /v1/actions), filtered by a pattern that matches as a statement's does.
function Actions() {
  const [actions, error] = useLoad(() => api("GET", "/v1/actions").then((r) => r.results));
  const [pattern, setPattern] = useState("");
  const matches = glob(pattern.trim());
  const shown = (actions || []).filter((a) => matches.test(a.action));
  return html`
    <section id="actions">
      <h2>Actions</h2>
      <${Alert} error=${error} />
      <form role="search" onSubmit=${(e) => e.preventDefault()}>
        <label>Actions a pattern matches
          <input name="pattern" value=${pattern} onInput=${(e) => setPattern(e.target.value)} placeholder="products:*" autocomplete="off" spellcheck="false" /></label>
      </form>
      ${actions &&
      html`<p class="muted" aria-live="polite">
          ${pattern.trim() ? `It matches ${shown.length} of the ${actions.length} actions.` : `Type a pattern, * for all ${actions.length} actions.`}</p>
        ${shown.length > 0 &&
        html`<div class="table">
          <table>
            <thead><tr><th scope="col">Action</th><th scope="col">Routes</th></tr></thead>
            <tbody>
              ${shown.map(
                (a) => html`<tr key=${a.action} data-action=${a.action}>
                  <td><code>${a.action}</code></td>
                  <td><ul class="plain">${a.routes.map((r) => html`<li key=${r}><code>${r}</code></li>`)}</ul></td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`}`}
    </section>`;
}

// glob is a statement's pattern as a regular expression: * is any run of
// characters, and every other character only itself (docs/policies.md).
function glob(pattern) {
  const parts = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`);
}
