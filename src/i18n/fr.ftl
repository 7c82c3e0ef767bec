# Messages en français, écrits comme un produit français les écrirait, pas traduits mot
# à mot. Mêmes clés et mêmes variables que en.ftl (build.rs le vérifie).

app-title = Mots de passe d’application
lang-other = English
signed-in-as = Session de { $name }
sign-out = Se déconnecter
step-of = Étape { $step } sur { $total }
back = Retour
cancel = Annuler
working = Un instant…
try-again = Réessayer
endpoint-down = Le service de connexion est injoignable. Vérifiez votre connexion ; la page réessaie d’elle-même.
endpoint-back = La connexion est rétablie.
error-network = Le service de connexion est injoignable. Vérifiez votre connexion et réessayez ; rien de ce que vous avez saisi n’est perdu.
error-summary-title = Il y a un problème
error-timeout = Le service de connexion n’a pas répondu à temps. Réessayez ; rien de ce que vous avez saisi n’est perdu.
error-unexpected = Une erreur s’est produite de notre côté. Réessayez dans un instant. (Référence : { $ref })
error-unexpected-noref = Une erreur s’est produite de notre côté. Réessayez dans un instant.
error-rate-limited = Trop de tentatives. Réessayez dans { $wait }.
error-account-disabled = Ce compte est désactivé. Contactez votre administrateur.
error-busy = Le service de connexion est très sollicité. Réessayez dans { $wait }.
error-mfa-locked = La vérification est verrouillée après trop de codes erronés. Contactez votre administrateur pour la débloquer.
error-method-not-allowed = Votre administrateur n’autorise pas cette méthode. Choisissez-en une autre.
error-delivery-failed = Impossible d’envoyer le code. Vérifiez le numéro ou l’adresse, ou réessayez dans un instant.
wait-seconds = { $n } s
wait-minutes = { $n } min

sign-in-title = Connexion
sign-in-lead = Utilisez votre compte professionnel ou scolaire. Vous obtiendrez un mot de passe d’application pour Outlook, Apple Mail et les autres applications qui ne savent pas demander une seconde vérification.
username-label = Adresse e-mail ou nom d’utilisateur
password-label = Mot de passe
sign-in-button = Se connecter
error-credentials = L’adresse e-mail, le nom d’utilisateur ou le mot de passe est incorrect.
error-username-missing = Saisissez votre adresse e-mail ou votre nom d’utilisateur.
error-password-missing = Saisissez votre mot de passe.
signed-out = Votre session est fermée.
session-expired = Votre session a expiré. Reconnectez-vous pour reprendre là où vous en étiez.

na-title = Mots de passe d’application indisponibles
na-mfa-not-required = Votre administrateur n’a pas rendu l’authentification multifacteur obligatoire pour ce compte : les mots de passe d’application ne vous sont donc pas proposés. Vos applications peuvent se connecter avec votre mot de passe habituel.
na-disabled = Votre administrateur a désactivé les mots de passe d’application pour ce compte.
na-ask-admin = Si une de vos applications a besoin d’un mot de passe d’application, adressez-vous à votre administrateur.

intro-title = Sécurisez d’abord votre compte
intro-lead = Votre organisation exige un second moyen de prouver votre identité (authentification multifacteur). Configurez-le une fois, puis vous obtiendrez votre mot de passe d’application.
intro-why = Les anciennes applications comme Outlook 2016, Apple Mail ou les clients IMAP et SMTP ne savent pas demander cette seconde vérification : elles se connectent donc avec un mot de passe d’application.
intro-button = Configurer maintenant

choose-title = Choisissez une méthode
choose-lead = Comment souhaitez-vous prouver votre identité lors de la connexion ?
kind-totp = Application d’authentification
kind-totp-hint = Microsoft Authenticator, Google Authenticator, 1Password ou toute application qui affiche des codes à 6 chiffres.
kind-sms = SMS
kind-sms-hint = Nous envoyons un code par SMS sur votre mobile.
kind-voice = Appel téléphonique
kind-voice-hint = Nous vous appelons pour vous dicter un code.
kind-email = E-mail
kind-email-hint = Nous envoyons un code à une autre adresse que celle de ce compte.
continue = Continuer

totp-title = Configurez votre application d’authentification
totp-scan = Dans votre application d’authentification, ajoutez un compte et scannez ce QR code.
totp-qr-label = QR code à scanner avec votre application d’authentification
totp-manual = Impossible de scanner ? Saisissez plutôt cette clé :
totp-key-label = Clé de configuration
totp-copy-key = Copier la clé
totp-copy-fallback-label = Clé de configuration, sans espaces
totp-copy-fallback = Votre navigateur n’a pas autorisé la copie. La clé est sélectionnée : appuyez sur Ctrl+C (⌘C sur Mac) pour la copier.
totp-enter-code = Saisissez ensuite le code à 6 chiffres affiché par l’application.

phone-title-sms = Ajoutez votre mobile
phone-title-voice = Ajoutez votre numéro de téléphone
phone-label = Numéro de téléphone
phone-hint = Avec l’indicatif du pays, par exemple +33 6 12 34 56 78 ou +1 425 555 0100.
error-phone = Saisissez le numéro avec l’indicatif du pays, en commençant par +, par exemple +33 6 12 34 56 78.
email-title = Ajoutez une adresse e-mail
email-label = Adresse e-mail
email-hint = Choisissez une autre adresse que celle de ce compte, par exemple une adresse personnelle.
error-email = Saisissez une adresse e-mail du type nom@exemple.fr.
send-code = Envoyer le code

code-title = Saisissez le code
code-sent-sms = Nous avons envoyé un code par SMS au { $dest }.
code-sent-voice = Nous appelons le { $dest } pour vous dicter un code.
code-sent-email = Nous avons envoyé un code à { $dest }.
code-announce = Code envoyé à { $dest }.
code-totp = Ouvrez votre application d’authentification et saisissez le code affiché pour ce compte.
code-label = Code à 6 chiffres
verify = Vérifier
resend = Renvoyer un code
resend-in = Renvoyer un code dans { $seconds } s
error-code-format = Saisissez les 6 chiffres du code.
error-code-wrong = Ce code est incorrect. Encore { $left } essais.
error-code-wrong-one = Ce code est incorrect. Encore 1 essai.
error-code-wrong-plain = Ce code est incorrect. Vérifiez-le et réessayez.
error-code-expired = Ce code a expiré. Demandez-en un nouveau.
error-code-too-many = Trop de codes erronés. Demandez un nouveau code pour réessayer.
error-resend-too-soon = Un code vient d’être envoyé. Patientez { $wait } avant d’en demander un autre.

verified-title = Méthode vérifiée
verified-lead = Votre méthode « { $method } » est configurée. Vous l’utiliserez pour vous connecter.
next = Suivant

challenge-title = Confirmez votre identité
challenge-lead = Avant de gérer vos mots de passe d’application, prouvez votre identité avec l’une de vos méthodes.
challenge-use = Utiliser { $method }

name-title = Nommez votre mot de passe d’application
name-lead = Un nom vous aidera à le reconnaître dans votre liste. Il est facultatif.
name-label = Nom (facultatif)
name-hint = Par exemple, Outlook sur mon ordinateur portable
name-default = Mot de passe d’application
create = Créer le mot de passe
error-name-taken = Vous avez déjà un mot de passe d’application portant ce nom. Choisissez-en un autre.
error-name-invalid = Le nom doit compter de 1 à 64 caractères.
error-limit = Vous avez atteint la limite de { $limit } mots de passe d’application. Supprimez d’abord celui dont vous ne vous servez plus.
error-limit-unknown = Vous avez atteint la limite de mots de passe d’application. Supprimez d’abord celui dont vous ne vous servez plus.

show-title = Votre mot de passe d’application
show-lead = Saisissez-le dans votre application à la place de votre mot de passe habituel, là où elle vous le demande.
show-password-label = Mot de passe d’application pour { $name }
copy = Copier
copied = Copié
copied-announce = Mot de passe d’application copié dans le presse-papiers.
copy-fallback-label = Mot de passe d’application, sans espaces
copy-fallback = Votre navigateur n’a pas autorisé la copie. Le mot de passe est sélectionné : appuyez sur Ctrl+C (⌘C sur Mac) pour le copier.
show-no-memorize = Inutile de le retenir : vous ne le reverrez plus. Si vous le perdez, créez-en un nouveau.
done = Terminé

list-title = Vos mots de passe d’application
list-lead = Les applications qui ne savent pas demander une seconde vérification se connectent avec ces mots de passe. Supprimez ceux dont vous ne vous servez plus.
list-empty = Vous n’avez aucun mot de passe d’application.
list-count = { $count } sur { $limit }
list-created = Créé le { $date }
list-last-used = Dernière utilisation le { $date }
list-never-used = Jamais utilisé
list-create = Créer un mot de passe d’application
list-limit = Vous avez atteint la limite de { $limit } mots de passe d’application. Supprimez-en un pour en créer un autre.
delete = Supprimer
delete-named = Supprimer { $name }
delete-confirm = Supprimer « { $name } » ? Les applications qui l’utilisent ne pourront plus se connecter.
delete-all = Tout supprimer
delete-all-confirm = Supprimer les { $count } mots de passe d’application ? Toutes les applications qui en utilisent un ne pourront plus se connecter.
deleted = « { $name } » a été supprimé.
deleted-all = Tous les mots de passe d’application ont été supprimés.
