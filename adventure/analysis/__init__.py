"""Pure analysis of a story: lint, the exhaustive proofs of the checker, graphs, walkthrough runs."""
