"""The error-rate metrics of FRS Annex B.

- verification: FMR, FNMR, thresholds at target FMRs, EER (step and interpolated),
  DET points, FTA, FAR and FRR; `SortedScores` computes them all from one sort;
- identification: FPIR, FNIR(N, R, tau), CMC, mate ranks, exact 1:N search in blocks;
- pad: APCER per species, APCER_AP, BPCER, BPCER at APCER, IAPAR, ACER (extra);
- uncertainty: Clopper-Pearson, rules of 3 and 30, minimum subjects, subject bootstrap;
- demographics: per-group rates at one threshold, max/min ratios, IR, FDR, GARBE;
- scores: score files, comparison-result JSON Lines, exact two-pass streaming;
- report: the metric families of an evaluation report; plot: the DET plot (SVG);
- cli: `frs metrics verification|pad|identification`.
"""
