//! Placeholder until the thelook generator lands.
use super::rng::Rng;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

pub fn write(_rows: usize, _rng: &mut Rng, _out_dir: &Path) -> Result<Vec<PathBuf>> {
    Err(Error::new("not yet available"))
}
