// Verifies one request authenticated with billgate's outbound Signature
// scheme, as a receiver using npm http-signature 1.4.0 (Joyent's reference
// implementation of draft-cavage-http-signatures) would. Reads
//   {"method": "POST", "path": "/hook", "headers": {"Date": ["…"], …}, "secret": "…"}
// from stdin and prints "ok", or "fail: <why>". Install with `make deps`;
// outbound/httpsignature_test.go runs it.
const httpSignature = require("http-signature");
const fs = require("fs");

const { method, path, headers, secret } = JSON.parse(fs.readFileSync(0, "utf8"));

// What parseRequest reads of a Node server's IncomingMessage: header names
// in lower case, several values joined by ", ".
const request = { method, url: path, httpVersion: "1.1", headers: {} };
for (const [name, values] of Object.entries(headers)) {
  request.headers[name.toLowerCase()] = values.join(", ");
}

try {
  const parsed = httpSignature.parseRequest(request);
  console.log(httpSignature.verifyHMAC(parsed, secret) ? "ok" : "fail: signature does not match");
} catch (err) {
  console.log("fail: " + err.message);
}
