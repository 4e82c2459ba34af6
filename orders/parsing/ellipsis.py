"""Step 5b: an amount followed by the one word that tells a product from its siblings.

"2 lots de yaourts aux fruits + 2 nature" orders the plain yoghurts; "1 campagne, 1
seigle" the breads, and "1 kg de seigle" the rye flour: the rest of the name is left out,
as people do when the family is clear from the message or from the amount's unit.
"""

from __future__ import annotations

from orders.parsing.draft import Draft, item
from orders.parsing.elements import P, Q
from orders.parsing.lexicon import LINKS
from orders.parsing.products import ProductIndex
from orders.parsing.structure import Segment, Sentence
from orders.parsing.text import Token


def read_ellipsis(
    segments: list[Segment],
    sentences: list[Sentence],
    tokens: list[Token],
    index: ProductIndex,
    draft: Draft,
    named: set[int],
) -> None:
    """Bind each amount no product took to the product its next word stands for."""
    for segment in segments:
        sentence = sentences[segment.sentence]
        if sentence.question and not sentence.request:
            continue
        for q in segment.elements:
            if not isinstance(q, Q) or q.bound or q.old or q.dropped or q.huge or q.choice:
                continue
            code, i = None, q.end
            while code is None and i < segment.end and i - q.end < 3:
                # "1 sm" (a size, which is also a link word), "1 de seigle"
                if i not in named and tokens[i].kind == "word":
                    before = draft.product_before(q.start)
                    code = index.elided(tokens[i].text, before, q.amount.dimension)
                if code is None and tokens[i].text not in LINKS:
                    break
                i += 0 if code is not None else 1
            if code is None:
                continue
            product = P(i, i + 1, code, qty=q, named=(tokens[i].text,))
            q.bound = True
            item(product, "add" if q.plus else "set", index, draft)
            draft.seen.append((i, code))
