"""The fast engine: the prover (C generated from the closed bundles, ``c/``), and orjson with
jsonschema-rs where the prover does not serve; what they find is worded by the shared
wording code, so both engines give the same report."""
