"""studymarket's command line for sellers: `studymarket login`, `upload`, `status`, `sales`, `earnings`."""

__version__ = "0.1.0"
