// Generates ../http-signature.json: requests signed with HMAC by the npm
// http-signature package (Joyent's reference implementation of
// draft-cavage-http-signatures), which billgate must verify. Regenerate with:
//   cd auth/signature/testdata/http-signature && npm ci && node generate.js
// TestHTTPSignatureVectors in auth/signature/vectors_test.go parses each
// Authorization header, rebuilds the signing string and verifies it.
const httpSignature = require("http-signature");
const { OutgoingMessage } = require("http");
const crypto = require("crypto");
const fs = require("fs");

// A fixed Date header and clock (for created/expires), so the vectors are
// the same on every run: signingNow in vectors_test.go.
const date = "Tue, 07 Jun 2014 20:51:35 GMT";
Date.now = () => Date.parse(date);

const secret = "portabilling-shared-secret-0001";

// request is a never-sent message: Node's own header store (case-insensitive
// getHeader, names kept as set), plus the method and path the signer reads.
function request(method, path, headers) {
  const req = new OutgoingMessage();
  req.method = method;
  req.path = path;
  for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
  req._stringToSign = null; // the signer fills it in when the property exists
  return req;
}

function digest(body) {
  return "SHA-256=" + crypto.createHash("sha256").update(body).digest("base64");
}

function vector(name, { method = "GET", path = "/v1/accounts", headers = {}, body = "", key = secret, options }) {
  const req = request(method, path, { Host: "billgate.test", Date: date, ...headers });
  httpSignature.sign(req, { keyId: "porta-1", key, ...options });
  const sent = {};
  for (const raw of req.getRawHeaderNames()) {
    if (raw.toLowerCase() !== "authorization") sent[raw] = req.getHeader(raw);
  }
  return {
    name, method, path, headers: sent, body, secret: key,
    authorization: req.getHeader("Authorization"),
    signingString: req._stringToSign,
  };
}

const invoice = JSON.stringify({ account: "acc-42", amount: "19.90", currency: "EUR" });

const vectors = [
  vector("default headers: date only", { options: { algorithm: "hmac-sha256" } }),
  vector("request-target host date", {
    options: { algorithm: "hmac-sha256", headers: ["(request-target)", "host", "date"] },
  }),
  vector("POST with body and digest", {
    method: "POST", path: "/v1/invoices", body: invoice,
    headers: { "Content-Type": "application/json", Digest: digest(invoice) },
    options: { algorithm: "hmac-sha256", headers: ["(request-target)", "date", "digest", "content-type"] },
  }),
  vector("hmac-sha1", {
    options: { algorithm: "hmac-sha1", headers: ["(request-target)", "host", "date"] },
  }),
  vector("query string in the path", {
    path: "/v1/invoices?status=open&limit=10&from=2014-06-01T00%3A00%3A00Z",
    options: { algorithm: "hmac-sha256", headers: ["(request-target)", "host", "date"] },
  }),
  vector("mixed-case header names", {
    method: "PUT", path: "/v1/Accounts/ACC-42", body: "{}",
    headers: { "CONTENT-TYPE": "application/json", "x-Request-Id": "req-7f3a", Digest: digest("{}") },
    options: { algorithm: "HMAC-SHA256", headers: ["(Request-Target)", "Host", "Date", "Content-Type", "X-Request-ID", "Digest"] },
  }),
  vector("created and expires", {
    method: "DELETE", path: "/v1/sessions/current",
    options: { algorithm: "hmac-sha256", headers: ["(request-target)", "(created)", "(expires)", "host"], expiresIn: 300 },
  }),
  vector("secret with base64 punctuation, six headers", {
    method: "PATCH", path: "/v1/subscriptions/sub-1?dry_run=true", body: '{"plan":"pro"}',
    key: "c2VjcmV0/with+base64=chars",
    headers: { "Content-Type": "application/merge-patch+json", Digest: digest('{"plan":"pro"}'), "Content-Length": "14" },
    options: { algorithm: "hmac-sha1", headers: ["(request-target)", "host", "date", "digest", "content-type", "content-length"] },
  }),
];

const generator = "http-signature " + require("http-signature/package.json").version;
fs.writeFileSync("../http-signature.json", JSON.stringify({ generator, date, vectors }, null, 2) + "\n");
