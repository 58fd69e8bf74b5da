"""Users: the custom User model, local sign-in for staff and the demo, profile settings."""
