"""The guard: coercive collection tactics (C01–C14) never reach the site.

- data/      what is flagged and why (rules.yml), and the labelled corpus
- engine/    folding, matching, sources and reports; no MkDocs imports
- build/     the MkDocs hooks (the guard itself, the catalogue page, the page worker)
- cli.py     the command-line check: `python hooks/guard [files…]`
"""
