"""A person behind the bot: a resident asks for staff, the conversation moves to the admin's
inbox, staff reply by push and close it (no Flask here; bot/ and admin/ are the surfaces)."""
