-- backend/fix_tags_lowercase.py (2025-06).
UPDATE document_tags SET tag = lower(tag) WHERE tag <> lower(tag);
