// The Users page: asks this portal's back end for an admin token for its signed-in
// operator (the back end holds the admin credential; the browser never does) and hands
// it to the element, write-only.
const helpdesk = document.getElementById('helpdesk');
const answer = await fetch('helpdesk-token', { method: 'POST' });
if (answer.ok) {
  helpdesk.adminToken = (await answer.json()).token;
}
