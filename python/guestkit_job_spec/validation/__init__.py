"""Validation: bytes or a decoded value in, a report out (``pipeline.validate``).

Two engines give the same report: ``reference`` (pure Python: jiter, jsonschema, a lint
walk beside the schemas) and ``fast`` (the compiled prover, with orjson and jsonschema-rs
where it does not serve). What both share sits here: the code-only rules and the wording
of schema errors. The reference engine imports nothing of the fast one."""
