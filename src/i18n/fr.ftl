# Messages en français, écrits comme un produit français les écrirait, pas traduits mot
# à mot. Mêmes clés et mêmes variables que en.ftl (build.rs le vérifie).

app-title = Mots de passe d’application
lang-other = English
signed-in-as = Session de { $name }
sign-out = Se déconnecter
step-of = Étape { $step } sur { $total }
back = Retour
working = Un instant…
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
error-directory = L’annuaire de votre organisation est injoignable pour le moment. Réessayez dans { $wait }.
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
sso-button = Se connecter avec { $name }
sso-or = ou
signed-out = Votre session est fermée.
session-expired = Votre session a expiré. Reconnectez-vous pour reprendre là où vous en étiez.

