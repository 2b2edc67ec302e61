"""shiplint: stop broken or unsafe Python package releases at commit time."""

__version__ = "0.1.0"
