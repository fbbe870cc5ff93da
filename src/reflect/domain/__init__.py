"""The domain: people and their accounts, cohorts and who may see them (:mod:`access`, the one gate), checkpoints,
question sets, answers, invitations, rosters and the audit log. Knows nothing of Streamlit or charts."""
