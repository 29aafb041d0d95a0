"""mailkit's tests."""
