"""Notifications: the outbox written in each transaction (outbox.py), emails rendered from
jinja2 templates (render.py), delivered by SMTP or as .eml files (mail.py, deliver.py), and the
in-app notifications of each user (inbox.py)."""
