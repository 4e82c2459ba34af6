"""`orderbot console`: a local thread in the terminal, to try the bot without any account.

Type ``name: message`` to speak as someone ("laure: 2 kg de moules"); a line
without a prefix speaks as the last author. The author id is ``u-<name>``, so
the catalogue's organisers (``u-patrick``) can run their commands here too.
"""

from __future__ import annotations

import itertools
import re
from typing import TextIO

from bot.app import App
from orders.catalog import slugify
from orders.messages import InboundMessage

_PREFIX = re.compile(r"^\s*([\w .'-]{1,40}?)\s*:\s+(.*)$", re.DOTALL)
CHAT_ID = "console"


def run_console(app: App, stdin: TextIO, out: TextIO, *, interactive: bool = True) -> int:
    """Read lines until end of input or ``:quit`` and print the bot's replies."""
    author = "moi"
    counter = itertools.count(1)
    run_id = app.clock.now().strftime("%Y%m%d%H%M%S%f")
    out.write("orderbot console — type 'name: message' (':quit' to leave, '/aide' for help)\n")
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
        if match and not text.lstrip().startswith("/"):
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
