"""Borgercases facilitator tool: domain, storage and views."""
