"""What a review shows first: the account at a glance."""
