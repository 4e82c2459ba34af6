"""Benchmarks for orderbot: parsing accuracy on replayed threads (see ``accuracy.py``)."""
