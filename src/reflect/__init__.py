"""Reflect: a reflective journal and the Munby–Fullan skills checklist for a school-leadership course module.

The library is in layers; each may import only those below it (checked by import-linter: see pyproject.toml):

- :mod:`reflect.cli`: the command line (``python -m reflect``);
- :mod:`reflect.devtools`: demo data, benchmark, load tests, live test server (never imported by the app, which
  they may drive);
- :mod:`reflect.web`: the Streamlit boundary, the only part that imports Streamlit;
- :mod:`reflect.reporting`: the read side: cohort figures, charts and CSV files;
- :mod:`reflect.domain`: people, cohorts, checkpoints, answers and the rules about them;
- :mod:`reflect.storage`: the SQLite connection, its migrations and the figures kept at write time; beside it,
  :mod:`reflect.mail`: sending one email through the SMTP server the settings name;
- :mod:`reflect.settings`: the ``REFLECT_*`` settings from the environment.
"""
