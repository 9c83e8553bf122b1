-- backend/fix_default_prompt_templates.py: executemany over DEFAULTS.
INSERT INTO prompt_templates (name, category, template) VALUES ('summarise', 'general', E'Summarise the following document in 5 bullet points:\n\n{document}') ON CONFLICT (name) DO NOTHING;
INSERT INTO prompt_templates (name, category, template) VALUES ('grant_outline', 'grants', 'Draft an outline for a grant proposal about {topic}.') ON CONFLICT (name) DO NOTHING;
INSERT INTO prompt_templates (name, category, template) VALUES ('translate_fr', 'general', E'Translate into French (keep 100% of the meaning):\n\n{text}') ON CONFLICT (name) DO NOTHING;
