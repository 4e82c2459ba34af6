"""Reply templates, one plain-text Jinja file per reply kind and locale."""

from pathlib import Path

TEMPLATE_DIR = Path(__file__).parent
