"""APScheduler set-up and thin job functions: open a scope, call a service, log one line."""
