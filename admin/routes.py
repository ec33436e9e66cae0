"""Admin routes (to be written)."""
