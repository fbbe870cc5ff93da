"""Storage: the SQLite connection and its transactions (:mod:`db`), the schema's history (:mod:`migrations`), and
the cohort figures kept current at write time (:mod:`tally`)."""
