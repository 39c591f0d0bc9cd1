"""Accounts a newsroom runs itself: passwords (change, reset by email), invitations, two-factor sign-in, the
sessions and tokens a person can see and end, and the account audit log. One small module per concern; the
desk's pages (editorial/desk/account.py) and the API call these."""
