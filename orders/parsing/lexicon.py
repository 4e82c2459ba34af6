"""The French and English words the grammar relies on, grouped by what they signal.

Everything about *products* comes from the club's catalogue; these lists only
hold the language around products: units, quantities and the verbs and
markers people use to add, change and cancel.
"""

from __future__ import annotations

from decimal import Decimal

# unit word -> (dimension, factor to the dimension's base unit)
# dimensions: mass (kg), volume (litre), dozen, piece, bunch, container (one jar/bottle/pack)
UNIT_WORDS: dict[str, tuple[str, Decimal]] = {}


def _units(dimension: str, factor: str, *words: str) -> None:
    for word in words:
        UNIT_WORDS[word] = (dimension, Decimal(factor))


_units(
    "mass",
    "1",
    "kg",
    "kgs",
    "kilo",
    "kilos",
    "kilogramme",
    "kilogrammes",
    "kilogram",
    "kilograms",
    "k",
)
_units("mass", "0.001", "g", "gr", "grs", "gramme", "grammes", "gram", "grams")
_units("mass", "0.5", "livre", "livres", "pound", "pounds", "lb", "lbs")
_units("volume", "1", "l", "litre", "litres", "liter", "liters", "lt")
_units("volume", "0.01", "cl")
_units("volume", "0.001", "ml")
_units("volume", "0.568", "pint", "pints", "pt")  # the UK pint
_units("dozen", "1", "douzaine", "douzaines", "dz", "douz", "dozen", "dozens", "doz")
_units(
    "piece",
    "1",
    "piece",
    "pieces",
    "pc",
    "pcs",
    "unite",
    "unites",
    "unit",
    "units",
    "head",
    "heads",
    "tete",
    "tetes",
)
_units("bunch", "1", "botte", "bottes", "bouquet", "bouquets", "bunch", "bunches")
_units(
    "container",
    "1",
    "bocal",
    "bocaux",
    "bouteille",
    "bouteilles",
    "bottle",
    "bottles",
    "pot",
    "pots",
    "jar",
    "jars",
    "boite",
    "boites",
    "box",
    "boxes",
    "tin",
    "tins",
    "barquette",
    "barquettes",
    "sachet",
    "sachets",
    "sac",
    "sacs",
    "bag",
    "bags",
    "paquet",
    "paquets",
    "packet",
    "packets",
    "pack",
    "packs",
    "lot",
    "lots",
    "plaque",
    "plaques",
    "tub",
    "tubs",
    "punnet",
    "punnets",
    "brique",
    "briques",
    "carton",
    "cartons",
    "case",
    "cases",
    "caisse",
    "caisses",
    "crate",
    "crates",
    "block",
    "blocks",
    "bloc",
    "blocs",
)
# Shorthand of lists and forms ("2 btl", "1 pkt"): units of their own.
_units("container", "1", "btl", "btls", "bt", "bts", "btle", "btles", "bteille", "bte", "btes")
_units("container", "1", "pkt", "pkts", "pk", "pks", "bx")
_units("piece", "1", "pce", "pces")
# Containers that hold one item: "6 bottles" of a "case of 6" is one case.
SINGLE_ITEM = frozenset(
    {"bouteille", "bottle", "pot", "jar", "bocal", "bocaux", "tin", "brique", "btl", "bt", "btle"}
)
# Shorthand that stands for a word of a product's name: "1 lrg box", "1 sm".
SHORTHAND = {"lrg": "large", "lge": "large", "lg": "large", "sm": "small", "sml": "small"}

# Words that may stand between a quantity and its product: "2 kg DE moules".
LINKS = frozenset(
    {
        "de",
        "d'",
        "d",
        "des",
        "du",
        "of",
        "x",
        "la",
        "l'",
        "l",
        "les",
        "the",
        "=",
        ":",
        "-",
        "en",
        "environ",
        "about",
        "around",
        "approx",
        "gros",
        "grosses",
        "grosse",
        "petit",
        "petits",
        "petite",
        "petites",
        "belle",
        "belles",
        "beau",
        "beaux",
        "big",
        "small",
        "large",
        "lrg",
        "lge",
        "sm",
        "medium",
        "moyen",
        "moyenne",
        "fresh",
        "frais",
        "fraiche",
        "fraiches",
        "seul",
        "seule",
        "seulement",
        "only",
        "just",
        "juste",
        "bon",
        "bonne",
        "bons",
        "bonnes",
        "more",
        "de plus",
        "extra",
        "qte",
        "qty",
        "quantite",
        "tous",
        "toutes",
        "dont",
        "svp",
        "stp",
        "please",
        "pls",
        "plz",
        "mini",
        "maxi",
    }
)

# Vague amounts: a careful organiser asks how much.
VAGUE = frozenset(
    {
        "des",
        "du",
        "quelques",
        "some",
        "any",
        "few",
        "peu",
        "plusieurs",
        "several",
        "certain",
        "certains",
    }
)

ADD = frozenset(
    {
        "rajoute",
        "rajouter",
        "rajoutez",
        "rajoutes",
        "rajout",
        "ajoute",
        "ajouter",
        "ajoutez",
        "ajoutes",
        "ajout",
        "plus",
        "aussi",
        "also",
        "add",
        "adding",
        "more",
        "extra",
        "too",
        "oublie",
        "oubliais",
        "oublier",
        "forgot",
        "supplementaire",
        "supplementaires",
        "additional",
        "remettre",
        "remets",
    }
)
SET = frozenset(
    {
        "suffit",
        "suffira",
        "suffiront",
        "suffisent",
        "trompe",
        "trompee",
        "erreur",
        "mistake",
        "wrong",
        "finalement",
        "plutot",
        "instead",
        "actually",
        "change",
        "changer",
        "changez",
        "changed",
        "modif",
        "modification",
        "modifier",
        "correction",
        "corrige",
        "corriger",
        "rectification",
        "rectifie",
        "passe",
        "make",
        "finally",
        "voulais",
        "meant",
        "mean",
        "total",
        "totale",
        "donc",
        "soit",
        "sera",
        "finalemen",
        "finlement",
        "finallement",
        "rather",
    }
)
REMOVE = frozenset(
    {
        "oubliez",
        "forget",
        "scratch",
        "skip",
        "nix",
        "annule",
        "annuler",
        "annulez",
        "annules",
        "annulation",
        "jannule",
        "enleve",
        "enlever",
        "enlevez",
        "retire",
        "retirer",
        "retirez",
        "supprime",
        "supprimer",
        "supprimez",
        "cancel",
        "cancelled",
        "canceled",
        "remove",
        "drop",
        "scrap",
        "delete",
        "sans",
        "without",
    }
)
NEGATION = frozenset(
    {
        "pas",
        "plus",
        "no",
        "not",
        "don't",
        "dont",
        "aucun",
        "aucune",
        "rien",
        "ni",
        "non",
        "never",
        "jamais",
    }
)
ALL_WORDS = frozenset(
    {
        "tout",
        "toute",
        "tous",
        "toutes",
        "commande",
        "commandes",
        "order",
        "orders",
        "everything",
        "all",
        "whole",
    }
)
SWAP = frozenset(
    {
        "remplace",
        "remplacer",
        "remplacez",
        "echange",
        "echanger",
        "swap",
        "replace",
        "change",
        "changer",
        "troque",
    }
)
SWAP_LINK = frozenset({"par", "pour", "contre", "for", "with", "by", "to", "en"})
# After these, a quantity is the old one being replaced: "3 au lieu de 2".
OLD_QUANTITY = (
    ("au", "lieu", "de"),
    ("au", "lieu", "d"),
    ("au", "lieu", "des"),
    ("instead", "of"),
    ("rather", "than"),
    ("et", "pas"),
    ("and", "not"),
    ("pas",),
    ("not",),
    ("que",),
    ("than",),
    ("au", "lieu"),
    ("instead",),
)
FIRST_PERSON = frozenset({"i", "je", "j", "me", "moi", "my", "nous", "we", "us", "our"})
# A quantity right before one of these was a slip the writer takes back.
SELF_CORRECTION = frozenset(
    {"non", "euh", "pardon", "oops", "oups", "sorry", "wait", "enfin", "no"}
)
# "I'll take some of them": lets a bare number point at the product just discussed.
TAKE = frozenset(
    {
        "prends",
        "prendre",
        "prendrai",
        "prendrais",
        "veux",
        "voudrais",
        "mets",
        "mettre",
        "mettez",
        "take",
        "have",
        "want",
        "get",
        "need",
        "order",
        "commande",
        "reserve",
        "garde",
        "les",
        "en",
        "them",
        "one",
        "ones",
        "alors",
        "then",
        "pour",
        "me",
        "moi",
    }
)
# Requests phrased as questions are orders: "Could I have 2 soles?"
REQUEST = (
    "if that s a thing",
    "if that s possible",
    "if that s ok",
    "if you have",
    "if you still have",
    "if there s any left",
    "si c est possible",
    "si vous en avez",
    "si tu en as",
    "s il en reste",
    "could i",
    "can i",
    "can you",
    "could you",
    "may i",
    "might i",
    "would you",
    "i'd like",
    "would it be possible",
    "is it possible",
    "could we",
    "can we",
    "i would like",
    "pourriez",
    "pourrais",
    "pouvez",
    "pourrait",
    "peux avoir",
    "peux commander",
    "est-ce que je peux",
    "possible d'avoir",
    "possible de",
    "je peux avoir",
    "tu peux me",
    "vous pouvez me",
    "mettre de cote",
    "put me down",
    "si possible",
    "if possible",
    "si oui",
    "if so",
)
# Clauses in the past tell about last week, not about this order.
# A clause in the past tells about last week, not about this order.
PAST = frozenset(
    {
        "etaient",
        "etait",
        "etions",
        "were",
        "was",
        "avait",
        "avaient",
        "recu",
        "received",
        "suffi",
        "mange",
        "manges",
        "ate",
        "eaten",
        "cooked",
        "goute",
        "tasted",
        "bought",
        "lasted",
    }
)
# Common grocery nouns in French and English: a catalogue written in one language
# still understands members who write in the other ("6 œufs" for "Eggs").
TRANSLATIONS = {
    "oeuf": "egg",
    "oeufs": "eggs",
    "carotte": "carrot",
    "pomme de terre": "potato",
    "pommes de terre": "potatoes",
    "patate": "potato",
    "oignon": "onion",
    "poireau": "leek",
    "pomme": "apple",
    "poire": "pear",
    "salade": "lettuce",
    "chou": "cabbage",
    "epinard": "spinach",
    "epinards": "spinach",
    "betterave": "beetroot",
    "courge": "squash",
    "persil": "parsley",
    "coriandre": "coriander",
    "panais": "parsnip",
    "lait": "milk",
    "beurre": "butter",
    "fromage": "cheese",
    "yaourt": "yoghurt",
    "creme": "cream",
    "miel": "honey",
    "pain": "bread",
    "jus de pomme": "apple juice",
    "jus": "juice",
    "moule": "mussel",
    "huitre": "oyster",
    "crevette": "shrimp",
    "saumon": "salmon",
    "poulet": "chicken",
    "tomate": "tomato",
    "fraise": "strawberry",
    "champignon": "mushroom",
    "ail": "garlic",
    "haricot": "bean",
    "courgette": "zucchini",
    "concombre": "cucumber",
    "radis": "radish",
    "navet": "turnip",
    "celeri": "celery",
    "mache": "lamb's lettuce",
    "framboise": "raspberry",
    "cerise": "cherry",
}

# Words of a message about cooking, not buying.
RECIPE = frozenset(
    {
        "recette",
        "recettes",
        "cuisson",
        "cuire",
        "mixe",
        "mixer",
        "bouillon",
        "recipe",
        "cook",
        "cooking",
        "bake",
        "four",
        "poele",
        "marinade",
        "mijoter",
        "prechauffer",
        "fouetter",
        "tbsp",
        "tsp",
        "tablespoon",
        "tablespoons",
        "teaspoon",
        "teaspoons",
        "blitz",
        "simmer",
        "preheat",
        "whisk",
        "stir",
        "revenir",
        "emincer",
        "emincez",
        "saler",
        "poivrer",
        "chop",
        "saute",
        "fry",
        "ingredients",
        "ingredient",
        "feeds",
        "serves",
        "clove",
        "cloves",
        "gousse",
        "gousses",
        "pinch",
        "pincee",
        "spices",
        "epices",
    }
)
# A message that starts as a recipe ("Recette : ...", "Ingredients: ...") lists what to cook.
RECIPE_HEADERS = frozenset({"recette", "recipe", "ingredients", "ingredient"})
# "Quelqu'un veut partager une araignée ?", "anyone want to split a crab": a proposal to
# share (a sharing word and someone else) is not an order until someone takes it up.
SHARING = frozenset(
    {"partager", "partage", "partagerait", "share", "sharing", "split", "splitting", "halves"}
)
SOMEONE = frozenset(
    {"quelqu", "quelqu'un", "quelqun", "anyone", "anybody", "someone", "somebody", "qui", "who"}
)
# "2 kg ça suffit pour 4", "a dozen is plenty for two": advice on how much.
ENOUGH = frozenset(
    {
        "suffit",
        "suffisent",
        "suffira",
        "suffiront",
        "suffisant",
        "suffisamment",
        "assez",
        "enough",
        "plenty",
        "loads",
        "sufficient",
        "personne",
        "person",
        "head",
        "tete",
    }
)
TALK = SOMEONE | ENOUGH  # the words of talk to others: looked for once per message
# First-person markers that make a reply to a neighbour an order of one's own.
SELF = (
    "pour moi",
    "moi aussi",
    "je prends",
    "je voudrais",
    "je veux",
    "pour nous",
    "for me",
    "me too",
    "i'll take",
    "i will take",
    "i'd like",
    "pareil",
    "idem",
    "same",
    "ma commande",
    "my order",
    "my own",
    "own order",
    "for myself",
    "perso",
    "je mets",
    "je rajoute",
    "i'll have",
    "i'd like",
    "i would like",
    "je prendrai",
    "je voudrais",
    "ditto",
    "same here",
)
COPY = (
    "pareil que",
    "pareil",
    "idem",
    "comme",
    "same as",
    "same for",
    "the same",
    "meme chose",
    "meme commande",
    "same order",
    "la meme",
    "ditto",
    "same here",
    "me too",
    "moi aussi",
    "pareil pour moi",
    "idem pour moi",
)
LAST_WEEK = (
    "semaine derniere",
    "derniere fois",
    "d'habitude",
    "comme d'hab",
    "habituelle",
    "last week",
    "last time",
    "as usual",
    "the usual",
    "samedi dernier",
    "last winter",
    "last summer",
    "last year",
    "last month",
    "l hiver dernier",
    "l ete dernier",
    "l an dernier",
    "l annee derniere",
    "le mois dernier",
)
# The member's usual order: last week's, when there is one.
HABIT = (
    "comme d hab",
    "comme d habitude",
    "comme d hab stp",
    "the usual",
    "my usual",
    "usual order",
    "same again",
    "the same again",
    "commande habituelle",
    "ma commande habituelle",
    "as per usual",
)
# Words a bare "pareil" / "same for me" / "the usual" may come with and still be only that.
COPY_ONLY = frozenset(
    """
    pareil pareille idem same ditto meme chose aussi too here again usual hab habitude comme
    habituelle d the my for me moi pour la le please pls plz svp stp merci thanks thank you thx
    ok oui yes alors then de mon ma cote part exactly exactement order commande i je ! . , + 1
    """.split()
)
STOPWORDS = frozenset(
    """
prix date rang adresse convives premier premiere deuxieme troisieme quatrieme cinquieme
second seconde first third fourth fifth etage floor
a ai aie alors au aux avec avez avoir b bien bjr bonjour bonsoir bonne c ca ce cela ces cet
cette charles cher chere chez ci coucou d da dans de des dire dit dois donc du e elle elles en
encore est et etre eu fait faut hello hey hi il ils j je jusqu l la le les leur lui m ma madame
mais me merci mes moi mon monsieur n ne nos notre nous on ou oui par pas peu peut plus pour
pourrais quand que qui quoi s sa salut se ses si slt son sont suis sur svp stp t ta te tes toi
ton tous tout tres tu un une vos votre vous y yo the an and or of for to in on at be is are it
this that with my me i you we our your please pls thanks thank cheers hi hello morning all x ok
okay yes no so then just also can could would like some any much many have has had do does did
will coup monde personnes personne people pers fois semaine semaines jours enfants kids min
minutes heures ans gens voisin voisine voisins voisines parents mere pere fille fils
""".split()
)

# --- words the grammar's steps read --------------------------------------------------

HARD = frozenset({".", "!", "?", "\n", ";", "(", ")"})

SOFT = frozenset({",", "+", "/", "(", ")", "-", "et", "and", "&", "puis", "ainsi"})

RESTATE = frozenset({"donc", "soit", "total", "totale", "so"})

YES = frozenset(
    {
        "oui",
        "yes",
        "ok",
        "okay",
        "yep",
        "yeah",
        "confirme",
        "confirm",
        "exact",
        "exactement",
        "correct",
        "daccord",
        "absolument",
        "ouais",
        "bien",
    }
)

NO = frozenset({"non", "no", "nope", "annule", "cancel"})

LIMITS = {
    "kg": Decimal(20),
    "piece": Decimal(30),
    "dozen": Decimal(10),
    "litre": Decimal(20),
    "bunch": Decimal(20),
    "pack": Decimal(20),
}

ORDER_VERBS = frozenset(
    {
        "prends",
        "prendrai",
        "prendre",
        "voudrais",
        "veux",
        "souhaiterais",
        "commande",
        "commander",
        "want",
        "like",
        "order",
        "have",
        "take",
    }
)

EVERYTHING = frozenset({"tout", "toute", "everything", "all"})

POSSESSIVE = frozenset(
    {"ma", "mon", "my", "la", "the", "our", "notre", "nos", "mes", "toute", "whole", "entire"}
)

# Numbers beyond this are serial numbers or noise, never an amount of food.
MAX_AMOUNT = Decimal(100_000)

REFERENCE = (
    ("ai", "mis"),
    ("avais", "mis"),
    ("ai", "commande"),
    ("avais", "commande"),
    ("i", "ordered"),
    ("i", "had"),
    ("m", "aviez", "mis"),
)


# The words the grammar reads (markers, verbs, answers): never taken for a misspelt product,
# so that "before I forget" is not the "Forge" espresso.
GRAMMAR_WORDS = (
    ADD | SET | REMOVE | NEGATION | SWAP | TAKE | PAST | RESTATE | YES | NO | ORDER_VERBS
) - {"x"}
