# English messages. Fluent syntax (a subset: one line per message, { $var } placeholders),
# so the files could move to fluent-rs unchanged. build.rs checks that fr.ftl has the
# same keys and the same placeholders, and turns both into a compile-time table.

app-title = App passwords
lang-other = Français
signed-in-as = Signed in as { $name }
sign-out = Sign out
step-of = Step { $step } of { $total }
back = Back
cancel = Cancel
working = Please wait…
try-again = Try again
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

na-title = App passwords are not available
na-mfa-not-required = Your administrator has not made multi-factor authentication required for this account, so app passwords are not available to you. Your apps can sign in with your usual password.
na-disabled = Your administrator has turned off app passwords for this account.
na-ask-admin = If an app you use needs an app password, ask your administrator.

intro-title = Secure your account first
intro-lead = Your organization requires a second way to prove it is you (multi-factor authentication). Set it up once, then you will get your app password.
intro-why = Older apps such as Outlook 2016, Apple Mail or IMAP and SMTP clients cannot ask for that second verification, so they sign in with an app password instead.
intro-button = Set it up now
intro-key-lead = Your organization requires a security key or passkey before you create an app password: codes sent by text or shown in an app can be tricked out of you by a fake sign-in page; a key cannot.

choose-title = Choose a method
choose-lead = How do you want to prove it is you when you sign in?
kind-totp = Authenticator app
kind-totp-hint = Microsoft Authenticator, Google Authenticator, 1Password or any app that shows 6-digit codes.
kind-sms = Text message
kind-sms-hint = We text a code to your mobile phone.
kind-voice = Phone call
kind-voice-hint = We call your phone and read out a code.
kind-email = Email
kind-email-hint = We send a code to an address other than this account.
kind-passkey = Security key or passkey
kind-passkey-hint = A USB or NFC key, or your device's fingerprint, face or screen lock. It only works on this site, so a fake page cannot use it.
kind-passkey-unsupported = This browser cannot use security keys. Choose another method, or use an up-to-date Chrome, Edge, Firefox or Safari.
choose-key-lead = Your organization requires a security key or passkey to create app passwords.
continue = Continue

totp-title = Set up your authenticator app
totp-scan = In your authenticator app, add an account and scan this QR code.
totp-qr-label = QR code to scan with your authenticator app
totp-manual = Cannot scan? Enter this key instead:
totp-key-label = Setup key
totp-copy-key = Copy key
totp-copy-fallback-label = Setup key, without spaces
totp-copy-fallback = Your browser did not allow copying. The key is selected: press Ctrl+C (⌘C on a Mac) to copy it.
totp-enter-code = Then enter the 6-digit code the app shows.

phone-title-sms = Add your mobile phone
phone-title-voice = Add your phone number
phone-label = Phone number
phone-hint = With the country code, for example +33 6 12 34 56 78 or +1 425 555 0100.
error-phone = Enter the number with its country code, starting with +, for example +33 6 12 34 56 78.
email-title = Add an email address
email-label = Email address
email-hint = Use an address other than this account, for example a personal one.
error-email = Enter an email address such as name@example.com.
send-code = Send code

code-title = Enter the code
code-sent-sms = We texted a code to { $dest }.
code-sent-voice = We are calling { $dest } to read out a code.
code-sent-email = We emailed a code to { $dest }.
code-announce = Code sent to { $dest }.
code-totp = Open your authenticator app and enter the code it shows for this account.
code-label = 6-digit code
verify = Verify
resend = Send a new code
resend-in = Send a new code in { $seconds } s
error-code-format = Enter the 6 digits of the code.
error-code-wrong = That code is not correct. { $left } tries left.
error-code-wrong-one = That code is not correct. 1 try left.
error-code-wrong-plain = That code is not correct. Check it and try again.
error-code-expired = That code has expired. Send a new code.
error-code-too-many = Too many wrong codes. Send a new code to try again.
error-resend-too-soon = A code was sent moments ago. Wait { $wait } before asking for another.

verified-title = Method verified
verified-lead = Your method “{ $method }” is set up. You will use it when you sign in.
next = Next

challenge-title = Verify it is you
challenge-lead = Before you manage app passwords, prove it is you with one of your methods.
challenge-use = Use { $method }
challenge-key-lead = Your organization requires a security key or passkey to create app passwords. Use yours.
method-last-used = last used { $date }

key-name-title = Name your security key
key-name-lead = Give it a name you will recognize if you add more than one.
key-name-label = Name of the key
key-name-hint = For example, YubiKey on my key ring, or Work laptop
key-name-default = Security key
key-name-button = Register the key
error-key-name = Use 1 to 64 characters for the name, without control characters.
key-title-register = Register your security key
key-title-use = Use your security key
key-register-lead = When your browser asks, insert or tap your key, or use your fingerprint, face or screen lock. Then confirm with your PIN if the key asks for one.
key-use-lead = When your browser asks, insert or tap “{ $name }”, or use your fingerprint, face or screen lock.
key-button-register = Register with my key
key-button-use = Use my key
key-other = Use another method
error-key-cancelled = The security key did not answer: the request was cancelled or timed out. Try again, or use another method.
error-key-exists = This security key is already registered. Use another key, or another method.
error-key-unsupported = This browser cannot use security keys. Use another method, or an up-to-date Chrome, Edge, Firefox or Safari.
error-key-wrong-site = Security keys cannot be used on this page's address. Contact your administrator.
error-key-failed = The security key could not be used. Try again, or use another method.
error-key-refused = The security key's answer was not accepted. { $left } tries left.
error-key-refused-plain = The security key's answer was not accepted. Try again.
error-key-required = Your organization requires a security key or passkey to create app passwords.

name-title = Name your app password
name-lead = A name helps you recognise it later in your list. It is optional.
name-label = Name (optional)
name-hint = For example, Outlook on my laptop
name-default = App password
create = Create app password
error-name-taken = You already have an app password with this name. Choose another name.
error-name-invalid = Use 1 to 64 characters for the name.
error-limit = You have reached the limit of { $limit } app passwords. Delete one you no longer use first.
error-limit-unknown = You have reached the limit of app passwords. Delete one you no longer use first.

show-title = Your app password
show-lead = Enter it in your app instead of your usual password, where it asks for a password.
show-password-label = App password for { $name }
copy = Copy
copied = Copied
copied-announce = App password copied to the clipboard.
copy-fallback-label = App password, without spaces
copy-fallback = Your browser did not allow copying. The password is selected: press Ctrl+C (⌘C on a Mac) to copy it.
show-no-memorize = You do not need to memorize it, and you will not see it again. If you lose it, create a new one.
done = Done

list-title = Your app passwords
list-lead = Apps that cannot ask for a second verification sign in with these. Delete any you no longer use.
list-empty = You have no app passwords.
list-count = { $count } of { $limit }
list-created = Created { $date }
list-last-used = Last used { $date }
list-never-used = Never used
list-create = Create an app password
list-limit = You have reached the limit of { $limit } app passwords. Delete one to create another.
delete = Delete
delete-named = Delete { $name }
delete-confirm = Delete “{ $name }”? Apps using it will stop signing in.
delete-all = Delete all
delete-all-confirm = Delete all { $count } app passwords? Every app using one will stop signing in.
deleted = “{ $name }” was deleted.
deleted-all = All app passwords were deleted.
