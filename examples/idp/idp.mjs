// The demo organization's OpenID provider: panva's OpenID-certified `oidc-provider`,
// whose sign-in checks the demo directory's people (a bind as the person, found by a
// service account) and asks a one-time code (TOTP) of the members of the MFA group,
// saying honestly how they signed in: `amr` ["pwd"], or ["pwd", "otp", "mfa"].
//
//   node examples/idp/idp.mjs [examples/idp/contoso.json]
//
// What differs between runs comes from the environment (the tests' `Idp` and
// `make run-org` set it):
//   IDP_ISSUER              http://127.0.0.1:9400 (the port it listens on is the issuer's)
//   IDP_STATE               a folder of its own: its signing keys (jwks.json, 0600)
//   IDP_LDAP_URL            the directory (ldap://127.0.0.1:1389)
//   IDP_LDAP_SECRET_FILE    the provider's service account's password
//   IDP_CLIENTS             the relying parties: a JSON list of
//                           {client_id, secret_file, redirect_uris}
//   IDP_ROTATE=1            start with a new signing key first (the old one still
//                           published), as a provider rotating its key does
//   IDP_ID_TOKEN_TTL        seconds an ID token lives (600)
//   IDP_RESOURCE            the app-passwords endpoint as a resource server (RFC 8707,
//                           its public URL), and IDP_RESOURCE_AUDIENCE its client id: a
//                           portal asking for an access token for it gets a JWT
//                           (RFC 9068) with that audience, the person's mail and how they
//                           signed in, to hand them over (RFC 8693 token exchange)
//
// Demo only: sessions and codes live in memory (a restart signs everyone out).

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import { Client } from 'ldapts';
import Provider, { errors } from 'oidc-provider';
import { TOTP, Secret } from 'otpauth';

const config = JSON.parse(readFileSync(process.argv[2] ?? new URL('contoso.json', import.meta.url), 'utf8'));
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`idp.mjs: ${name} is not set`);
  return value;
};
const issuer = new URL(env('IDP_ISSUER'));
const state = env('IDP_STATE');
const ldapUrl = env('IDP_LDAP_URL');
const ldapSecret = readFileSync(env('IDP_LDAP_SECRET_FILE'), 'utf8').trim();
const resource = process.env.IDP_RESOURCE;
const resourceAudience = process.env.IDP_RESOURCE_AUDIENCE;
const clients = JSON.parse(env('IDP_CLIENTS')).map((c) => ({
  client_id: c.client_id,
  client_secret: readFileSync(c.secret_file, 'utf8').trim(),
  redirect_uris: c.redirect_uris,
  response_types: ['code'],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'client_secret_basic',
  require_auth_time: true,
}));

// Signing keys, kept so a restart does not invalidate what was issued; the first signs.
function signingKeys() {
  mkdirSync(state, { recursive: true });
  const file = join(state, 'jwks.json');
  const keys = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).keys : [];
  if (keys.length === 0 || process.env.IDP_ROTATE === '1') {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys.unshift({ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' });
    writeFileSync(file, JSON.stringify({ keys: keys.slice(0, 2) }), { mode: 0o600 });
  }
  return { keys: keys.slice(0, 2) };
}

// RFC 4515: a value put into a filter.
const escapeFilter = (value) => value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

async function asService(work) {
  const client = new Client({ url: ldapUrl, timeout: 5000, connectTimeout: 5000 });
  try {
    await client.bind(config.directory.bindDn, ldapSecret);
    return await work(client);
  } finally {
    await client.unbind().catch(() => {});
  }
}

const ATTRIBUTES = ['entryUUID', 'mail', 'cn', 'uid'];

function person(entry) {
  return {
    dn: entry.dn,
    sub: String(entry.entryUUID),
    email: String(entry.mail),
    name: String(entry.cn),
  };
}

async function findByName(name) {
  return asService(async (client) => {
    const filter = config.directory.userFilter.replaceAll('{name}', escapeFilter(name));
    const { searchEntries } = await client.search(config.directory.base, { scope: 'sub', filter, attributes: ATTRIBUTES, sizeLimit: 2 });
    return searchEntries.length === 1 ? person(searchEntries[0]) : undefined;
  });
}

async function findBySubject(sub) {
  return asService(async (client) => {
    const filter = `(entryUUID=${escapeFilter(sub)})`;
    const { searchEntries } = await client.search(config.directory.base, { scope: 'sub', filter, attributes: ATTRIBUTES, sizeLimit: 2 });
    return searchEntries.length === 1 ? person(searchEntries[0]) : undefined;
  });
}

async function inMfaGroup(dn) {
  return asService(async (client) => {
    const filter = `(member=${escapeFilter(dn)})`;
    const { searchEntries } = await client.search(config.directory.mfaGroup, { scope: 'base', filter, attributes: ['cn'] });
    return searchEntries.length === 1;
  });
}

// The person's own password, checked by the directory: a bind as them.
async function passwordIsRight(dn, password) {
  if (!password) return false;
  const client = new Client({ url: ldapUrl, timeout: 5000, connectTimeout: 5000 });
  try {
    await client.bind(dn, password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => {});
  }
}

function otpIsRight(email, code) {
  const seed = config.otp[email];
  if (!seed || !/^\d{6}$/.test(code ?? '')) return false;
  const totp = new TOTP({ secret: Secret.fromBase32(seed), digits: 6, period: 30, algorithm: 'SHA1' });
  return totp.validate({ token: code, window: 1 }) !== null;
}

const provider = new Provider(issuer.href.replace(/\/$/, ''), {
  clients,
  jwks: signingKeys(),
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  // How the person signed in (RFC 8176 amr, acr, auth_time) is said in every ID token.
  claims: { sid: null, openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'] },
  // The relying party reads who the person is from the ID token itself.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: Boolean(resource),
      useGrantedResource: () => true,
      async getResourceServerInfo(ctx, indicator) {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return { scope: 'openid', audience: resourceAudience, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  // An access token for the endpoint says who the person is and how they signed in.
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'AccessToken' || !token.resourceServer) return undefined;
    const found = await findBySubject(token.accountId);
    const code = ctx.oidc.entities.AuthorizationCode;
    return { email: found?.email, amr: code?.amr, auth_time: code?.authTime };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  acrValues: [config.acr.pwd, config.acr.mfa],
  async findAccount(ctx, sub) {
    const found = await findBySubject(sub);
    if (!found) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email: found.email, email_verified: true, name: found.name };
      },
    };
  },
  // The organization's own relying parties: no consent screen.
  async loadExistingGrant(ctx) {
    const { client, session, provider: p } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (grantId) return p.Grant.find(grantId);
    const grant = new p.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope('openid email profile');
    for (const indicator of Object.keys(ctx.oidc.resourceServers ?? {})) grant.addResourceScope(indicator, 'openid');
    await grant.save();
    return grant;
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: Number(process.env.IDP_ID_TOKEN_TTL ?? 600), Interaction: 600, Session: 3600, Grant: 3600 },
});

// People part-way through a sign-in who still owe a one-time code, by interaction, with
// the wrong codes they tried: after OTP_TRIES the sign-in starts again from the password.
const owingCode = new Map();
const OTP_TRIES = 5;

const page = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${title} — ${config.name}</title>
<style>body{font:16px system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
label{display:block;margin:1rem 0 .25rem}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{margin-top:1.25rem;padding:.6rem 1.2rem;font:inherit;background:#1d4ed8;color:#fff;border:0;border-radius:4px}
[role=alert]{color:#b91c1c}</style></head>
<body><main><h1>${title}</h1><p>${config.name}</p>${body}</main></body></html>`;

const html = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(uid, error, name = '') {
  return page('Sign in', `${error ? `<p role="alert">${html(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label for="username">Email</label><input id="username" name="username" autocomplete="username" value="${html(name)}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>`);
}

function otpForm(uid, error) {
  return page('Enter your code', `${error ? `<p role="alert">${html(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/otp">
<label for="otp">Code from your authenticator app</label><input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Verify</button></form>`);
}

async function body(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 8192) throw new Error('body too large');
  }
  return new URLSearchParams(text);
}

function send(res, status, content) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(content);
}

const finish = (req, res, sub, amr) => provider.interactionFinished(req, res, {
  login: { accountId: sub, amr, acr: amr.includes('mfa') ? config.acr.mfa : config.acr.pwd, remember: false },
}, { mergeWithLastSubmission: false });

async function interaction(req, res, uid, step) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Sign in', '<p role="alert">This sign-in has expired. Start again.</p>'));
  if (req.method === 'GET') {
    return send(res, 200, owingCode.has(uid) ? otpForm(uid) : loginForm(uid));
  }
  const form = await body(req);
  if (step === 'login') {
    const name = (form.get('username') ?? '').trim();
    const found = name ? await findByName(name) : undefined;
    if (!found || !(await passwordIsRight(found.dn, form.get('password')))) {
      return send(res, 200, loginForm(uid, 'That email or password is not right.', name));
    }
    if (await inMfaGroup(found.dn)) {
      owingCode.set(uid, found);
      return send(res, 200, otpForm(uid));
    }
    return finish(req, res, found.sub, ['pwd']);
  }
  if (step === 'otp') {
    const found = owingCode.get(uid);
    if (!found) return send(res, 200, loginForm(uid));
    if (!otpIsRight(found.email, form.get('otp'))) {
      found.wrong = (found.wrong ?? 0) + 1;
      if (found.wrong >= OTP_TRIES) {
        owingCode.delete(uid);
        return send(res, 200, loginForm(uid, 'Too many wrong codes. Sign in again.'));
      }
      return send(res, 200, otpForm(uid, 'That code is not right.'));
    }
    owingCode.delete(uid);
    return finish(req, res, found.sub, ['pwd', 'otp', 'mfa']);
  }
  return send(res, 404, page('Not found', ''));
}

const oidc = provider.callback();
createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|otp))?$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return oidc(req, res);
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (error) {
    console.error(`idp.mjs: ${error.message}`);
    send(res, error.name === 'SessionNotFound' ? 400 : 503, page('Sign in', '<p role="alert">Sign-in is unavailable. Start again.</p>'));
  }
}).listen(Number(issuer.port), issuer.hostname, () => {
  console.log(`${config.name}'s OpenID provider on ${issuer.href}`);
});
