"""Ambassadors: residents apply for an area, admins approve, appoint and withdraw them."""
