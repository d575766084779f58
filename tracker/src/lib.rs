//! The simulated ET:Legacy engine and match simulator that drive `proximity_tracker.lua`.
