"""Django settings, split per environment: base, local, test, production."""
