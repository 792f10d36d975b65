"""The protocol as data, read from the schema files: document and payload types, the rules
registry, the state machine, the keyword table, decoding limits, the report format, JSON
Pointers and bundles. Everything above (validation, the typed layer, tools, the CLI) reads
the protocol through here; nothing here validates."""
