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





error-phone = Saisissez le numéro avec l’indicatif du pays, en commençant par +, par exemple +33 6 12 34 56 78.
error-email = Saisissez une adresse e-mail du type nom@exemple.fr.

code-announce = Code envoyé à { $dest }.
error-code-format = Saisissez les 6 chiffres du code.
error-code-wrong = Ce code est incorrect. Encore { $left } essais.
error-code-wrong-one = Ce code est incorrect. Encore 1 essai.
error-code-wrong-plain = Ce code est incorrect. Vérifiez-le et réessayez.
error-code-expired = Ce code a expiré. Demandez-en un nouveau.
error-code-too-many = Trop de codes erronés. Demandez un nouveau code pour réessayer.
error-resend-too-soon = Un code vient d’être envoyé. Patientez { $wait } avant d’en demander un autre.



key-name-default = Clé de sécurité
error-key-name = Le nom doit compter de 1 à 64 caractères, sans caractère de contrôle.
error-key-cancelled = La clé de sécurité n’a pas répondu : la demande a été annulée ou a expiré. Réessayez, ou utilisez une autre méthode.
error-key-exists = Cette clé de sécurité est déjà enregistrée. Utilisez une autre clé, ou une autre méthode.
error-key-unsupported = Ce navigateur ne peut pas utiliser de clé de sécurité. Utilisez une autre méthode, ou Chrome, Edge, Firefox ou Safari à jour.
error-key-wrong-site = Les clés de sécurité ne peuvent pas être utilisées à l’adresse de cette page. Contactez votre administrateur.
error-key-failed = La clé de sécurité n’a pas pu être utilisée. Réessayez, ou utilisez une autre méthode.
error-key-refused = La réponse de la clé de sécurité n’a pas été acceptée. Encore { $left } essais.
error-key-refused-plain = La réponse de la clé de sécurité n’a pas été acceptée. Réessayez.
error-key-required = Votre organisation exige une clé de sécurité ou une clé d’accès pour créer des mots de passe d’application.

name-default = Mot de passe d’application
error-name-taken = Vous avez déjà un mot de passe d’application portant ce nom. Choisissez-en un autre.
error-name-invalid = Le nom doit compter de 1 à 64 caractères.
error-scopes = Choisissez au moins un usage.
error-expiry = Choisissez l’une des durées proposées : votre administrateur les a modifiées.
error-limit = Vous avez atteint la limite de { $limit } mots de passe d’application. Supprimez d’abord celui dont vous ne vous servez plus.
error-limit-unknown = Vous avez atteint la limite de mots de passe d’application. Supprimez d’abord celui dont vous ne vous servez plus.

copied = Copié
copied-announce = Mot de passe d’application copié dans le presse-papiers.

deleted = « { $name } » a été supprimé.
deleted-all = Tous les mots de passe d’application ont été supprimés.

error-current-missing = Saisissez votre mot de passe actuel.
error-current-wrong = Votre mot de passe actuel n’est pas correct.
error-new-short = Utilisez au moins 8 caractères.
error-new-long = Utilisez au plus 256 caractères.
error-new-same = Choisissez un mot de passe différent de l’actuel.
error-new-guessable = Ce mot de passe est trop facile à deviner : il est courant, ou proche de votre nom ou de votre organisation. Essayez trois ou quatre mots sans rapport entre eux.

error-link-spent = Ce lien a déjà servi ou a expiré. Si quelque chose a été ajouté à votre compte sans vous, connectez-vous, supprimez-le et changez votre mot de passe.
