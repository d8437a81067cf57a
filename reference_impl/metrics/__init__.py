"""The error-rate metrics of FRS Annex B."""
