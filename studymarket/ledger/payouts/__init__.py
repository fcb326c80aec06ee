"""Payouts: taking a seller's available balance out of the ledger to their bank (services),
through one of the payout providers behind one interface (providers/)."""
