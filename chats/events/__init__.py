"""Domain events: `domain` (one typed dataclass per fact), `dispatch` (record in the
transaction, dispatch after the commit), `subscriptions` (who listens to what, in one place),
`live` and `live_listener` (the frames of the live broadcast)."""
