"""Helpers shared by the labs: data, plots, gradient checks, diagrams."""
