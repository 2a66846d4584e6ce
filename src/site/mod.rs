//! Site assembly: runs the whole build and writes the portal to the output folder atomically.
