"""The error-rate metrics of FRS Annex B.

- verification: FMR, FNMR, thresholds at target FMRs, EER (step and interpolated),
  DET points, FTA, FAR and FRR; `CountedScores` computes them all from counts over
  order-preserving bins (`counts`: exact, linear, no sort; partial counts merge);
- identification: FPIR, FNIR(N, R, tau), CMC, mate ranks (the exhaustive 1:N search
  `frs evaluate` runs is `reference_impl.evaluate.identify.SubjectGallery.search`);
- pad: APCER per species, APCER_AP, BPCER, BPCER at APCER, IAPAR, ACER (extra);
- uncertainty: `Rate` (a rate with its Clopper-Pearson interval), rules of 3 and 30,
  minimum subjects, subject bootstrap;
- demographics: per-group rates at one threshold, max/min ratios, IR, FDR, GARBE;
- scores: score files, comparison-result JSON Lines, the same counts fed from files;
- report: the metric families of an evaluation report, the one producer of metric
  documents; plot: the one DET plot (SVG);
- cli: `frs metrics verification|pad|identification|demographics`, which print them.
"""
