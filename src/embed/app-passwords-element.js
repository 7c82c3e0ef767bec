// The <app-passwords> custom element, and mount() for hosts that prefer calling code.
//
//   <script type="module" src="/app-passwords/app-passwords-element.js"></script>
//   <app-passwords endpoint="https://id.example.com" lang="fr"></app-passwords>
//
// mode="admin" shows a helpdesk's view instead (its own bundle, loaded only then), with
// the admin token the host's back end minted set as the write-only `adminToken`.
//
// The module renders inside the element's shadow root, so the host's CSS cannot break
// it and its CSS cannot leak out; theme it with the --ap-* custom properties, which
// do cross the shadow boundary. Events (app-passwords:signed-in, …) bubble out of it.
// No inline script or style anywhere: it runs under script-src 'self' 'wasm-unsafe-eval'
// and style-src 'self' (its stylesheet is a constructed one, which CSP does not govern).
//
// The built file keeps its name (hosts link it once; the server has browsers revalidate
// it). scripts/dist.sh bundles it (esbuild) with what the build made beside it: the
// content-hashed names of the files it loads (so browsers may cache those for good), the
// stylesheet's text, and the sign-in screen it shows while the wasm is on its way
// (crates/prerender, stand-in.js): the form is there as soon as this file has come.
import files from './files.json';
import css from './app.css';
import screens from './sign-in.json';
import {
  carry,
  fetched,
  keepPress,
  language,
  opensOnSignIn,
  prefetch,
  takeOver,
  unloaded,
} from './stand-in.js';

const here = new URL('.', import.meta.url);
let app = null;
let admin = null;

/**
 * Starts loading a bundle: its JS (imported dynamically, so this file runs without
 * waiting for it) and its WebAssembly are requested at once, one round trip after this
 * file — or the wasm is the response the host page started with itself (`fetched`:
 * docs/embedding.md) — and the wasm compiles while it streams. Resolves to the bundle's
 * export `entry`.
 */
async function bundle(wasmPath, jsPath, entry) {
  const wasm = fetched(new URL(wasmPath, here));
  const loaded = await import(jsPath);
  await loaded.default({ module_or_path: wasm });
  return loaded[entry];
}

/** Whether the app's own code has come (then it fetches the chunk itself). */
let appCame = false;

/** The app, once per page however many instances there are. Resolves to its `mount`. */
const load = () =>
  (app ??= bundle(files.app.wasm, files.app.js, 'mount').then((mount) => {
    appCame = true;
    return mount;
  }));

/**
 * A press on a stand-in's Sign in before the app has come: the screens after sign-in
 * start downloading now, beside the app's own code, rather than once it has come.
 */
const pressed = () => appCame || prefetch(new URL(files.app.journey, here));

/** The admin mode's bundle, loaded only when an element asks for it. */
const loadAdmin = () => (admin ??= bundle(files.admin.wasm, files.admin.js, 'mountAdmin'));

/**
 * The module's stylesheet, one for every shadow root. Hosts that mount() into their light
 * DOM adopt it too: `document.adoptedStyleSheets.push(stylesheet)`.
 */
export const stylesheet = new CSSStyleSheet();
stylesheet.replaceSync(css);

/**
 * Mounts the app in `element` (its light DOM; use <app-passwords> for isolation).
 * options: { endpoint, lang, sessionToken, events }. Resolves to a handle with
 * unmount(), setLang(lang) and setSessionToken(token) (an empty token signs the module
 * out). unmount() also frees the app's memory; the handle is spent after it.
 */
export async function mount(element, options = {}) {
  const mountWasm = await load();
  return handle(mountWasm(element, options));
}

/** The host's side of a mounted app: what it may call, and unmount() that frees. */
function handle(mounted) {
  let live = mounted;
  return {
    setLang: (lang) => live?.setLang(lang),
    setSessionToken: (token) => live?.setSessionToken?.(token || ''),
    setAdminToken: (token) => live?.setAdminToken?.(token || ''),
    unmount() {
      live?.unmount();
      live?.free();
      live = null;
    },
  };
}

class AppPasswordsElement extends HTMLElement {
  static observedAttributes = ['endpoint', 'lang', 'mode'];

  #handle = null;
  #token = '';
  #adminToken = '';
  #generation = 0;
  #point = null;
  #stand = null;
  #watch = null;

  constructor() {
    super();
    // A token the host set before this class was defined sits on the element as a
    // plain property, shadowing the setter: take it in, and leave nothing readable.
    for (const name of ['sessionToken', 'adminToken']) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        const token = this[name];
        delete this[name];
        this[name] = token;
      }
    }
  }

  /**
   * The admin token for mode="admin" (minted by the host's back end with its admin
   * credential, never the credential itself): write-only, in memory only.
   */
  set adminToken(token) {
    this.#adminToken = token || '';
    this.#handle?.setAdminToken(this.#adminToken);
  }

  get adminToken() {
    return undefined;
  }

  /**
   * The host's session token: write-only, kept in memory, never in an attribute. An
   * empty one signs the module out (the host's user signed out).
   */
  set sessionToken(token) {
    this.#token = token || '';
    this.#handle?.setSessionToken(this.#token);
    if (this.#stand) this.#showStandIn(); // signed in by the host: no sign-in to show
  }

  get sessionToken() {
    return undefined;
  }

  connectedCallback() {
    this.#start();
  }

  disconnectedCallback() {
    this.#generation += 1;
    this.#handle?.unmount();
    this.#handle = null;
  }

  attributeChangedCallback(name, before, after) {
    if (before === after) return;
    if (name === 'endpoint') {
      // The token belongs to the endpoint that issued it: never sent to another one.
      // The host hands over a session for the new endpoint, or the person signs in.
      // (Values set before the app first started — parsed, or set while upgrading —
      // are where the token goes.)
      if (this.#generation > 0) {
        this.#token = '';
        this.#adminToken = '';
      }
      if (this.#point && this.isConnected) this.#start(); // another endpoint: another app
    } else if (name === 'mode') {
      if (this.#point && this.isConnected) this.#start(); // the other view
    } else if (this.#handle) {
      this.#handle.setLang(after || '');
    } else if (this.#stand) {
      this.#showStandIn();
    }
  }

  async #start() {
    const generation = ++this.#generation;
    // The app for the old endpoint goes at once: a token set while the new one loads
    // must reach only the new one.
    this.#handle?.unmount();
    this.#handle = null;
    if (!this.shadowRoot) {
      const shadow = this.attachShadow({ mode: 'open' });
      shadow.adoptedStyleSheets = [stylesheet];
      this.#point = document.createElement('div');
      this.#point.className = 'ap-host';
      this.#point.toggleAttribute('data-app-passwords-page', true);
      shadow.append(this.#point);
    }
    this.#showStandIn();
    const admin = this.getAttribute('mode') === 'admin';
    let mountWasm;
    try {
      mountWasm = await (admin ? loadAdmin() : load());
    } catch (failed) {
      if (this.#stand?.isConnected) unloaded(this.#stand);
      throw failed;
    }
    if (generation !== this.#generation || !this.isConnected) return;
    this.#point.replaceChildren();
    const options = {
      endpoint: this.getAttribute('endpoint') || '',
      lang: this.getAttribute('lang') || '',
      events: this,
    };
    if (admin) options.adminToken = this.#adminToken;
    else options.sessionToken = this.#token;
    this.#handle = handle(mountWasm(this.#point, options));
  }

  /**
   * The sign-in screen drawn at build time, in the language the app will speak, before
   * the app's root until the app takes it over (stand-in.js); what was typed moves along
   * when the language changes. None where the app will not open on sign-in: the admin
   * view, a session the host handed over, a notice's link.
   */
  #showStandIn() {
    const wanted =
      !this.#handle && !this.#token && this.getAttribute('mode') !== 'admin' && opensOnSignIn();
    const lang = language(this.getAttribute('lang'));
    const shown = this.#stand?.isConnected ? this.#stand : null;
    if (wanted && shown?.firstElementChild.lang === lang) return;
    this.#watch?.disconnect();
    this.#stand = this.#watch = null;
    if (!wanted) return shown?.remove();
    const stand = document.createElement('div');
    stand.toggleAttribute('data-prerendered', true);
    try {
      stand.innerHTML = screens[lang];
    } catch {
      return shown?.remove(); // a host enforcing Trusted Types: the app's form, when it comes
    }
    keepPress(stand, pressed);
    this.#point.before(stand);
    if (shown) carry(shown, stand);
    this.#stand = stand;
    this.#watch = takeOver(stand, this.#point);
  }
}

if (!customElements.get('app-passwords')) {
  customElements.define('app-passwords', AppPasswordsElement);
}

// Start fetching and compiling the WebAssembly now, while the host page goes on, rather
// than when the first element connects: the embedded module then appears as soon as the
// standalone page (whose index.html preloads it). A failure is said in every element's
// sign-in screen (#start). Not on a page whose elements, all there already (this file is
// a module script: it runs once the page is parsed), all ask for the helpdesk's view,
// which is a bundle of its own: that page never needs the app.
const elements = [...document.querySelectorAll('app-passwords')];
if (!elements.length || elements.some((e) => e.getAttribute('mode') !== 'admin')) {
  load().catch(() => {});
}
