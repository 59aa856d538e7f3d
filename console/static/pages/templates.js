import { Alert, api, html, useAction, useLoad } from "../ui.js";
import { jsonField, pretty } from "../json.js";

// Templates are payload templates (docs/payload-templates.md): listen mode
// per role, what it proposes from the payloads the role's members sent
// (GET /v1/payload-templates/observed), adopting a proposal or any template
// into a policy (POST /v1/payload-templates), and the templates policies
// carry. The route's parameter is the role whose proposals are shown:
// #/templates/<role>.
export function Templates({ param }) {
  const [data, error, reload] = useLoad(async () => {
    const [roles, policies] = await Promise.all([api("GET", "/v1/roles"), api("GET", "/v1/policies")]);
    return { roles: roles.results, policies: policies.results };
  });
  const role = param || data?.roles.find((r) => r.listen)?.name || "";
  return html`
    <h1>Payload templates</h1>
    <p class="help">A template says with which bodies a role's members may call an action. Listen mode watches what a role's members send, without refusing anything, and proposes templates to adopt into a policy. Templates apply from each session's next login.</p>
    <${Alert} error=${error} />
    ${data &&
    html`<${Listening} roles=${data.roles} reload=${reload} />
      <${Proposals} role=${role} roles=${data.roles} policies=${data.policies} reload=${reload} />
      <section id="new-template">
        <h2>Add a template</h2>
        <${TemplateForm} policies=${data.policies} reload=${reload} />
      </section>
      <${Adopted} policies=${data.policies} reload=${reload} />`}`;
}

function showProposals(role) {
  location.hash = `#/templates/${encodeURIComponent(role)}`;
}

// Listening turns listen mode on and off per role (PATCH /v1/roles/{id}).
function Listening({ roles, reload }) {
  const [done, run] = useAction(reload);
  async function listen(r, on) {
    if (await run(() => api("PATCH", `/v1/roles/${r.id}`, { listen: on }), on ? `Listening to ${r.name}.` : `${r.name} is no longer listened to.`) && on)
      showProposals(r.name);
  }
  return html`
    <section id="listen">
      <h2>Listen mode</h2>
      <${Alert} error=${done.error} notice=${done.notice} />
      <div class="table">
        <table>
          <thead><tr><th scope="col">Role</th><th scope="col">Level</th><th scope="col">Listen mode</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            ${roles.map(
              (r) => html`<tr key=${r.id} data-name=${r.name}>
                <td>${r.name}</td>
                <td>${r.level}</td>
                <td class="status">${r.listen ? "listening" : "off"}</td>
                <td><button class="secondary" onClick=${() => listen(r, !r.listen)}>${r.listen ? "Stop listening" : "Start listening"}</button></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>`;
}

// Proposals are what listen mode proposes for a role, by action, each
// ready to adopt into a policy as it is or edited.
function Proposals({ role, roles, policies, reload }) {
  const [proposals, error, refresh] = useLoad(
    () => (role ? api("GET", `/v1/payload-templates/observed?role=${encodeURIComponent(role)}`).then((r) => r.results) : Promise.resolve([])),
    [role],
  );
  return html`
    <section id="proposals">
      <h2>Proposals</h2>
      <div class="toolbar">
        <label>Role <select name="role" value=${role} onChange=${(e) => showProposals(e.target.value)}>
          <option value="" disabled>Choose a role</option>
          ${roles.map((r) => html`<option key=${r.id} value=${r.name}>${r.name}${r.listen ? " (listening)" : ""}</option>`)}
        </select></label>
        <button class="secondary" onClick=${refresh} disabled=${!role}>Refresh</button>
      </div>
      <${Alert} error=${error} />
      ${proposals?.length === 0 &&
      html`<p class="muted">${role ? `Nothing proposed for ${role} yet: listen mode proposes from the requests its members make while it listens, in this API process.` : "Choose a role."}</p>`}
      ${proposals?.map(
        (p) => html`<div class="card" key=${role + p.action}>
          <h3><code>${p.action}</code></h3>
          <${TemplateForm} action=${p.action} template=${p.template} policies=${policies} reload=${reload} />
        </div>`,
      )}
    </section>`;
}

// TemplateForm adds a template to a policy's templates for an action (POST
// /v1/payload-templates): a proposal for its action, or, with no action
// given, any template for an action typed in.
function TemplateForm({ action, template, policies, reload }) {
  const [done, run] = useAction(reload);
  function adopt(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const chosen = action || form.get("action");
    const change = async () => {
      const body = { policyId: form.get("policyId"), action: chosen, template: jsonField(form, "template") };
      return (await api("POST", "/v1/payload-templates", body)).result;
    };
    run(change, (p) => `${p.name} now holds this template for ${chosen}; it applies from each session's next login.`);
  }
  return html`
    <form class="wide" data-action=${action || ""} onSubmit=${adopt}>
      ${!action && html`<label>Action <input name="action" required autocomplete="off" spellcheck="false" placeholder="subscriptions:create" /></label>`}
      <label>Template
        <textarea name="template" rows=${template ? 6 : 4} required spellcheck="false" defaultValue=${template ? pretty(template) : ""}
          aria-invalid=${(done.error?.field || "").startsWith("template") ? "true" : undefined}></textarea></label>
      <label>Into the policy <select name="policyId" required>
        ${policies.map((p) => html`<option key=${p.id} value=${p.id}>${p.name}</option>`)}
      </select></label>
      <${Alert} error=${done.error} notice=${done.notice} />
      <button type="submit">${action ? "Adopt the template" : "Add the template"}</button>
    </form>`;
}

// Adopted are the templates policies hold, by action, each with a button
// that removes it (PATCH /v1/policies/{id} with the rest).
function Adopted({ policies, reload }) {
  const [done, run] = useAction(reload);
  function remove(policy, action, index) {
    const payloads = { ...policy.payloads, [action]: policy.payloads[action].filter((_, i) => i !== index) };
    if (payloads[action].length === 0) delete payloads[action];
    run(() => api("PATCH", `/v1/policies/${policy.id}`, { payloads }), `The template is out of ${policy.name}; that applies from each session's next login.`);
  }
  const holding = policies.filter((p) => Object.keys(p.payloads).length > 0);
  return html`
    <section id="adopted">
      <h2>Templates in policies</h2>
      <${Alert} error=${done.error} notice=${done.notice} />
      ${holding.length === 0 && html`<p class="muted">No policy holds a template: every action takes any body its route accepts.</p>`}
      ${holding.map(
        (p) => html`<div class="card" key=${p.id} data-policy=${p.name}>
          <h3>${p.name}</h3>
          ${Object.entries(p.payloads).map(([action, templates]) =>
            templates.map(
              (t, i) => html`<div class="template" key=${action + i}>
                <p><code>${action}</code>${templates.length > 1 ? ` (${i + 1} of ${templates.length})` : ""}</p>
                <pre class="json">${pretty(t)}</pre>
                <button class="secondary" onClick=${() => remove(p, action, i)} aria-label=${`Remove template ${i + 1} for ${action} from ${p.name}`}>Remove</button>
              </div>`,
            ),
          )}
        </div>`,
      )}
    </section>`;
}
