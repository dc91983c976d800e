"""Notifications: the outbox written in each transaction, email rendering and delivery."""
