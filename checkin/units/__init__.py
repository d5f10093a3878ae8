"""Units: the unit tree, quota rules and allocation, nomination links."""
