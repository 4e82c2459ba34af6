"""Step 6a: an amount followed by the one word that tells a product from its siblings.

"2 lots de yaourts aux fruits + 2 nature" orders the plain yoghurts; "1 campagne, 1
seigle" the breads, and "1 kg de seigle" the rye flour: the rest of the name is left out,
as people do when the family is clear from the message or from the amount's unit.
"""

from __future__ import annotations

from orders.parsing.draft import Draft, item
from orders.parsing.elements import P, Q
from orders.parsing.lexicon import LINKS
from orders.parsing.products import ProductIndex
from orders.parsing.structure import Segment


def read_elided(
    q: Q, segment: Segment, words: list[str], index: ProductIndex, draft: Draft, named: set[int]
) -> bool:
    """Bind an amount no product took to the product its next word stands for."""
    code, i = None, q.end
    while code is None and i < segment.end and i - q.end < 3:
        # "1 sm" (a size, which is also a link word), "1 de seigle"
        word = words[i]
        if i not in named and word.isalnum():
            # "500 g de 30 mois" after "1 kg de comté 18 mois": a number in a name too
            size = q.amount.value * q.amount.factor if q.amount.dimension else None
            code = index.elided(word, draft.product_before(q.start), q.amount.dimension, size)
        if code is None and word not in LINKS:
            break
        i += 0 if code is not None else 1
    if code is None:
        return False
    product = P(i, i + 1, code, qty=q, named=(words[i],))
    q.bound = True
    for e in segment.elements:
        if isinstance(e, Q) and e.start == i:
            e.bound = True  # the "30" of "30 mois" is the name's, not an amount
    item(product, "add" if q.plus else "set", index, draft)
    draft.seen.append((i, code))
    return True
