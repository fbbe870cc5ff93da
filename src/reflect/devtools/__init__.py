"""Developer tools, one floor below the app and never imported by it: demo data, the benchmark, the load tests, a
live server for browser tests, and AppTest routed as the real server routes. The command line reaches them (``python
-m reflect demo|bench|load``); the app does not (checked by import-linter: see pyproject.toml).
"""

from pathlib import Path

# The checkout these tools run the app from (app.py, pages/, questions/): Reflect is installed editable from it.
APP_DIR = Path(__file__).resolve().parents[3]
