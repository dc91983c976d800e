"""The core of cofinance: domain model, persistence, rule API, workflow runner, services."""
