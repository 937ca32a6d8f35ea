"""MTQG: monitoring and evaluation of Vietnam's National Target Programs."""
