"""mailkit: set up, check and audit the Gmail / Google Workspace accounts business software sends mail through."""

__version__ = "0.1.0"
