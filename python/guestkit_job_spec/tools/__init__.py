"""Tools over the schemas: the compatibility checker, the field-by-field reference pages and
the field help behind ``guestkit-job explain``."""
