"""Benchmarks of FRS (`make bench`): figures against peers, as ratios in one run."""
