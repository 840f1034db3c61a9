"""The bottom layer: what every app shares (errors, events, text and language helpers, the
shared web and API glue). It imports no app of the portal."""
