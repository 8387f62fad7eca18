"""The holdout experiment: who is held out of contact, and what contacting changed.

`holdout` assigns customers to the treated or control arm; `uplift` compares
their outcomes (read from imported data by `customers.selectors.read_outcomes`).
"""
