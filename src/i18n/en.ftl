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
error-mfa-locked = Verification is locked after too many wrong codes. Contact your administrator to unlock it.
error-method-not-allowed = Your administrator does not allow this method. Choose another one.
error-delivery-failed = The code could not be sent. Check the number or address, or try again in a moment.
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
signed-out = You have signed out.
session-expired = Your session has expired. Sign in again to carry on where you were.





error-phone = Enter the number with its country code, starting with +, for example +33 6 12 34 56 78.
error-email = Enter an email address such as name@example.com.

code-announce = Code sent to { $dest }.
error-code-format = Enter the 6 digits of the code.
error-code-wrong = That code is not correct. { $left } tries left.
error-code-wrong-one = That code is not correct. 1 try left.
error-code-wrong-plain = That code is not correct. Check it and try again.
error-code-expired = That code has expired. Send a new code.
error-code-too-many = Too many wrong codes. Send a new code to try again.
error-resend-too-soon = A code was sent moments ago. Wait { $wait } before asking for another.



key-name-default = Security key
error-key-name = Use 1 to 64 characters for the name, without control characters.
error-key-cancelled = The security key did not answer: the request was cancelled or timed out. Try again, or use another method.
error-key-exists = This security key is already registered. Use another key, or another method.
error-key-unsupported = This browser cannot use security keys. Use another method, or an up-to-date Chrome, Edge, Firefox or Safari.
error-key-wrong-site = Security keys cannot be used on this page's address. Contact your administrator.
error-key-failed = The security key could not be used. Try again, or use another method.
error-key-refused = The security key's answer was not accepted. { $left } tries left.
error-key-refused-plain = The security key's answer was not accepted. Try again.
error-key-required = Your organization requires a security key or passkey to create app passwords.

name-default = App password
error-name-taken = You already have an app password with this name. Choose another name.
error-name-invalid = Use 1 to 64 characters for the name.
error-scopes = Choose at least one use.
error-expiry = Choose one of the lifetimes offered: your administrator has changed them.
error-limit = You have reached the limit of { $limit } app passwords. Delete one you no longer use first.
error-limit-unknown = You have reached the limit of app passwords. Delete one you no longer use first.

copied = Copied
copied-announce = App password copied to the clipboard.

deleted = “{ $name }” was deleted.
deleted-all = All app passwords were deleted.

error-current-missing = Enter your current password.
error-current-wrong = Your current password is not correct.
error-new-short = Use at least 8 characters.
error-new-long = Use at most 256 characters.
error-new-same = Choose a password other than your current one.
error-new-guessable = This password is too easy to guess: it is common, or close to your name or organization. Try three or four unrelated words.

error-link-spent = This link has already been used or has expired. If something was added to your account that you did not add, sign in, delete it and change your password.
