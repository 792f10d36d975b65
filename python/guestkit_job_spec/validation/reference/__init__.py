"""The reference engine, pure Python: strict decoding with jiter, the canonical schemas with
jsonschema, and the unknown-field lint walking each document beside its schemas."""
