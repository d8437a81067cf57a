"""The FRS evaluation harness (clause 12): dataset + model -> scores -> report + verdicts."""
