"""Webhook routes (to be written)."""
