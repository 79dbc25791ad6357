"""Alerts: rules over tagged posts → incidents → routing to departments → the outbox.

``evaluate.evaluate`` and ``escalation.escalate`` are what the scheduler calls; ``incidents``
holds the actions (acknowledge, assign, resolve, add_note) the web inbox and the CLI use.
"""
