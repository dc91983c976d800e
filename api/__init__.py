"""The HTTP face of cofinance: JSON API under /api/v1 and the web pages."""
