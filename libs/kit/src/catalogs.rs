//! Reads a deployment's tariff catalog files (one per budget year) into a validated set. A bad
//! catalog stops the service at start with the file and key named, rather than mispricing later.

use std::path::PathBuf;

use afregning_tariff::{Catalog, CatalogSet};
use anyhow::Context as _;

/// Reads and validates every file in `paths`.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<CatalogSet> {
    anyhow::ensure!(!paths.is_empty(), "no tariff catalog configured (set `catalogs`)");
    let catalogs = paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading tariff catalog {}", path.display()))?;
            Catalog::from_toml_str(&text).with_context(|| format!("tariff catalog {}", path.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(CatalogSet::new(catalogs)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_file_and_key_of_a_bad_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let good = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/catalog-2026.toml"));
        assert_eq!(load(std::slice::from_ref(&good)).unwrap().iter().count(), 1);
        let bad = dir.path().join("catalog-bad.toml");
        std::fs::write(
            &bad,
            std::fs::read_to_string(&good)
                .unwrap()
                .replace("length_weeks = 12", "length_weeks = 0"),
        )
        .unwrap();
        let message = format!("{:#}", load(&[bad]).unwrap_err());
        assert!(
            message.contains("catalog-bad.toml") && message.contains("courses.DEVELOPING.length_weeks"),
            "{message}"
        );
        assert!(load(&[]).is_err());
    }
}
