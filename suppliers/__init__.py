"""The supplier's side: one clear weekly order built from the ledger."""
