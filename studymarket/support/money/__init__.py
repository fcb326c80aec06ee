"""The money back office (staff only, under /beheer/): orders and their history, the refund and
payout queues, the ledger's status and corrections, and the reports (VAT, revenue, payables).

views and report_views are the pages; forms parse what staff type; selectors and reports read.
Every change goes through the services of the app that owns the data: support writes no model.
"""
