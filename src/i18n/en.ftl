# English messages. Fluent syntax (a subset: one line per message, { $var } placeholders),
# so the files could move to fluent-rs unchanged. build.rs checks that fr.ftl has the
# same keys and the same placeholders, and turns both into a compile-time table.

app-title = App passwords
lang-other = Français
signed-in-as = Signed in as { $name }
sign-out = Sign out
step-of = Step { $step } of { $total }
back = Back
working = Please wait…
endpoint-down = The sign-in service cannot be reached. Check your connection; this page tries again on its own.
endpoint-back = Connected again.
error-network = The sign-in service cannot be reached. Check your connection and try again; nothing you entered is lost.
error-summary-title = There is a problem
error-timeout = The sign-in service did not answer in time. Try again; nothing you entered is lost.
error-unexpected = Something went wrong on our side. Try again in a moment. (Reference: { $ref })
error-unexpected-noref = Something went wrong on our side. Try again in a moment.
error-rate-limited = Too many attempts. Try again in { $wait }.
error-account-disabled = This account is disabled. Contact your administrator.
error-busy = The sign-in service is busy. Try again in { $wait }.
error-directory = Your organization’s directory can’t be reached right now. Try again in { $wait }.
wait-seconds = { $n } s
wait-minutes = { $n } min

sign-in-title = Sign in
sign-in-lead = Use your work or school account. You will get an app password for Outlook, Apple Mail and other apps that cannot ask for a second verification.
username-label = Email or username
password-label = Password
sign-in-button = Sign in
error-credentials = The email, username or password is not correct.
error-username-missing = Enter your email or username.
error-password-missing = Enter your password.
sso-button = Sign in with { $name }
sso-or = or
signed-out = You have signed out.
session-expired = Your session has expired. Sign in again to carry on where you were.

