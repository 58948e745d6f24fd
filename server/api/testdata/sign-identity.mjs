// Signs identity tokens with Node's jsonwebtoken, an implementation independent of Baton's, for
// server/api/identity_test.go. Reads {"keys": {name: secret}, "tokens": [{name, payload, key,
// options}]} on stdin and prints {name: token}. Besides the named secrets, key may be
// "rsa-private" (a fresh RSA key pair's private key, for RS256), "rsa-public" (its PEM public key
// used as an HMAC secret by jsonwebtoken) or "none" (no key, for alg none); "forge-rsa-public"
// builds the classic RS256-to-HS256 confusion by hand: HS256 with the PEM public key as secret.
import { createHmac, generateKeyPairSync } from "node:crypto";
import jwt from "jsonwebtoken";

const input = JSON.parse(await new Promise((resolve, reject) => {
  let s = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (d) => (s += d));
  process.stdin.on("end", () => resolve(s));
  process.stdin.on("error", reject);
}));

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicPEM = publicKey.export({ type: "spki", format: "pem" });
const b64url = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

const out = {};
for (const t of input.tokens) {
  const options = t.options || {};
  switch (t.key) {
    case "rsa-private":
      out[t.name] = jwt.sign(t.payload, privateKey, options);
      break;
    case "rsa-public":
      out[t.name] = jwt.sign(t.payload, publicPEM, options);
      break;
    case "forge-rsa-public": {
      const head = b64url({ alg: "HS256", typ: "JWT" }) + "." + b64url(t.payload);
      out[t.name] = head + "." + createHmac("sha256", publicPEM).update(head).digest("base64url");
      break;
    }
    case "none":
      out[t.name] = jwt.sign(t.payload, null, { ...options, algorithm: "none" });
      break;
    default:
      if (!(t.key in input.keys)) throw new Error("unknown key " + t.key);
      out[t.name] = jwt.sign(t.payload, input.keys[t.key], options);
  }
}
process.stdout.write(JSON.stringify(out));
