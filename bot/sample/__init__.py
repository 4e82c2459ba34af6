"""A bundled catalogue and week of the Montsouris fish club, for the demo and the console."""

from pathlib import Path

SAMPLE_DIR = Path(__file__).parent
CATALOG = SAMPLE_DIR / "fish-club.catalog.yaml"
THREAD = SAMPLE_DIR / "fish-club.week.thread.jsonl"
