// make bench: what a user's browser gets, measured in headless Chromium through the
// DevTools protocol (playwright-core, pinned; Debian's Chromium, no browser download).
//
//   node bench/page-load.mjs APP_URL BARE_URL PORTAL_URL [RUNS]
//
// For each profile (loopback; Lighthouse's mobile: 150 ms round trip, 1.6 Mbps down,
// 750 kbps up, CPU 4x slower) and each page (the app, a bare Yew page, the app embedded
// in the example portal), RUNS alternating runs, each in a fresh browser context:
// - time from navigation start to the first frame that draws the sign-in field (an input
//   with autocomplete="username", in the document or in a shadow root), and to the app
//   being live (the field the app's own: on the standalone page, the sign-in screen
//   drawn at build time, crates/prerender, is there first and typeable; the app takes it
//   over when its wasm has come), and to Sign in taking a press (an enabled submit
//   button: the stand-in's keeps a press until the app has come, src/embed/stand-in.js);
// - bytes on the wire, as the browser saw them (Resource Timing transferSize, headers
//   included), for the first visit and for a second visit of the same page.
// - for the app, from the click on "Sign in" to the next screen, both fields filled at
//   once (signInOnce); and from navigation start to the next screen for a person (or a
//   password manager) who fills the form and presses Sign in as soon as it takes a press,
//   against one who waits for the app to be live (signInAtOnce).
// Prints medians and the ratios to the bare page.
import { createRequire } from 'node:module';

// playwright-core lives in .tools/ (scripts/tools.sh bench), not beside this file.
const tools = createRequire(new URL('../.tools/node_modules/', import.meta.url));
const { chromium } = tools('playwright-core');

const [appUrl, bareUrl, portalUrl, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 7);
const pages = { app: appUrl, bare: bareUrl, embedded: portalUrl };
const profiles = {
  loopback: null,
  mobile: { latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8), cpu: 4 },
};

// Records, before any page script runs, when the sign-in field is first drawn, and when
// the field drawn is the app's own (no prerendered screen left). Drawn: the next frame
// after it exists — a stylesheet still on its way holds frames back, so this is when the
// person sees the field, not when the parser made it.
const watchForField = () => {
  const drawn = (key) => requestAnimationFrame(() => { window[key] ??= performance.now(); });
  const seen = new Set();
  const mark = (key) => seen.has(key) || (seen.add(key), drawn(key));
  const look = (root) => {
    if (!root.querySelector('input[autocomplete="username"]')) return;
    mark('__fieldAt');
    if (root.querySelector('button[type=submit]:not(:disabled)')) mark('__pressAt');
    if (!root.querySelector('[data-prerendered]')) mark('__liveAt');
  };
  const observe = (root) => {
    // `disabled`: the stand-in's Sign in is enabled in place once it keeps presses.
    new MutationObserver(() => look(root))
      .observe(root, { childList: true, subtree: true, attributeFilter: ['disabled'] });
    look(root);
  };
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const shadow = attach.call(this, init);
    observe(shadow);
    return shadow;
  };
  document.addEventListener('DOMContentLoaded', () => observe(document), { once: true });
  if (document.documentElement) observe(document.documentElement);
};

const bytesOnTheWire = () =>
  performance
    .getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .reduce((sum, e) => sum + (e.transferSize || 0), 0);

/** A page in a fresh browser context, under `profile`'s network and CPU (none: as is). */
async function emulated(browser, profile) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (profile) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: profile.latency,
      downloadThroughput: profile.downloadThroughput,
      uploadThroughput: profile.uploadThroughput,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  }
  return { context, page };
}

async function once(browser, url, profile) {
  const { context, page } = await emulated(browser, profile);
  await page.addInitScript(watchForField);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__liveAt !== undefined, null, { timeout: 60000 });
  const { field, live, press } = await page.evaluate(() => ({
    field: window.__fieldAt, live: window.__liveAt, press: window.__pressAt ?? window.__liveAt,
  }));
  await page.waitForLoadState('networkidle');
  const first = await page.evaluate(bytesOnTheWire);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__liveAt !== undefined, null, { timeout: 60000 });
  await page.waitForLoadState('networkidle');
  const second = await page.evaluate(bytesOnTheWire);
  await context.close();
  return { field, live, press, first, second };
}

/** Waits for the screen after a first-time user's sign-in. */
const nextScreen = (page) =>
  page.waitForFunction(
    () => document.querySelector('h1')?.textContent === 'Secure your account first',
    null,
    { timeout: 60000 },
  );

// From the click on "Sign in" to the next screen's heading, the fields filled at once
// (as a password manager does) and submitted straight away: the screens after sign-in
// are a chunk fetched from the first key typed (src/lazy.rs), so here it races the
// sign-in request instead of having arrived while the person typed. Filled once the app
// is live (not into the page's prerendered form), as before it had one.
async function signInOnce(browser, url, profile) {
  const { context, page } = await emulated(browser, profile);
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => !document.querySelector('[data-prerendered]'), null, { timeout: 60000 });
  await page.waitForSelector('#ap-username', { timeout: 60000 });
  await page.fill('#ap-username', 'new.user@contoso.example');
  await page.fill('#ap-password', 'Demo-new-2026');
  const start = await page.evaluate(() => performance.now());
  await page.click('button[type=submit]');
  await nextScreen(page);
  const next = (await page.evaluate(() => performance.now())) - start;
  await context.close();
  return next;
}

// From navigation start to the next screen's heading, for a person who fills the form and
// presses Sign in as soon as it takes a press (`whenLive` false: the stand-in's, drawn at
// build time, which keeps it until the app has come) or only once the app is live (true,
// as everyone had to before the stand-in kept presses).
async function signInAtOnce(browser, url, profile, whenLive) {
  const { context, page } = await emulated(browser, profile);
  await page.goto(url, { waitUntil: 'commit' });
  const ready = whenLive
    ? () => !document.querySelector('[data-prerendered]') && document.querySelector('button[type=submit]:not(:disabled)')
    : () => document.querySelector('button[type=submit]:not(:disabled)');
  await page.waitForFunction(ready, null, { timeout: 60000, polling: 'raf' });
  await page.evaluate(() => {
    const root = document.querySelector('[data-prerendered]') ?? document;
    for (const [id, value] of [['ap-username', 'new.user@contoso.example'], ['ap-password', 'Demo-new-2026']]) {
      const field = root.querySelector(`#${id}`);
      field.value = value;
      field.dispatchEvent(new InputEvent('input', { bubbles: true }));
    }
    root.querySelector('button[type=submit]').click();
  });
  await nextScreen(page);
  const next = await page.evaluate(() => performance.now());
  await context.close();
  return next;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  for (const [name, profile] of Object.entries(profiles)) {
    const results = Object.fromEntries(Object.keys(pages).map((p) => [p, []]));
    for (let run = 0; run < runs; run += 1) {
      // Alternate the order, so no page always runs on a warmer machine.
      const order = run % 2 ? Object.keys(pages).reverse() : Object.keys(pages);
      for (const p of order) results[p].push(await once(browser, pages[p], profile));
    }
    const med = (p, k) => median(results[p].map((r) => r[k]));
    console.log(`-- ${name}${profile ? ' (150 ms RTT, 1.6/0.75 Mbps, CPU 4x)' : ''}: medians of ${runs} runs`);
    for (const p of Object.keys(pages)) {
      console.log(
        `${p.padEnd(9)} sign-in field at ${med(p, 'field').toFixed(0).padStart(5)} ms ` +
          `(Sign in takes a press at ${med(p, 'press').toFixed(0).padStart(5)} ms, ` +
          `live at ${med(p, 'live').toFixed(0).padStart(5)} ms) | ` +
          `first visit ${(med(p, 'first') / 1024).toFixed(1).padStart(6)} KB | ` +
          `second visit ${(med(p, 'second') / 1024).toFixed(1).padStart(5)} KB`,
      );
    }
    const bare = med('bare', 'field');
    const signIns = [];
    for (let run = 0; run < runs; run += 1) signIns.push(await signInOnce(browser, pages.app, profile));
    console.log(`app       sign-in, fields filled at once: next screen ${median(signIns).toFixed(0).padStart(5)} ms after the click`);
    const atOnce = { early: [], live: [] };
    for (let run = 0; run < runs; run += 1) {
      for (const whenLive of run % 2 ? [true, false] : [false, true]) {
        atOnce[whenLive ? 'live' : 'early'].push(await signInAtOnce(browser, pages.app, profile, whenLive));
      }
    }
    console.log(
      `app       pressed as soon as Sign in takes it: next screen at ${median(atOnce.early).toFixed(0).padStart(5)} ms; ` +
        `pressed once the app is live: at ${median(atOnce.live).toFixed(0).padStart(5)} ms (from navigation)`,
    );
    console.log(
      `ratios to the bare Yew page: app ${(med('app', 'field') / bare).toFixed(2)}x, ` +
        `embedded ${(med('embedded', 'field') / bare).toFixed(2)}x ` +
        `(goals: ${profile ? '1.3x' : '1.5x'}; embedded no slower than the app); ` +
        `Sign in takes a press: app ${(med('app', 'press') / bare).toFixed(2)}x, ` +
        `embedded ${(med('embedded', 'press') / bare).toFixed(2)}x; ` +
        `live: app ${(med('app', 'live') / bare).toFixed(2)}x, ` +
        `embedded ${(med('embedded', 'live') / bare).toFixed(2)}x`,
    );
  }
} finally {
  await browser.close();
}
