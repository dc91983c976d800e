"""The state machines of cofinance, as data: states, labels, tags and transitions."""
