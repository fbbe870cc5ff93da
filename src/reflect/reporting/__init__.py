"""The read side: cohort figures in SQL (:mod:`reports`), Altair charts of them (:mod:`charts`) and CSV files
(:mod:`export`)."""
