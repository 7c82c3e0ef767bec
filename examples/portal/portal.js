// The portal's own script: listens to what the embedded module reports, as a host
// would (audit log, analytics, refreshing its own views). `?hostile` also loads a
// deliberately hostile stylesheet, to see that the module stays intact.

window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});

const names = ['signed-in', 'method-registered', 'app-password-created',
  'app-password-revoked', 'signed-out', 'session-expired', 'admin-action'];
for (const name of names) {
  document.addEventListener(`app-passwords:${name}`, (e) => {
    const item = document.createElement('li');
    item.textContent = `${e.type} ${JSON.stringify(e.detail)}`;
    document.getElementById('event-log')?.append(item);
  });
}

if (new URLSearchParams(location.search).has('hostile')) {
  const sheet = document.createElement('link');
  sheet.rel = 'stylesheet';
  sheet.href = 'hostile.css';
  document.head.append(sheet);
}

// Signed in to the portal through the organization's provider (its back end's /sign-in,
// where the endpoint offers single sign-on): the portal's back end exchanged that
// sign-in for a session of the module (RFC 8693), handed to the element here, in
// memory only.
fetch('/session').then((res) => (res.ok ? res.json() : null)).then((session) => {
  if (session?.token) {
    for (const element of document.querySelectorAll('app-passwords')) {
      element.sessionToken = session.token;
    }
    document.querySelector('.portal-user').textContent =
      `Signed in to the portal as ${session.name ?? 'you'}`;
    document.querySelector('.portal-sso')?.remove();
  }
}, () => {});
