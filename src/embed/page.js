// The standalone page's stand-in (stand-in.js): index.html has the sign-in screen in both
// languages (crates/prerender); this keeps the person's, or none on a notice's link, until
// the app takes over (a press on Sign in kept until then); if the app cannot be loaded
// (index.html's loader, Trunk.toml, sends `app-passwords:unloaded`), says so. Inlined into
// index.html by scripts/dist.sh (esbuild).
import { keepPress, language, opensOnSignIn, prefetch, takeOver, unloaded } from './stand-in.js';

const stand = document.querySelector('[data-prerendered]');
if (stand) {
  const drawn = opensOnSignIn() && stand.querySelector(`:scope > [lang=${language()}]`);
  for (const other of [...stand.children]) if (other !== drawn) other.remove();
  if (drawn) {
    // A press before the app has come starts the chunk (JOURNEY: its path, scripts/dist.sh).
    keepPress(stand, () => prefetch(new URL(JOURNEY, location.href)));
    takeOver(stand, document.querySelector('[data-app-passwords-page]'));
    stand.addEventListener('app-passwords:unloaded', () => unloaded(stand));
  } else stand.remove();
}
