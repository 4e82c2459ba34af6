"""`orderbot console`: a local thread in the terminal, to try the bot without any account.

Type ``name: message`` to speak as someone ("laure: 2 kg de moules"); a line
without a prefix speaks as the last author. The author id is ``u-<name>``, so
the catalogue's organisers (``u-patrick``) can run their commands here too.
"""

from __future__ import annotations

import itertools
import re
from typing import TextIO

from sqlalchemy.engine import make_url

from bot.app import App
from orders.catalog import slugify
from orders.messages import InboundMessage

_PREFIX = re.compile(r"^\s*([\w .'-]{1,40}?)\s*:\s+(.*)$", re.DOTALL)
# A name is words of letters joined by spaces, hyphens or apostrophes, with an initial's
# dot at a word's end ("Karim B."): "_laure_" (markup) or "example.org" (an address) is not.
_NAME = re.compile(r"^[^\W\d_]+\.?(?:[ '-][^\W\d_]+\.?)*$")
# A name is words of letters joined by spaces, hyphens or apostrophes, an initial's dot
# at a word's end ("Karim B."): "_laure_" (markup) or "example.org" (an address) is not.
_NAME = re.compile(r"^[^\W\d_]+\.?(?:[ '-][^\W\d_]+\.?)*$")
CHAT_ID = "console"


def run_console(app: App, stdin: TextIO, out: TextIO, *, interactive: bool = True) -> int:
    """Read lines until end of input or ``:quit`` and print the bot's replies."""
    author = "moi"
    counter = itertools.count(1)
    run_id = app.clock.now().strftime("%Y%m%d%H%M%S%f")
    out.write(f"orderbot console — ledger: {_ledger(app.settings.database_url)}\n")
    out.write("type 'name: message' (':quit' to leave, '/aide' for help)\n")
    while True:
        if interactive:
            out.write(f"{author}> ")
            out.flush()
        line = stdin.readline()
        if not line or line.strip() in (":quit", ":q", ":exit"):
            return 0
        if not line.strip():
            continue
        match = _PREFIX.match(line.rstrip("\n"))
        text = line.rstrip("\n")
        if match and not text.lstrip().startswith("/") and _NAME.match(match.group(1).strip()):
            author, text = match.group(1).strip(), match.group(2)
        message = InboundMessage(
            platform="console",
            chat_id=CHAT_ID,
            message_id=f"{run_id}-{next(counter)}",
            author_id=f"u-{slugify(author)}",
            author_name=author.capitalize(),
            text=text,
            sent_at=app.clock.now(),
        )
        for reply in app.bot.handle(message).replies:
            out.write(f"  ↳ orderbot: {reply.text}\n")


def _ledger(url: str) -> str:
    """Where the console writes, and whether the orders outlive this run."""
    if url in ("sqlite://", "sqlite:///:memory:"):
        return "in memory, forgotten when you leave"
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return f"{path} (kept between runs: the week's orders are still there next time)"
    return f"{make_url(url).render_as_string(hide_password=True)} (kept between runs)"
