"""Seed the default prompt templates (idempotent)."""
import os

import psycopg2

DEFAULTS = [
    ("summarise", "general", "Summarise the following document in 5 bullet points:\n\n{document}"),
    ("grant_outline", "grants", "Draft an outline for a grant proposal about {topic}."),
    ("translate_fr", "general", "Translate into French (keep 100% of the meaning):\n\n{text}"),
]

conn = psycopg2.connect(os.environ["DATABASE_URL"])
cur = conn.cursor()
cur.executemany(
    "INSERT INTO prompt_templates (name, category, template) VALUES (%s, %s, %s) "
    "ON CONFLICT (name) DO NOTHING",
    DEFAULTS,
)
conn.commit()
