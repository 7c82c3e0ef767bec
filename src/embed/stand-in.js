// The sign-in screen drawn at build time (crates/prerender) stands in for the app's own
// until the app has drawn it: in the standalone page (page.js, inlined into index.html)
// and in each <app-passwords> element's shadow root (app-passwords-element.js). The
// person sees the form and types into it while the wasm is on its way, and may press
// Sign in (or Enter, or a password manager submit it): the press is kept until the app
// has come, which then signs in with what was typed (keepPress). Nothing the person typed
// is sent before the app is there to send it; what a press does start at once is the
// download of the screens after sign-in (the chunk, src/lazy.rs), which the app would
// otherwise ask for only once it has come (prefetch). The app's root is hidden while a
// stand-in is before it (styles/app.css).

/**
 * Starts fetching the bundle's file at `url` for the loader that will want it: the
 * element's (the app's wasm) or the glue's (a chunk) take it by its file name
 * (`fetched`) instead of asking again. A file is fetched once: WebKit downloads a second
 * `fetch` of it again (and a `<link rel="preload" as="fetch">` too), even when cached. The
 * host page's own line for the wasm (docs/embedding.md) fills the same table.
 */
export function prefetch(url) {
  const early = (self.appPasswordsFetched ??= {});
  const name = url.pathname.split('/').pop();
  if (name in early) return;
  early[name] = fetch(url);
  early[name].catch(() => {}); // the loader that takes it says a failure
}

/**
 * The bundle's file at `url`: the response a page started for its name (prefetch, or
 * the host's line), taken once — names are content-hashed, so a name is its bytes — or
 * else fetched now. The glue's chunk loader has this very function
 * (scripts/bundle/wasm-bindgen copies it).
 */
export function fetched(url) {
  const early = self.appPasswordsFetched;
  const name = url.pathname.split('/').pop();
  if (!early || !(name in early)) return fetch(url);
  const response = early[name];
  delete early[name];
  return response;
}

/**
 * The language the app will speak: the first of `wanted` (an element's `lang`), then of
 * the browser's languages, that it speaks; else English. The app's rule, written in
 * Rust too (`Lang::from_tag`, `Lang::from_browser`, src/i18n.rs): change both together.
 */
export const language = (...wanted) =>
  [...wanted, ...navigator.languages, navigator.language]
    .map((tag) => (tag || '').split(/[-_]/)[0].toLowerCase())
    .find((tag) => tag === 'en' || tag === 'fr') ?? 'en';

/** Whether the app opens on sign-in: not on a notice's link, where it opens on another screen. */
export const opensOnSignIn = () => !location.hash.startsWith('#disown=');

const FIELDS = ['ap-username', 'ap-password'];

/**
 * Keeps a press on `stand`'s Sign in — a click, Enter, a password manager's
 * `requestSubmit()` — until the app has come (carry hands it on): the button says what
 * the app's says while it works, and the fields hold still, so what the app sends is what
 * the person saw when they pressed. The form is `method="dialog"`: the browser itself
 * sends nothing. `onPress` runs at a press (the page prefetches the chunk then).
 */
export function keepPress(stand, onPress = () => {}) {
  stand.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!stand.hasAttribute(PRESSED)) onPress();
    press(stand);
  });
  // Drawn disabled (crates/prerender): no press before one can be kept.
  stand.querySelector('button[type=submit]').disabled = false;
}

const PRESSED = 'data-pressed';

function press(stand) {
  if (stand.hasAttribute(PRESSED)) return;
  stand.toggleAttribute(PRESSED, true);
  const button = stand.querySelector('button[type=submit]');
  button.dataset.label = button.textContent;
  button.textContent = button.dataset.working;
  button.disabled = true;
  for (const id of FIELDS) stand.querySelector(`#${id}`).readOnly = true;
}

/**
 * Moves what was typed into `from`'s sign-in fields to `to`'s (as `input` events, which
 * the app takes like keys), the focus and the caret with it, and removes `from`. A press
 * kept by `from` goes along: to another stand-in (the element's language changed) as a
 * press kept there, to the app as its own form submitted — its Sign in, in the same task.
 */
export function carry(from, to) {
  const active = from.getRootNode().activeElement;
  const focused = from.contains(active) && active;
  from.remove();
  for (const id of FIELDS) {
    const field = to.querySelector(`#${id}`);
    field.value = from.querySelector(`#${id}`).value;
    field.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }
  if (focused) {
    const field = to.querySelector(`#${focused.id}`);
    field.focus();
    field.setSelectionRange(focused.selectionStart, focused.selectionEnd);
  }
  if (!from.hasAttribute(PRESSED)) return;
  if (to.hasAttribute('data-prerendered')) press(to);
  else to.querySelector('form').requestSubmit();
}

/**
 * Says in `stand` that the app could not be loaded (crates/prerender wrote the text, in
 * a template); Sign in is disabled and a kept press let go (its label back, the fields
 * editable again: the person can copy what they typed).
 */
export function unloaded(stand) {
  for (const said of stand.querySelectorAll('template[data-unloaded]')) said.replaceWith(said.content);
  const button = stand.querySelector('button[type=submit]');
  if (stand.hasAttribute(PRESSED)) {
    stand.removeAttribute(PRESSED);
    button.textContent = button.dataset.label;
    for (const id of FIELDS) stand.querySelector(`#${id}`).readOnly = false;
  }
  button.disabled = true;
}

/**
 * Once the app has drawn its own sign-in form in `page`, carries `stand`'s over to it —
 * in the same task: no key falls between the two forms, no frame shows both. Returns the
 * watch, for a stand-in given up before then.
 */
export function takeOver(stand, page) {
  const watch = new MutationObserver(() => {
    if (!page.querySelector(`#${FIELDS[1]}`)) return;
    watch.disconnect();
    carry(stand, page);
  });
  watch.observe(page, { childList: true, subtree: true });
  return watch;
}
