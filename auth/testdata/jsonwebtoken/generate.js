// Generates ../jsonwebtoken.json: tokens made by the npm jsonwebtoken
// package (the reference implementation billgate interoperates with), and
// whether billgate must accept them. Run from this directory:
//   npm install && node generate.js
// TestJSONWebTokenVectors in auth/token_test.go verifies them with the same
// keys, issuer, audience and clock.
const jwt = require("jsonwebtoken");
const fs = require("fs");

const secret = Buffer.from("1".repeat(32)); // keyOne in token_test.go
const now = Date.UTC(2030, 0, 2, 3, 4, 5) / 1000; // tokenNow
const claims = {
  sub: "019a0000-0000-7000-8000-000000000001",
  sid: "019a0000-0000-7000-8000-000000000002",
  roles: ["business"],
  iat: now,
  nbf: now,
  exp: now + 600,
};
const opts = (extra) => ({ algorithm: "HS256", keyid: "one", issuer: "https://billgate.test", audience: "billgate", ...extra });
const sign = (payload, options, key = secret) => jwt.sign(payload, key, options);

const vectors = [
  { name: "HS256, every claim", accept: true, token: sign(claims, opts()) },
  { name: "HS256, audience in a list", accept: true, token: sign(claims, opts({ audience: ["other", "billgate"] })) },
  { name: "alg none", accept: false, token: sign(claims, { algorithm: "none", keyid: "one", issuer: "https://billgate.test", audience: "billgate" }) },
  { name: "HS384", accept: false, token: sign(claims, opts({ algorithm: "HS384" })) },
  { name: "another secret", accept: false, token: sign(claims, opts(), Buffer.from("x".repeat(32))) },
  { name: "no kid", accept: false, token: sign(claims, { algorithm: "HS256", issuer: "https://billgate.test", audience: "billgate" }) },
  { name: "another issuer", accept: false, token: sign(claims, opts({ issuer: "https://evil.test" })) },
  { name: "another audience", accept: false, token: sign(claims, opts({ audience: "payments" })) },
  { name: "expired", accept: false, token: sign({ ...claims, exp: now - 60 }, opts()) },
  { name: "no exp", accept: false, token: sign((({ exp, ...rest }) => rest)(claims), opts()) },
  { name: "not yet valid", accept: false, token: sign({ ...claims, nbf: now + 120 }, opts()) },
];
fs.writeFileSync("../jsonwebtoken.json", JSON.stringify({ generator: "jsonwebtoken " + require("jsonwebtoken/package.json").version, vectors }, null, 2) + "\n");
