"""Helpers every step shares: how numbers look, human column headers, tables for people."""
