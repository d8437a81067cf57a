"""Template protection (FRS clause 9, ISO/IEC 24745): authenticated encryption of
stored templates, a renewable cancelable transform, and the measurement of what
protection costs (unlinkability D↔sys, FNMR change at the class FMR)."""
