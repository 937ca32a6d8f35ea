"""The API pieces every app shares: filters, the one error format, throttles. The router and URLs are in mtqg.api."""
