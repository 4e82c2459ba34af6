"""What the bot says on Telegram outside the core's replies: joining, /setup, catalogues."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "hello": (
            "Bonjour ! Je suis {bot}, le bot des commandes groupées du club.\n"
            "Pour commencer, un administrateur du groupe tape /setup (ou /setup SLUG pour "
            "rejoindre un club existant), puis envoie ici le catalogue de la semaine en "
            "fichier YAML. Ensuite, chacun commande en écrivant simplement, par exemple "
            "« 2 kg de moules ». /aide pour le reste."
        ),
        "privacy": (
            "⚠️ Je ne peux pas lire les messages ordinaires de ce groupe : seulement les "
            "commandes. Pour que je voie les commandes écrites normalement, faites-moi "
            "administrateur du groupe, ou désactivez le mode privé chez @BotFather "
            "(/setprivacy → Disable) puis retirez-moi et ajoutez-moi de nouveau au groupe."
        ),
        "setup_done": (
            "Ce groupe est maintenant le fil du club « {club} » ({slug}). Étape suivante : "
            "un organisateur envoie ici le catalogue en fichier YAML (.yaml)."
        ),
        "setup_refused": "Seul un administrateur du groupe peut lancer /setup.",
        "setup_unknown": "Je ne connais aucun club « {slug} ». Tapez /setup seul pour en créer un.",
        "catalog_refused": (
            "Seul un organisateur du club peut envoyer le catalogue ; je n'ai rien changé."
        ),
        "catalog_unbound": (
            "Ce groupe n'est lié à aucun club : un administrateur du groupe tape d'abord /setup."
        ),
        "catalog_bad": "Ce catalogue n'a pas été importé, rien n'a changé :\n{error}",
        "catalog_ok": (
            "Catalogue importé pour « {club} » : {added} produits ajoutés, {updated} mis à "
            "jour, {withdrawn} retirés."
        ),
        "catalog_too_big": "Ce fichier est trop gros pour un catalogue (1 Mo au plus).",
        "start": (
            "Bonjour ! Vous recevrez ici le détail de vos commandes et votre panier. "
            "Pour commander, écrivez dans le groupe du club. Un message supprimé n'est pas "
            "vu par le bot : modifiez-le, ou tapez /annuler dans le groupe."
        ),
        "private_other": (
            "Je prends les commandes dans le groupe du club ; ici, je vous envoie seulement "
            "le détail de vos commandes."
        ),
        "help_extra": (
            "Recevoir le détail de vos commandes en privé : {link}\n"
            "Un message supprimé n'est pas vu par le bot : modifiez-le, ou tapez /annuler."
        ),
    },
    "en": {
        "hello": (
            "Hello! I am {bot}, the club's group-buying bot.\n"
            "To start, a group administrator types /setup (or /setup SLUG to join an "
            "existing club), then sends the week's catalogue here as a YAML file. Then "
            'everyone orders by simply writing, e.g. "2 kg of mussels". /help for the rest.'
        ),
        "privacy": (
            "⚠️ I cannot read the ordinary messages of this group: only commands. So that I "
            "see orders written normally, make me an administrator of the group, or turn "
            "privacy mode off with @BotFather (/setprivacy → Disable), then remove me and "
            "add me to the group again."
        ),
        "setup_done": (
            'This group is now the thread of the club "{club}" ({slug}). Next step: an '
            "organiser sends the catalogue here as a YAML file (.yaml)."
        ),
        "setup_refused": "Only an administrator of the group can run /setup.",
        "setup_unknown": 'I know no club "{slug}". Type /setup alone to create one.',
        "catalog_refused": "Only an organiser of the club can send the catalogue; nothing changed.",
        "catalog_unbound": (
            "This group is bound to no club: a group administrator types /setup first."
        ),
        "catalog_bad": "This catalogue was not imported, nothing changed:\n{error}",
        "catalog_ok": (
            'Catalogue imported for "{club}": {added} products added, {updated} updated, '
            "{withdrawn} withdrawn."
        ),
        "catalog_too_big": "This file is too big for a catalogue (1 MB at most).",
        "start": (
            "Hello! You will get the details of your orders and your bag here. To order, "
            "write in the club's group. The bot does not see a deleted message: edit it, "
            "or type /cancel in the group."
        ),
        "private_other": (
            "I take orders in the club's group; here I only send you the details of your orders."
        ),
        "help_extra": (
            "Get the details of your orders privately: {link}\n"
            "The bot does not see a deleted message: edit it, or type /cancel."
        ),
    },
}


def say(locale: str, key: str, **values: object) -> str:
    return TEXTS.get(locale, TEXTS["fr"])[key].format(**values)
