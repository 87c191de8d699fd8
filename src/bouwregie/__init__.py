"""Bouwregie: open software voor regie op de woningbouw."""
