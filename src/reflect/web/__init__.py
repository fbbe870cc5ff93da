"""The Streamlit boundary: everything that knows a page is being drawn. The only part of the library that imports
Streamlit (the layers are checked by import-linter: see pyproject.toml).

- :mod:`context`: the run's connection and who is signed in;
- :mod:`guard`: the check at the top of every page, and the account forms;
- :mod:`pickers`: cohort and checkpoint selectboxes that keep the person's choice;
- :mod:`answers`: fields that save drafts as they change, Submit, and sharing;
- :mod:`figures`: cohort figures cached across sessions, checked on every call;
- :mod:`show`: plain text and local times;
- :mod:`server`: what the server does before any page runs;
- :mod:`routes`: HTTP routes beside the pages (/healthz).
"""
