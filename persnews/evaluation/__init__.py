"""Scores for entities (spans.py) and for relations and officials (relations.py)."""
