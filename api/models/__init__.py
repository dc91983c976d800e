"""The HTTP contract (DESIGN §7) as pydantic models: request bodies and answers, one module per
resource. Routes declare them (`response_model`), so the OpenAPI document describes every answer;
answers are built from the engine's rows and read models (engine/reads.py), never the reverse."""
