"""The live workshop: a session over the journal (session), the room's summary (summary), the served
page and its server (page, server), a review from the room (review) and the notebook widgets (widgets)."""
