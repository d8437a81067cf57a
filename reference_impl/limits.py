"""The numbers the FRS specification states, each in one place, with the clause it comes from.

Every part of the reference implementation that judges, reports or defaults to one of
these values imports it from here; nothing else writes them down.  Where a value must
also live outside Python, a test ties that place to this module: `[tool.frs].classes`
in pyproject.toml, the class, store and level enums, the `schema_version` consts and the
retention maximum of the JSON Schemas, and the clause text itself (`STATED` below lists,
clause by clause, the values its sentence writes, and tests/test_limits.py finds each one
there).  Why each value is what it is, is the NOTE under its clause:

- Classes and their limits (clause 2.2, FRS-CNF-001 to 006): the FMR and FNMR limits of
  NIST SP 800-63B-4 (V-L) and SP 800-63A-4 (V-R), judged on FRR; ISO/IEC TR 29156's
  high-assurance rule of thumb (V-H), whose FRR limit equals V-R's so that the classes
  nest; SP 800-63A-4's FPIR with a gallery of at least 90 % (I, P), and FRS's own rank-1
  FNIR limit of 5 % (I, P).
- Consent (FRS-CAP-003): PIPL Article 31's age of 14, below which a guardian consents.
- The confidence level (FRS-ACC-016): limits are judged on the one-sided upper 95 %
  Clopper-Pearson bound, the bound the rule of 3 approximates; every minimum test size
  follows from it (Annex F), so none is written here.
- Reporting targets (FRS-ACC-004, 013, 014): the FMRs that span the class limits and
  NIST FRTE's operating points; the Class I and P FPIR limit; the CMC to rank 20, the
  candidate list a manual review typically examines.
- Demographic fairness (FRS-DEM-002, 004, 006 to 009): the FIDO bias programme's 3 age
  bands, 2 sexes and 5 groups; a group factor of 3 that rules out the 10- to 100-fold
  differentials of NIST IR 8280; α, FDR and GARBE targets that are FRS's own choices.
- PAD (FRS-PAD-004, 005, 007, 011): ISO/IEC 30107-3's BPCER20 and BPCER100, whose 5 %
  sizes the PAD test per species; NIST SP 800-63B-4's IAPAR < 0.15 and FIDO's 7 %; SP
  800-63B-4's throttling of failed attempts.
- Data protection (FRS-DPR-006, 009, 010, 019): FRS's own choices of key lifetime,
  unlinkability (D↔sys) and the accuracy that protection may cost; GDPR Article 33's
  72 hours to notify a breach.
- Retention and deletion (FRS-RET-002, 003, 005, 008): BIPA's 3 years (counted as 1095
  days), FRS's 15 working days, the copies a deletion must reach, and FRS's 30 days for a
  probe held for human review.
- Governance (FRS-AUD-003, 008 to 011, 015): the filing threshold, deadlines and transition
  of CAC/MPS Order No. 19 (2025); a year of audit records, the usual minimum for security
  logs; PIPL Article 56's 3 years for impact assessments; a laboratory test at least every
  24 months.
"""

from __future__ import annotations

from datetime import date

# The version of the FRS data objects this implementation reads and writes: the
# `schema_version` const of every schema under schemas/ (Annex A).
SCHEMA_VERSION = "0.1"

# ---- Clause 2: conformance classes ----------------------------------------------------------

CLASSES = ("V-L", "V-R", "V-H", "I", "P")                 # clause 2.2
VERIFICATION_CLASSES = ("V-L", "V-R", "V-H")
IDENTIFICATION_CLASSES = ("I", "P")
# The requirement that sets each class's error-rate limits.
CLASS_CLAUSES = {"V-L": "FRS-CNF-001", "V-R": "FRS-CNF-002", "V-H": "FRS-CNF-003",
                 "I": "FRS-CNF-004", "P": "FRS-CNF-004"}
FMR_LIMITS = {"V-L": 1e-4, "V-R": 1e-4, "V-H": 1e-6}      # FRS-CNF-001, 002, 003
FRR_LIMITS = {"V-L": 0.05, "V-R": 0.01, "V-H": 0.01}      # FRS-CNF-001, 002, 003 (nested)
FPIR_LIMITS = {"I": 1e-3, "P": 1e-3}                      # FRS-CNF-004, in every group
FNIR_LIMITS = {"I": 0.05, "P": 0.05}                      # FRS-CNF-005, rank 1
MIN_GALLERY_SHARE = 0.9                                   # FRS-CNF-004: of the operational gallery
# Classes whose people enrol by consent; Class P captures passers-by on a legal basis
# (the `classes:` option of the consent clauses of chapters 3 and 10).
CONSENTING_CLASSES = ("V-L", "V-R", "V-H", "I")
MINOR_AGE = 14                                            # FRS-CAP-003: a guardian consents below

# ---- Clause 6: accuracy and test design -------------------------------------------------------

CONFIDENCE = 0.95                                         # FRS-ACC-016: each bound one-sided
FMR_TARGETS = (1e-3, 1e-4, 1e-5, 1e-6)                    # FRS-ACC-004
IDENTIFICATION_RANK = 1                                   # FRS-ACC-013: FNIR at rank 1
FPIR_TARGETS = (1e-3,)                                    # FRS-ACC-013
CMC_RANKS = 20                                            # FRS-ACC-014: k = 1 to at least 20
RULE_OF_THIRTY = 30                                       # FRS-ACC-018: trials >= 30 / x
MIN_BOOTSTRAP_RESAMPLES = 1000                            # FRS-ACC-020

# ---- Clause 7: demographic fairness -----------------------------------------------------------

# FRS-DEM-002: the groups a demographic test includes, at least.
MIN_GROUPS = {"age_band": 3, "sex": 2, "skin_tone": 5}
FMR_GROUP_FACTOR = 3                                      # FRS-DEM-004: x the class FMR limit
FAIRNESS_ALPHA = 0.5                                      # FRS-DEM-006, 007, 008
FDR_TARGET = 0.99                                         # FRS-DEM-009: at least
GARBE_TARGET = 0.25                                       # FRS-DEM-009: at most

# ---- Clause 8: presentation attack detection --------------------------------------------------

APCER_TARGETS = (0.05, 0.01)                              # FRS-PAD-004: BPCER20, BPCER100
BPCER20_APCER = APCER_TARGETS[0]                          # FRS-PAD-007: sizes each species
IAPAR_LIMITS = {"A": 0.15, "B": 0.07}                     # FRS-PAD-005, by PAD level
# FRS-PAD-011: consecutive failures allowed before the delay and before disabling,
# without / with PAD, and the least delay.
FAILURES_BEFORE_DELAY = {False: 5, True: 10}
FAILURES_BEFORE_DISABLE = {False: 50, True: 100}
MIN_THROTTLE_DELAY_S = 30

# ---- Clause 9: data protection ----------------------------------------------------------------

MAX_KEY_ROTATION_DAYS = 730                               # FRS-DPR-006
MAX_D_SYS = 0.1                                           # FRS-DPR-009
MAX_FNMR_INCREASE = 0.01                                  # FRS-DPR-010: one percentage point
MAX_AUTHORITY_NOTICE_HOURS = 72                           # FRS-DPR-019 (GDPR Art. 33)

# ---- Clause 10: retention and deletion --------------------------------------------------------

DAYS_PER_YEAR = 365                                       # FRS-RET-002 NOTE 2: 3 years = 1095 days
MAX_RETENTION_DAYS = 3 * DAYS_PER_YEAR                    # FRS-RET-002
MAX_DELETION_WORKING_DAYS = 15                            # FRS-RET-003
MAX_REVIEW_HOLD_DAYS = 30                                 # FRS-RET-008: a probe under review
# Every kind of store that can hold a person's face data (the audit event's
# `deletion.locations` and the statement's `deletion_request.covers`).
STORE_KINDS = ("templates", "images", "probe-images", "caches", "backups", "consent-records")
# What a deletion on request reaches: FRS-RET-003's templates, images, caches and
# backups, and the probe images of FRS-RET-005.
DELETION_STORES = ("templates", "images", "probe-images", "caches", "backups")
# The stores every executed deletion is given: a system may keep no images at all
# (FRS-DPR-007 forbids keeping raw ones), but every system has templates, caches and backups.
ALWAYS_PRESENT_STORES = ("templates", "caches", "backups")

# ---- Clause 11: audit and governance ----------------------------------------------------------

FILING_THRESHOLD = 100_000                                # FRS-AUD-003: people
FILING_WORKING_DAYS = 30                                  # FRS-AUD-003, 009, 010
# FRS-AUD-003: Order No. 19 took effect on 1 June 2025; who was over the threshold before
# then filed by 14 July 2025 (CAC filing notice of 28 May 2025, item (2)).
MEASURES_IN_FORCE = date(2025, 6, 1)
TRANSITIONAL_FILING_DUE = date(2025, 7, 14)
MIN_AUDIT_MONTHS = 12                                     # FRS-AUD-008
MIN_RECORDS_YEARS = 3                                     # FRS-AUD-011 (PIPL Art. 56)
MAX_RETEST_MONTHS = 24                                    # FRS-AUD-015

# ---- Where the spec writes each number ---------------------------------------------------------

# Clause by clause, the values its requirement sentence states, in the order it states
# them (a percentage as a fraction).  tests/test_limits.py reads each
# clause through the clause parser and finds these values in its text.
STATED: dict[str, tuple[float | date, ...]] = {
    "FRS-CNF-001": (FMR_LIMITS["V-L"], FRR_LIMITS["V-L"]),
    "FRS-CNF-002": (FMR_LIMITS["V-R"], FRR_LIMITS["V-R"]),
    "FRS-CNF-003": (FMR_LIMITS["V-H"], FRR_LIMITS["V-H"]),
    "FRS-CNF-004": (FPIR_LIMITS["I"], MIN_GALLERY_SHARE),
    "FRS-CNF-005": (FNIR_LIMITS["I"],),
    "FRS-CAP-003": (MINOR_AGE,),
    "FRS-QUA-010": (CONFIDENCE,),
    "FRS-ACC-004": FMR_TARGETS,
    "FRS-ACC-013": (IDENTIFICATION_RANK, IDENTIFICATION_RANK, *FPIR_TARGETS),
    "FRS-ACC-014": (CMC_RANKS,),
    "FRS-ACC-016": (CONFIDENCE,),
    "FRS-ACC-018": (RULE_OF_THIRTY, RULE_OF_THIRTY),
    "FRS-ACC-020": (MIN_BOOTSTRAP_RESAMPLES,),
    "FRS-DEM-001": (CONFIDENCE,),
    "FRS-DEM-002": (MIN_GROUPS["age_band"], MIN_GROUPS["sex"], MIN_GROUPS["skin_tone"]),
    "FRS-DEM-004": (CONFIDENCE, FMR_GROUP_FACTOR, CONFIDENCE),
    "FRS-DEM-006": (FAIRNESS_ALPHA,),
    "FRS-DEM-007": (FAIRNESS_ALPHA,),
    "FRS-DEM-008": (FAIRNESS_ALPHA,),
    "FRS-DEM-009": (FDR_TARGET, GARBE_TARGET),
    "FRS-PAD-004": APCER_TARGETS,
    "FRS-PAD-005": (CONFIDENCE, IAPAR_LIMITS["A"], IAPAR_LIMITS["B"]),
    "FRS-PAD-007": (BPCER20_APCER,),
    "FRS-PAD-011": (FAILURES_BEFORE_DELAY[False], FAILURES_BEFORE_DELAY[True],
                    MIN_THROTTLE_DELAY_S, FAILURES_BEFORE_DISABLE[False],
                    FAILURES_BEFORE_DISABLE[True]),
    "FRS-DPR-006": (MAX_KEY_ROTATION_DAYS,),
    "FRS-DPR-009": (MAX_D_SYS,),
    "FRS-DPR-010": (MAX_FNMR_INCREASE, FPIR_LIMITS["I"]),
    "FRS-DPR-019": (MAX_AUTHORITY_NOTICE_HOURS,),
    "FRS-RET-002": (MAX_RETENTION_DAYS // DAYS_PER_YEAR,),
    "FRS-RET-003": (MAX_DELETION_WORKING_DAYS,),
    "FRS-RET-008": (MAX_REVIEW_HOLD_DAYS,),
    "FRS-AUD-003": (FILING_THRESHOLD, FILING_WORKING_DAYS, FILING_THRESHOLD,
                    TRANSITIONAL_FILING_DUE, MEASURES_IN_FORCE),
    "FRS-AUD-008": (MIN_AUDIT_MONTHS,),
    "FRS-AUD-009": (FILING_WORKING_DAYS,),
    "FRS-AUD-010": (FILING_WORKING_DAYS,),
    "FRS-AUD-011": (MIN_RECORDS_YEARS,),
    "FRS-AUD-015": (MAX_RETEST_MONTHS,),
    "FRS-SUB-020": (CONFIDENCE,),
    "FRS-SUB-023": (CONFIDENCE,),
}
