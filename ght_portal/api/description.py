"""The API's documentation page text (OpenAPI ``info.description``), in French like the interface.

A plain string with no Django import, so that the settings can read it.
"""

API_DESCRIPTION = """
API de GHT Portal : les mêmes données et les mêmes règles que l'application web.

**Authentification.** Par la session du navigateur (cette page), ou par un jeton personnel envoyé dans
l'en-tête `Authorization: Bearer <jeton>`. Un jeton se crée dans « Mon compte → Jetons d'API » ; il n'est
montré qu'une fois. Un jeton « lecture seule » refuse toute écriture (403) ; un jeton révoqué est refusé (401).

**GHT et droits.** Chaque adresse commence par `/api/v1/ghts/<identifiant du GHT>/`. Un GHT dont vous n'êtes
pas membre, ou l'objet d'un autre GHT, répond 404 ; une écriture que votre rôle ne permet pas répond 403 —
exactement comme dans l'application web.

**Pas de modification perdue.** Chaque objet porte un `etag` (aussi renvoyé dans l'en-tête `ETag`). Toute
modification ou suppression d'un objet existant doit renvoyer cet ETag dans l'en-tête `If-Match` : sans
lui, la réponse est 428 ; si l'objet a changé depuis votre lecture, 412 et rien n'est modifié — relisez-le,
puis recommencez. L'ETag d'une action suit son numéro de version ; celui des autres objets est une empreinte
de leur représentation, comparée sous verrou.

**Listes.** Paginées (`page`, `page_size` jusqu'à 200) ; triées par `sort` (par exemple `sort=-due_date`) ;
filtrées par les paramètres décrits pour chaque liste. La liste des actions a les filtres de la liste web :
sans `plan`, elle montre le projet en vigueur ; `plan=tous` montre tous les projets.

**Erreurs.** Toujours le même JSON : `{"status": 400, "code": "invalid", "detail": "…", "errors": {"champ":
["message"]}}`, messages en français. Trop de requêtes : 429, avec l'en-tête `Retry-After`.
"""
