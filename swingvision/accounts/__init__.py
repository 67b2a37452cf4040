"""Accounts: login, logout, sessions stored through the gateway, the acting user on requests."""
